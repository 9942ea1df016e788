import type { FashionMnist, LabelledImages, SplitProtocol } from '../data/types';
import { loadFashionMnist } from '../data/load';
import { classCounts, splitDataset, subsetStratified } from '../data/splits';
import { sha256Hex } from '../results/cache-key';
import type { SubsetSpec } from './profiles';

export type SplitPart = LabelledImages & { indices: Uint32Array };

/** Exactly the images a run trains, validates and tests on, with their checksums (part of the cache key). */
export interface RunData {
  protocol: SplitProtocol;
  seed: number;
  train: SplitPart;
  val: SplitPart;
  test: SplitPart;
  checksums: { train: string; val: string; test: string };
  /** sha256 of the decompressed source files, as verified by the loader. */
  files: Array<{ name: string; sha256: string; verified: boolean; checksumSource?: 'published' | 'manifest' }>;
}

/** Keeps up to `perClass` images of each class (all of them when a class has fewer, e.g. on the fixture). */
function subset(part: SplitPart, perClass: number, seed: number): SplitPart {
  const n = Math.min(perClass, ...classCounts(part.labels.subarray(0, part.count)));
  const sub = subsetStratified(part, n, seed);
  // subsetStratified's indices are positions in `part`; map them back to dataset-wide indices.
  return { ...sub, indices: Uint32Array.from(sub.indices, (i) => part.indices[i]) };
}

export function checksumOf(part: LabelledImages): string {
  return sha256Hex(part.labels.subarray(0, part.count), part.images.subarray(0, part.count * 784));
}

/**
 * The split for (protocol, seed), reduced to the profile's per-class subset if it has one.
 * The split seed is the run seed, so one number reproduces the whole run.
 */
export async function prepareRunData(
  protocol: SplitProtocol,
  seed: number,
  subsetSpec: SubsetSpec | null,
  dataset?: FashionMnist,
): Promise<RunData> {
  const ds = dataset ?? (await loadFashionMnist());
  const split = splitDataset(ds, protocol, seed);
  let { train, val, test } = split;
  if (subsetSpec) {
    train = subset(train, subsetSpec.trainPerClass, seed);
    val = subset(val, subsetSpec.valPerClass, seed + 1);
    test = subset(test, subsetSpec.testPerClass, seed + 2);
  }
  return {
    protocol,
    seed,
    train,
    val,
    test,
    checksums: { train: checksumOf(train), val: checksumOf(val), test: checksumOf(test) },
    files: ds.files.map((f) => ({ name: f.name, sha256: f.sha256, verified: f.verified, ...(f.checksumSource ? { checksumSource: f.checksumSource } : {}) })),
  };
}
