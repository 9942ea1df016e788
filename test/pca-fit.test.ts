import { describe, it, expect, beforeAll } from 'vitest';
import { PCA } from 'ml-pca';
import { loadFixture } from '../src/data/load';
import { combinedImages } from '../src/notebook/dataset';
import { meanAndCovariance } from '../src/pca/covariance';
import { fitPca, componentsFor, projectImages, cumulativeSum, scatterSample, type PcaFit } from '../src/pca/fit';
import { explainedVarianceFigure, pcaScatter2dFigure, pcaScatter3dFigure, principalComponentsFigure } from '../src/pca/figures';
import { PIXELS, type LabelledImages } from '../src/data/types';

let set: LabelledImages;
let fit: PcaFit;

beforeAll(async () => {
  set = combinedImages(await loadFixture());
  fit = fitPca(set);
});

/** The scaled data matrix, one row per image. */
function scaledRows(s: LabelledImages): number[][] {
  return Array.from({ length: s.count }, (_, i) => Array.from(s.images.subarray(i * PIXELS, (i + 1) * PIXELS), (v) => v / 255));
}

/** Covariance by the textbook formula on the centred [0,1] data (slow, independent of covariance.ts). */
function naiveCovariance(rows: number[][]): Float64Array {
  const n = rows.length;
  const mean = new Float64Array(PIXELS);
  for (const r of rows) for (let p = 0; p < PIXELS; p++) mean[p] += r[p] / n;
  const cov = new Float64Array(PIXELS * PIXELS);
  const c = new Float64Array(PIXELS);
  for (const r of rows) {
    for (let p = 0; p < PIXELS; p++) c[p] = r[p] - mean[p];
    for (let p = 0; p < PIXELS; p++) {
      if (c[p] === 0) continue;
      for (let q = 0; q < PIXELS; q++) cov[p * PIXELS + q] += (c[p] * c[q]) / (n - 1);
    }
  }
  return cov;
}

/** Largest eigenvalues by power iteration with deflation (a method independent of ml-matrix's EVD/SVD). */
function topEigenvalues(cov: Float64Array, k: number): number[] {
  const a = Float64Array.from(cov);
  const out: number[] = [];
  for (let e = 0; e < k; e++) {
    let v = new Float64Array(PIXELS).map((_, i) => Math.sin(i + 1 + e));
    let lambda = 0;
    for (let it = 0; it < 3000; it++) {
      const w = new Float64Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        let s = 0;
        for (let q = 0; q < PIXELS; q++) s += a[p * PIXELS + q] * v[q];
        w[p] = s;
      }
      const norm = Math.hypot(...w);
      const next = w.map((x) => x / norm);
      const delta = Math.abs(norm - lambda);
      lambda = norm;
      v = next;
      if (delta < 1e-13 * norm) break;
    }
    out.push(lambda);
    for (let p = 0; p < PIXELS; p++) for (let q = 0; q < PIXELS; q++) a[p * PIXELS + q] -= lambda * v[p] * v[q];
  }
  return out;
}

describe('meanAndCovariance', () => {
  it('equals the textbook covariance of the centred [0,1] data', () => {
    const n = 120; // a subset keeps the O(n·784²) reference quick
    const sub: LabelledImages = { count: n, images: set.images.subarray(0, n * PIXELS), labels: set.labels.subarray(0, n) };
    const fast = meanAndCovariance(sub).covariance;
    const slow = naiveCovariance(scaledRows(sub));
    let maxDiff = 0;
    for (let i = 0; i < fast.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fast[i] - slow[i]));
    expect(maxDiff).toBeLessThan(1e-10);
  });

  it('rejects fewer than two images', () => {
    expect(() => meanAndCovariance({ count: 1, images: new Uint8Array(PIXELS), labels: new Uint8Array(1) })).toThrow(/at least 2/);
  });
});

describe('fitPca (ml-pca on our covariance)', () => {
  it('explained variance agrees with ml-pca fitted by SVD on the data matrix itself', () => {
    const svd = new PCA(scaledRows(set)); // ml-pca's default: SVD of the centred data
    const reference = svd.getExplainedVariance();
    for (let i = 0; i < 20; i++) expect(fit.explained[i]).toBeCloseTo(reference[i], 9);
  });

  it('the top eigenvalues agree with power iteration on the covariance', () => {
    const power = topEigenvalues(meanAndCovariance(set).covariance, 3);
    const eig = fit.pca.getEigenvalues() as number[];
    for (let i = 0; i < 3; i++) expect(Math.abs(eig[i] - power[i]) / power[i]).toBeLessThan(1e-6);
  });

  it('explained shares are sorted, sum to 1, and the cumulative curve ends at 1', () => {
    for (let i = 1; i < fit.explained.length; i++) expect(fit.explained[i]).toBeLessThanOrEqual(fit.explained[i - 1] + 1e-15);
    expect(fit.cumulative.at(-1)).toBeCloseTo(1, 12);
  });

  it('projections are centred and their variance along PC1 is the first eigenvalue', () => {
    const pts = projectImages(fit, set, 2);
    const pc1 = pts.map((p) => p[0]);
    const mean = pc1.reduce((a, b) => a + b, 0) / pc1.length;
    const variance = pc1.reduce((a, b) => a + (b - mean) ** 2, 0) / (pc1.length - 1);
    expect(Math.abs(mean)).toBeLessThan(1e-9);
    expect(variance).toBeCloseTo((fit.pca.getEigenvalues() as number[])[0], 9);
  });
});

describe('componentsFor', () => {
  it('returns the smallest count reaching the threshold', () => {
    const cum = cumulativeSum([0.5, 0.3, 0.15, 0.05]);
    expect(componentsFor(cum, 0.5)).toBe(1);
    expect(componentsFor(cum, 0.8)).toBe(2);
    expect(componentsFor(cum, 0.9)).toBe(3);
    expect(componentsFor(cum, 0.95)).toBe(3);
    expect(componentsFor(cum, 1)).toBe(4);
    expect(() => componentsFor(cum, 0)).toThrow(/threshold/);
  });
});

describe('PCA figures', () => {
  it('explained-variance figure marks the 90% and 95% counts it states in the caption', () => {
    const spec = explainedVarianceFigure(fit.explained, fit.cumulative, 50);
    const k90 = componentsFor(fit.cumulative, 0.9);
    const k95 = componentsFor(fit.cumulative, 0.95);
    expect(spec.caption).toContain(`${k90} components reach 90%`);
    expect(spec.caption).toContain(`${k95} reach 95%`);
    expect(spec.data[2].x).toEqual([k90]);
    expect(spec.data[3].x).toEqual([k95]);
  });

  it('scatter figures have one trace per class holding every point once', () => {
    const pts = projectImages(fit, set, 3);
    const two = pcaScatter2dFigure(pts, set.labels, 'all fixture images');
    const three = pcaScatter3dFigure(pts, set.labels, 'all fixture images');
    expect(two.data).toHaveLength(10);
    expect(three.data.every((t) => t.type === 'scatter3d' && Array.isArray(t.z))).toBe(true);
    const total = two.data.reduce((n, t) => n + (t.x as number[]).length, 0);
    expect(total).toBe(set.count);
  });

  it('scatter sample is stratified and clamped to the smallest class', () => {
    const { sample, perClass, note } = scatterSample(set, 1000, 3);
    expect(perClass).toBe(40); // the fixture has 30 + 10 images per class
    expect(sample.count).toBe(400);
    expect(note).toContain('40 images per class');
    expect(scatterSample(set, 5, 3).sample.count).toBe(50);
  });

  it('component images: one tile per component, symmetric colour range', () => {
    const spec = principalComponentsFigure(fit, 10);
    const trace = spec.data[0] as { zmin: number; zmax: number };
    expect(trace.zmin).toBe(-trace.zmax);
    expect((spec.layout.annotations as unknown[]).length).toBe(10);
  });
});
