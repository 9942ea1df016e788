/**
 * PCA of Fashion-MNIST with ml-pca: explained variance per component and cumulative, the number of
 * components that reach 90% and 95% of the variance, and projections onto the first components.
 * Images are scaled to [0, 1] and centred (not standardised: every pixel is on the same scale).
 */
import { PCA } from 'ml-pca';
import type { LabelledImages } from '../data/types';
import { PIXELS } from '../data/types';
import { meanAndCovariance } from './covariance';
import { subsetStratified } from '../data/splits';

export interface PcaFit {
  /** The fitted ml-pca model (eigenvectors, eigenvalues, means): `pca.predict(rows)` projects [0, 1]-scaled rows. */
  pca: PCA;
  /** Images the PCA was fitted on. */
  count: number;
  /** Share of the total variance explained by each component, largest first (sums to 1). */
  explained: number[];
  /** Running total of `explained`. */
  cumulative: number[];
  /** Wall-clock seconds: covariance, eigen-decomposition. */
  seconds: { covariance: number; eigen: number };
}

/** Fits a PCA on all images of `set` (for 70,000 images this takes some tens of seconds; see the notebook). */
export function fitPca(set: LabelledImages): PcaFit {
  const t0 = performance.now();
  const { mean, covariance, count } = meanAndCovariance(set);
  const t1 = performance.now();
  const rows: number[][] = [];
  for (let p = 0; p < PIXELS; p++) rows.push(Array.from(covariance.subarray(p * PIXELS, (p + 1) * PIXELS)));
  const fromCov = new PCA(rows, { isCovarianceMatrix: true });
  // A covariance matrix carries no means; rebuild the model with them so predict() centres the data.
  const json = fromCov.toJSON();
  const pca = PCA.load({ ...json, center: true, scale: false, means: Array.from(mean), stdevs: null } as unknown as Parameters<typeof PCA.load>[0]);
  const t2 = performance.now();
  // Tiny negative eigenvalues are rounding noise of a positive semi-definite matrix.
  const eigen = (pca.getEigenvalues() as number[]).map((v) => Math.max(0, v));
  const total = eigen.reduce((a, b) => a + b, 0);
  const explained = eigen.map((v) => v / total);
  return { pca, count, explained, cumulative: cumulativeSum(explained), seconds: { covariance: (t1 - t0) / 1000, eigen: (t2 - t1) / 1000 } };
}

export function cumulativeSum(xs: readonly number[]): number[] {
  let acc = 0;
  return xs.map((x) => (acc += x));
}

/** Smallest number of components whose cumulative explained variance reaches `threshold` (e.g. 0.9). */
export function componentsFor(cumulative: readonly number[], threshold: number): number {
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`threshold must be in (0, 1], got ${threshold}`);
  // 1e-12 tolerance: the last cumulative value is 1 up to rounding.
  const i = cumulative.findIndex((c) => c >= threshold - 1e-12);
  return i < 0 ? cumulative.length : i + 1;
}

/** Projects the images of `set` onto the first `components` principal components (one row per image). */
export function projectImages(fit: PcaFit, set: LabelledImages, components: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < set.count; i++) {
    const row = new Array<number>(PIXELS);
    for (let p = 0; p < PIXELS; p++) row[p] = set.images[i * PIXELS + p] / 255;
    rows.push(row);
  }
  return fit.pca.predict(rows, { nComponents: components }).to2DArray();
}

/**
 * A stratified random sample for the scatter plots: at most `maxPerClass` images of each class (fewer when
 * a class is smaller, as in the smoke fixture), chosen with `seed`. The PCA itself is fitted on all images;
 * only the plotted points are sampled, because tens of thousands of markers make the interactive
 * figures and the notebook file heavy without showing more structure.
 */
export function scatterSample(set: LabelledImages, maxPerClass: number, seed: number): { sample: LabelledImages; perClass: number; note: string } {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < set.count; i++) counts[set.labels[i]]++;
  const perClass = Math.min(maxPerClass, ...counts);
  const sample = subsetStratified(set, perClass, seed);
  return { sample, perClass, note: `a random sample of ${perClass.toLocaleString('en-US')} images per class, ${sample.count.toLocaleString('en-US')} in all` };
}
