import seedrandom from 'seedrandom';
import { FashionMnist, LabelledImages, NUM_CLASSES, PIXELS, Split, SplitProtocol } from './types';

/**
 * Train/validation/test splits, stratified by class, seeded and deterministic.
 * Indices address the whole dataset: training images first (0..train.count-1), then test images
 * (train.count + i; 60,000 + i on the full data). Every part is returned in ascending index order
 * (the published files are already in mixed class order), so the same seed gives identical arrays.
 */

export const SPLIT_PROTOCOLS: readonly SplitProtocol[] = ['paper', 'official'];

/** paper: 60:20:20 over all images. official: 1/6 of the training images (10,000 of 60,000) held out. */
const PAPER_VAL = 0.2;
const PAPER_TEST = 0.2;
const OFFICIAL_VAL = 10_000 / 60_000;

export function parseSplitProtocol(value: string): SplitProtocol {
  if ((SPLIT_PROTOCOLS as readonly string[]).includes(value)) return value as SplitProtocol;
  throw new Error(`unknown split protocol "${value}"; valid protocols: ${SPLIT_PROTOCOLS.join(', ')}`);
}

export interface SplitIndices {
  train: Uint32Array;
  val: Uint32Array;
  test: Uint32Array;
}

/** The indices of each part, without copying any pixels (cheap; used for sizes and by splitDataset). */
export function splitIndices(ds: Pick<FashionMnist, 'train' | 'test'>, protocol: SplitProtocol, seed: number): SplitIndices {
  checkSeed(seed);
  const rng = seedrandom(`${protocol}:${seed}`);
  const offset = ds.train.count;
  if (protocol === 'paper') {
    const all = new Uint8Array(ds.train.count + ds.test.count);
    all.set(ds.train.labels.subarray(0, ds.train.count), 0);
    all.set(ds.test.labels.subarray(0, ds.test.count), offset);
    const byClass = groupByClass(all, 0);
    const valCounts = allocate(byClass.map((c) => c.length), PAPER_VAL);
    const testCounts = allocate(byClass.map((c, k) => c.length - valCounts[k]), PAPER_TEST / (1 - PAPER_VAL));
    const train: number[] = [];
    const val: number[] = [];
    const test: number[] = [];
    byClass.forEach((members, k) => {
      shuffle(members, rng);
      val.push(...members.slice(0, valCounts[k]));
      test.push(...members.slice(valCounts[k], valCounts[k] + testCounts[k]));
      train.push(...members.slice(valCounts[k] + testCounts[k]));
    });
    return { train: sorted(train), val: sorted(val), test: sorted(test) };
  }
  if (protocol === 'official') {
    const byClass = groupByClass(ds.train.labels.subarray(0, ds.train.count), 0);
    const valCounts = allocate(byClass.map((c) => c.length), OFFICIAL_VAL);
    const train: number[] = [];
    const val: number[] = [];
    byClass.forEach((members, k) => {
      shuffle(members, rng);
      val.push(...members.slice(0, valCounts[k]));
      train.push(...members.slice(valCounts[k]));
    });
    const test = new Uint32Array(ds.test.count);
    for (let i = 0; i < test.length; i++) test[i] = offset + i;
    return { train: sorted(train), val: sorted(val), test };
  }
  throw new Error(`unknown split protocol "${protocol as string}"; valid protocols: ${SPLIT_PROTOCOLS.join(', ')}`);
}

/** Splits the dataset by `protocol`; the same (data, protocol, seed) always gives the same split. */
export function splitDataset(ds: FashionMnist, protocol: SplitProtocol, seed: number): Split {
  const idx = splitIndices(ds, protocol, seed);
  return {
    protocol,
    seed,
    train: gatherByIndex(ds, idx.train),
    val: gatherByIndex(ds, idx.val),
    test: gatherByIndex(ds, idx.test),
  };
}

/** Copies the images and labels at the given dataset-wide indices (train first, then test). */
export function gatherByIndex(ds: Pick<FashionMnist, 'train' | 'test'>, indices: Uint32Array): LabelledImages & { indices: Uint32Array } {
  const images = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  const offset = ds.train.count;
  const total = ds.train.count + ds.test.count;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (i >= total) throw new Error(`index ${i} is outside the dataset (0..${total - 1})`);
    const [set, local] = i < offset ? [ds.train, i] : [ds.test, i - offset];
    images.set(set.images.subarray(local * PIXELS, (local + 1) * PIXELS), j * PIXELS);
    labels[j] = set.labels[local];
  }
  return { count: indices.length, images, labels, indices: Uint32Array.from(indices) };
}

/** Pixels 0–255 to floats in [0, 1], the scaling the paper uses. */
export function scalePixels(images: Uint8Array): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = images[i] / 255;
  return out;
}

/**
 * `nPerClass` images of every class, chosen at random with `seed` (for smoke runs and tests).
 * `indices` are positions in `set`. Throws if a class has fewer than `nPerClass` images.
 */
export function subsetStratified(set: LabelledImages, nPerClass: number, seed: number): LabelledImages & { indices: Uint32Array } {
  checkSeed(seed);
  if (!Number.isInteger(nPerClass) || nPerClass < 0) throw new Error(`nPerClass must be a non-negative integer, got ${nPerClass}`);
  const rng = seedrandom(`subset:${seed}`);
  const byClass = groupByClass(set.labels.subarray(0, set.count), 0);
  const chosen: number[] = [];
  byClass.forEach((members, k) => {
    if (members.length < nPerClass) throw new Error(`class ${k} has only ${members.length} images, fewer than the ${nPerClass} per class requested`);
    shuffle(members, rng);
    chosen.push(...members.slice(0, nPerClass));
  });
  const indices = sorted(chosen);
  const images = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((i, j) => {
    images.set(set.images.subarray(i * PIXELS, (i + 1) * PIXELS), j * PIXELS);
    labels[j] = set.labels[i];
  });
  return { count: indices.length, images, labels, indices };
}

/** Number of images of each class (length NUM_CLASSES). */
export function classCounts(...labelSets: Uint8Array[]): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (const labels of labelSets) for (const l of labels) counts[l]++;
  return counts;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
}

function groupByClass(labels: Uint8Array, offset: number): number[][] {
  const groups: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  for (let i = 0; i < labels.length; i++) groups[labels[i]].push(offset + i);
  return groups;
}

/**
 * How many of each class go into a part that takes `fraction` of the images: floor per class,
 * then the leftover (to reach round(total × fraction)) goes to the classes with the largest
 * remainders, so the total is exact and every class is within one image of its share.
 */
export function allocate(counts: number[], fraction: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const target = Math.round(total * fraction);
  const exact = counts.map((c) => c * fraction);
  const out = exact.map((x) => Math.floor(x + 1e-9));
  let left = target - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, k) => ({ k, rem: x - Math.floor(x + 1e-9) })).sort((a, b) => b.rem - a.rem || a.k - b.k);
  for (const { k } of order) {
    if (left <= 0) break;
    if (out[k] < counts[k]) {
      out[k]++;
      left--;
    }
  }
  return out;
}

function shuffle(a: number[], rng: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

function sorted(a: number[]): Uint32Array {
  return Uint32Array.from(a).sort();
}
