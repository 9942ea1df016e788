/**
 * The data a notebook analyses, by profile: the full 70,000 images for `paper`, the committed fixture
 * (a small real stratified subset) for `smoke`, so CI runs the same cells in seconds.
 */
import type { FashionMnist, LabelledImages } from '../data/types';
import { PIXELS } from '../data/types';
import { loadFashionMnist, loadFixture } from '../data/load';
import type { NotebookProfile } from './context';

/** Loads (and verifies) the dataset for `profile`: the full dataset for 'paper', the test fixture for 'smoke'. */
export async function loadNotebookDataset(profile: NotebookProfile): Promise<FashionMnist> {
  return profile === 'paper' ? loadFashionMnist() : loadFixture();
}

/** SHA-256 of each data file, keyed by file name: the `dataChecksums` recorded with every figure. */
export function datasetChecksums(data: Pick<FashionMnist, 'files'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [...data.files].sort((a, b) => a.name.localeCompare(b.name))) out[f.name] = f.sha256;
  return out;
}

/** Training and test images as one set (the 70,000 images the EDA and PCA describe), train first. */
export function combinedImages(data: Pick<FashionMnist, 'train' | 'test'>): LabelledImages {
  const count = data.train.count + data.test.count;
  const images = new Uint8Array(count * PIXELS);
  images.set(data.train.images.subarray(0, data.train.count * PIXELS), 0);
  images.set(data.test.images.subarray(0, data.test.count * PIXELS), data.train.count * PIXELS);
  const labels = new Uint8Array(count);
  labels.set(data.train.labels.subarray(0, data.train.count), 0);
  labels.set(data.test.labels.subarray(0, data.test.count), data.train.count);
  return { count, images, labels };
}
