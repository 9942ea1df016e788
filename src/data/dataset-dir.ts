import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFileInfo, FashionMnist } from './types';
import { DataError, DEFAULT_FIX } from './errors';
import { fileAccessError, IdxContent, readIdxFile } from './idx';
import { DATA_FILE_NAMES, DataFileName, PUBLISHED_FILES } from './checksums';

/**
 * Reads one folder holding the four IDX files (plain or .gz) and verifies them.
 *
 * Verification: a file whose decompressed SHA-256 equals the published one is `verified: true`.
 * A deliberate subset — the committed test fixture — carries a `checksums.json` manifest in the
 * same folder; a file matching its manifest entry is accepted with `verified: false` and
 * `checksumSource: 'manifest'`, so nothing downstream can mistake it for the full dataset.
 * Any other checksum is an error: the file is corrupted or is not Fashion-MNIST.
 */

export const MANIFEST_NAME = 'checksums.json';

/** `checksums.json`: the expected decompressed SHA-256 and size of each file of a subset. */
export interface ChecksumManifest {
  description?: string;
  files: Partial<Record<DataFileName, { sha256: string; bytes: number }>>;
  [extra: string]: unknown;
}

export interface ReadDirOptions {
  /** Advice appended to every error about a file in this folder. */
  fix?: string;
}

/** The file to read for `name`: `<name>.gz` if present, else the plain `<name>`; undefined if neither exists. */
export function findDataFile(dir: string, entries: readonly string[], name: DataFileName): string | undefined {
  if (entries.includes(`${name}.gz`)) return path.join(dir, `${name}.gz`);
  if (entries.includes(name)) return path.join(dir, name);
  return undefined;
}

/** Lists a folder, turning fs errors into messages that name the folder. */
export async function listDir(dir: string, fix: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(dir, 'the folder does not exist', fix);
    if (code === 'ENOTDIR') throw new DataError(dir, 'this is a file, not a folder', fix);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new DataError(dir, 'the folder cannot be read (permission denied)', `Make it readable (chmod a+rx) or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`);
    }
    throw fileAccessError(dir, err, fix);
  }
}

export async function readChecksumManifest(dir: string, fix: string): Promise<ChecksumManifest | undefined> {
  const file = path.join(dir, MANIFEST_NAME);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileAccessError(file, err, fix);
  }
  try {
    const parsed = JSON.parse(text) as ChecksumManifest;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.files !== 'object' || parsed.files === null) {
      throw new Error('it has no "files" object');
    }
    return parsed;
  } catch (err) {
    throw new DataError(file, `invalid checksum manifest (${(err as Error).message})`, 'Regenerate it with writeFixture() or delete it');
  }
}

/** Reads and verifies the four files in `dir`. */
export async function readDatasetDir(dir: string, opts: ReadDirOptions = {}): Promise<FashionMnist> {
  const fix = opts.fix ?? DEFAULT_FIX;
  const source = path.resolve(dir);
  const entries = await listDir(source, fix);
  const paths = new Map<DataFileName, string>();
  for (const name of DATA_FILE_NAMES) {
    const found = findDataFile(source, entries, name);
    if (!found) {
      throw new DataError(path.join(source, `${name}.gz`), `the file is missing (neither ${name}.gz nor ${name} is in this folder)`, fix);
    }
    paths.set(name, found);
  }
  const manifest = await readChecksumManifest(source, fix);

  const contents = new Map<DataFileName, IdxContent>();
  await Promise.all(
    PUBLISHED_FILES.map(async (p) => {
      contents.set(p.name, await readIdxFile(paths.get(p.name)!, { kind: p.kind, fix }));
    }),
  );

  // Counts first: a mismatch is a clearer message than the checksum error it would also cause.
  for (const split of ['train', 'test'] as const) {
    const images = contents.get(split === 'train' ? 'train-images-idx3-ubyte' : 't10k-images-idx3-ubyte')!;
    const labels = contents.get(split === 'train' ? 'train-labels-idx1-ubyte' : 't10k-labels-idx1-ubyte')!;
    if (images.count !== labels.count) {
      throw new DataError(
        labels.path,
        `has ${labels.count} labels but ${images.path} has ${images.count} images; the ${split} image and label files must have the same count (they come from different or damaged copies)`,
        fix,
      );
    }
  }

  const files: DataFileInfo[] = PUBLISHED_FILES.map((p) => {
    const c = contents.get(p.name)!;
    if (c.sha256 === p.sha256 && c.bytes === p.bytes) {
      return { name: p.name, path: c.path, sha256: c.sha256, verified: true, checksumSource: 'published' };
    }
    const entry = manifest?.files[p.name];
    if (entry && entry.sha256 === c.sha256 && entry.bytes === c.bytes) {
      return { name: p.name, path: c.path, sha256: c.sha256, verified: false, checksumSource: 'manifest' };
    }
    const expected = entry
      ? `neither the published SHA-256 ${p.sha256} nor ${entry.sha256} listed in ${path.join(source, MANIFEST_NAME)}`
      : `the published SHA-256 ${p.sha256}`;
    throw new DataError(c.path, `checksum mismatch: the decompressed content has SHA-256 ${c.sha256}, expected ${expected}; the file is corrupted or not the Fashion-MNIST original`, fix);
  });

  const get = (n: DataFileName) => contents.get(n)!;
  return {
    source,
    files,
    train: { count: get('train-images-idx3-ubyte').count, images: get('train-images-idx3-ubyte').data, labels: get('train-labels-idx1-ubyte').data },
    test: { count: get('t10k-images-idx3-ubyte').count, images: get('t10k-images-idx3-ubyte').data, labels: get('t10k-labels-idx1-ubyte').data },
  };
}
