import * as path from 'node:path';
import { FashionMnist } from './types';
import { projectRoot } from '../util/paths';
import { locateDataset, LocateOptions, LocatedDataset } from './locate';
import { readDatasetDir } from './dataset-dir';

/**
 * Entry points for notebooks and training code. Results are cached per process (keyed by where
 * the data comes from), so a notebook that calls loadFashionMnist() in several cells reads and
 * verifies the 55 MB once. A failed load is not cached: fix the file and call again.
 */

const cache = new Map<string, Promise<LocatedDataset>>();

function cached(key: string, load: () => Promise<LocatedDataset>): Promise<LocatedDataset> {
  let p = cache.get(key);
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** Finds, verifies and loads the full dataset (see locate.ts for the search order). */
export async function loadFashionMnist(opts: LocateOptions = {}): Promise<FashionMnist> {
  return (await locateFashionMnist(opts)).dataset;
}

/** Like loadFashionMnist, also telling where the data came from (used by `fmnist data`). */
export function locateFashionMnist(opts: LocateOptions = {}): Promise<LocatedDataset> {
  const key = JSON.stringify({
    dir: opts.dir && path.resolve(opts.dir),
    env: process.env.FASHION_MNIST_DIR ?? null,
    cacheDir: opts.cacheDir ?? process.env.FASHION_MNIST_CACHE_DIR ?? null,
    systemDir: opts.systemDir ?? null,
  });
  return cached(key, () => locateDataset(opts));
}

/** The committed fixture: 300 training and 100 test images, a real stratified subset (see fixture.ts). */
export function fixtureDir(): string {
  return path.join(projectRoot(), 'test', 'fixtures', 'fashion-mnist');
}

export async function loadFixture(): Promise<FashionMnist> {
  const dir = fixtureDir();
  const located = await cached(`fixture:${dir}`, async () => ({
    dataset: await readDatasetDir(dir, { fix: 'The committed test fixture is damaged: restore it with `git checkout test/fixtures` or regenerate it with writeFixture()' }),
    origin: 'dir option',
  }));
  return located.dataset;
}

/** Forgets cached datasets (tests; or after replacing files in a long-running notebook). */
export function clearDatasetCache(): void {
  cache.clear();
}
