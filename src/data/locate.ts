import * as fs from 'node:fs';
import * as path from 'node:path';
import { FashionMnist } from './types';
import { dataCacheDir } from '../util/paths';
import { DATA_FILE_NAMES, DataFileName, PUBLISHED_FILES } from './checksums';
import { findDataFile, readDatasetDir } from './dataset-dir';
import { downloadDataFile, mirrorUrl } from './download';

/**
 * Finds the dataset. Order (issue 2 §3):
 *   1. FASHION_MNIST_DIR (or the `dir` option) — when given it is used exclusively: a problem
 *      there is reported, never silently replaced by another copy;
 *   2. the project's download cache data/ (FASHION_MNIST_CACHE_DIR overrides it, for tests);
 *   3. /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist);
 *   4. a download of the missing files from the mirror into the cache.
 * A folder that holds all four files is read and verified; a broken file there is an error naming
 * the file (cached files are never deleted behind the user's back). If every place fails, one
 * error lists each place and what was wrong with it.
 */

export const SYSTEM_DATA_DIR = '/usr/share/datasets/fashion-mnist';

export interface LocateOptions {
  /** Read exactly this folder (takes precedence over FASHION_MNIST_DIR). */
  dir?: string;
  /** Download cache; default FASHION_MNIST_CACHE_DIR or the project's data/. */
  cacheDir?: string;
  /** Debian's install location; injectable for tests. */
  systemDir?: string;
  /** Mirror base URL; default FASHION_MNIST_MIRROR or the official mirror. */
  mirror?: string;
  /** Set false to fail instead of downloading. */
  download?: boolean;
  /** No progress bars. */
  quiet?: boolean;
}

export type DataOrigin = 'dir option' | 'FASHION_MNIST_DIR' | 'cache' | 'system' | 'download';

export interface LocatedDataset {
  dataset: FashionMnist;
  origin: DataOrigin;
}

/** Raised when no location works; `tried` has one line per place. */
export class DatasetNotFoundError extends Error {
  readonly exitCode = 1;
  constructor(readonly tried: string[]) {
    super(
      'Fashion-MNIST was not found and could not be downloaded. Places tried, in order:\n' +
        tried.map((t, i) => `  ${i + 1}. ${t}`).join('\n') +
        '\nFix: install the Debian package (apt-get install dataset-fashion-mnist), or set FASHION_MNIST_DIR to a folder ' +
        `holding ${DATA_FILE_NAMES.map((n) => `${n}.gz`).join(', ')}, or connect to the network and rerun \`npx fmnist data\` ` +
        '(FASHION_MNIST_MIRROR sets another mirror URL).',
    );
    this.name = 'DatasetNotFoundError';
  }
}

export function defaultCacheDir(): string {
  return process.env.FASHION_MNIST_CACHE_DIR ?? dataCacheDir();
}

type Probe =
  | { state: 'complete' }
  | { state: 'partial'; missing: DataFileName[] }
  | { state: 'unusable'; reason: string };

/** Looks (without reading content) at whether a default location holds the four files. */
async function probe(dir: string): Promise<Probe> {
  let entries: string[];
  try {
    entries = await fs.promises.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'unusable', reason: 'does not exist' };
    if (code === 'EACCES' || code === 'EPERM') return { state: 'unusable', reason: 'cannot be read (permission denied)' };
    if (code === 'ENOTDIR') return { state: 'unusable', reason: 'is a file, not a folder' };
    return { state: 'unusable', reason: `cannot be read (${(err as Error).message})` };
  }
  const missing = DATA_FILE_NAMES.filter((n) => !findDataFile(dir, entries, n));
  return missing.length === 0 ? { state: 'complete' } : { state: 'partial', missing };
}

export const FIX_FOR = {
  explicit: (dir: string, via: string) =>
    `Point ${via} (now ${dir}) at a readable folder holding the four good Fashion-MNIST files (replace the bad one), ` +
    `or ${via === 'FASHION_MNIST_DIR' ? 'unset FASHION_MNIST_DIR' : 'drop the folder option'} to use data/, ${SYSTEM_DATA_DIR} or a fresh download`,
  cache: (dir: string) => `Delete it and rerun \`npx fmnist data\` to download it again into ${dir}`,
  system: () =>
    'Reinstall the package (apt-get install --reinstall dataset-fashion-mnist), or set FASHION_MNIST_DIR to a folder holding the four verified files',
};

export async function locateDataset(opts: LocateOptions = {}): Promise<LocatedDataset> {
  const explicit = opts.dir ?? process.env.FASHION_MNIST_DIR;
  if (explicit !== undefined && explicit !== '') {
    const via = opts.dir !== undefined ? 'the folder option' : 'FASHION_MNIST_DIR';
    const dir = path.resolve(explicit);
    const dataset = await readDatasetDir(dir, { fix: FIX_FOR.explicit(dir, via) });
    return { dataset, origin: opts.dir !== undefined ? 'dir option' : 'FASHION_MNIST_DIR' };
  }

  const tried: string[] = ['FASHION_MNIST_DIR: not set'];
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir());
  const systemDir = path.resolve(opts.systemDir ?? SYSTEM_DATA_DIR);

  const cache = await probe(cacheDir);
  if (cache.state === 'complete') {
    return { dataset: await readDatasetDir(cacheDir, { fix: FIX_FOR.cache(cacheDir) }), origin: 'cache' };
  }
  tried.push(`${cacheDir} (download cache): ${describe(cache)}`);

  const system = await probe(systemDir);
  if (system.state === 'complete') {
    return { dataset: await readDatasetDir(systemDir, { fix: FIX_FOR.system() }), origin: 'system' };
  }
  tried.push(`${systemDir} (Debian dataset-fashion-mnist): ${describe(system)}`);

  const mirror = mirrorUrl(opts.mirror);
  if (opts.download === false) {
    tried.push(`download from ${mirror}: skipped (downloads disabled)`);
    throw new DatasetNotFoundError(tried);
  }
  const missing = cache.state === 'partial' ? cache.missing : [...DATA_FILE_NAMES];
  try {
    for (const name of missing) {
      const p = PUBLISHED_FILES.find((f) => f.name === name)!;
      await downloadDataFile({ mirror, name, destDir: cacheDir, expected: p, quiet: opts.quiet });
    }
  } catch (err) {
    tried.push(`download from ${mirror} into ${cacheDir}: ${(err as Error).message}`);
    throw new DatasetNotFoundError(tried);
  }
  return { dataset: await readDatasetDir(cacheDir, { fix: FIX_FOR.cache(cacheDir) }), origin: 'download' };
}

function describe(p: Probe): string {
  if (p.state === 'unusable') return p.reason;
  if (p.state === 'partial') {
    return p.missing.length === DATA_FILE_NAMES.length
      ? 'holds none of the four files'
      : `incomplete (missing ${p.missing.map((n) => `${n}.gz`).join(', ')})`;
  }
  return 'complete';
}
