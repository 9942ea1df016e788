/**
 * Mean and covariance of images scaled to [0, 1], computed straight from the raw bytes.
 *
 * Why not let ml-pca do it: ml-pca's own paths (SVD of the centred 70,000 × 784 matrix, or its
 * transposed-view matrix product) take minutes to hours in plain JavaScript. Here Σ xᵢxⱼ is accumulated
 * over the non-zero pixels of each image only (about half of Fashion-MNIST's pixels are background 0),
 * in exact integer arithmetic, and the result is handed to ml-pca (`isCovarianceMatrix`), which does the
 * eigen-decomposition. Cross-checked against ml-pca's SVD in test/pca-fit.test.ts.
 */
import type { LabelledImages } from '../data/types';
import { PIXELS } from '../data/types';

export interface MeanCovariance {
  /** Number of images. */
  count: number;
  /** Mean of each pixel, in [0, 1] (length PIXELS). */
  mean: Float64Array;
  /** Sample covariance (n − 1 denominator), PIXELS × PIXELS row-major, in [0, 1]² units. */
  covariance: Float64Array;
}

export function meanAndCovariance(set: LabelledImages): MeanCovariance {
  const n = set.count;
  if (n < 2) throw new Error(`PCA needs at least 2 images, got ${n}`);
  const sums = new Float64Array(PIXELS);
  const cross = new Float64Array(PIXELS * PIXELS); // upper triangle of Σ x xᵀ (raw 0–255 values)
  const idx = new Int32Array(PIXELS);
  const val = new Float64Array(PIXELS);
  for (let i = 0; i < n; i++) {
    const base = i * PIXELS;
    let nnz = 0;
    for (let p = 0; p < PIXELS; p++) {
      const v = set.images[base + p];
      if (v !== 0) {
        idx[nnz] = p;
        val[nnz] = v;
        nnz++;
        sums[p] += v;
      }
    }
    for (let a = 0; a < nnz; a++) {
      const va = val[a];
      const row = idx[a] * PIXELS;
      for (let b = a; b < nnz; b++) cross[row + idx[b]] += va * val[b];
    }
  }
  const scale = 1 / (255 * 255 * (n - 1));
  const covariance = new Float64Array(PIXELS * PIXELS);
  for (let p = 0; p < PIXELS; p++) {
    for (let q = p; q < PIXELS; q++) {
      // Σ (x_p − μ_p)(x_q − μ_q) = Σ x_p x_q − S_p S_q / n
      const c = (cross[p * PIXELS + q] - (sums[p] * sums[q]) / n) * scale;
      covariance[p * PIXELS + q] = c;
      covariance[q * PIXELS + p] = c;
    }
  }
  return { count: n, mean: sums.map((s) => s / n / 255), covariance };
}
