// Notebook 08's analysis beyond the maps: the randomisation sanity check (on the smoke-trained CNN 3),
// Spearman's correlation, the seeded projections, the separation measures, the choice of images, and
// the article's sentences generated from a saved summary.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/tf/backend';
import { loadFixture } from '../src/data/load';
import { PIXELS } from '../src/data/types';
import { loadTrainedModel, runData, trainAndEvaluate } from '../src/training/run';
import { cascadingRandomisation, rankCorrelations, spearman, SANITY_THRESHOLD } from '../src/interpretability/randomisation';
import { gradientSaliency } from '../src/interpretability/saliency';
import { scaledImages, weightedLayersTopDown } from '../src/interpretability/network';
import { pcaProjection, umapProjection } from '../src/interpretability/projection';
import { separation } from '../src/interpretability/separation';
import { confusions, examplesPerClass, firstPerClass, leastSure, meanMap } from '../src/interpretability/examples';
import { INTERPRETABILITY_FORMAT, interpretabilitySummaryPath, writeInterpretabilitySummary, type InterpretabilitySummary } from '../src/interpretability/summary';
import { interpretabilityVariables, listPhrase, NOT_YET_RUN, sanitySentence, separationSentence, tangledSentence, pairSentence } from '../src/report/interpretability-variables';
import { testBackend } from './backend-helpers';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-interp-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('spearman (jStat)', () => {
  it('gives scipy.stats.spearmanr\'s values, ties at their mean rank', () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12); // scipy's documented example
    expect(spearman([0.1, 0.4, 0.4, 0.9, 0.2, 0], [3, 1, 2, 9, 2, 0])).toBeCloseTo(0.5147058823529411, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });
  it('is 0 for a constant map, which ranks nothing', () => {
    expect(spearman([0, 0, 0], [1, 2, 3])).toBe(0);
  });
  it('rankCorrelations compares absolute values image by image', () => {
    const a = Float32Array.from({ length: 2 * PIXELS }, (_, i) => (i % 7) - 3);
    expect(rankCorrelations(a, a.map((v) => -v))).toEqual([1, 1]);
  });
});

describe('cascading randomisation on the smoke-trained CNN 3', () => {
  let model: tf.LayersModel;
  let pixels: Float32Array;
  let classes: number[];
  beforeAll(async () => {
    await initBackend({ backend: testBackend(), quiet: true });
    process.env.FMNIST_RESULTS_DIR = path.join(root, 'results');
    try {
      const dataset = await loadFixture();
      await trainAndEvaluate({ model: 'cnn3', profile: 'smoke', protocol: 'paper', dataset, progress: 'silent', log: () => {} });
      model = await loadTrainedModel('paper', 'cnn3', 'smoke', { dataset });
      const { test } = await runData('paper', 'smoke', 42, dataset);
      const idx = firstPerClass(test.labels.subarray(0, test.count), 1);
      pixels = scaledImages(test.images, idx);
      classes = idx.map((i) => test.labels[i]);
    } finally {
      delete process.env.FMNIST_RESULTS_DIR;
    }
  });

  it('randomises every layer with weights from the output down, then restores the trained weights exactly', async () => {
    expect(weightedLayersTopDown(model)).toEqual(['output', 'dense1', 'conv2', 'conv1']);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const result = await cascadingRandomisation(model, { gradient: (m) => gradientSaliency(m, pixels, classes) }, 7);
    expect(result.steps.map((s) => s.layer)).toEqual(['trained', 'output', 'dense1', 'conv2', 'conv1']);
    expect(result.steps[0].correlation.gradient.mean).toBeCloseTo(1, 12);
    expect(result.images).toBe(10);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  it('fails a method whose maps ignore the model, and passes one that the randomised model changes', async () => {
    const imageItself = async () => pixels.slice(); // a "saliency map" that is the image: the failure Adebayo et al. warn of
    const result = await cascadingRandomisation(model, { image: imageItself, gradient: (m) => gradientSaliency(m, pixels, classes) }, 7);
    expect(result.verdicts.image).toEqual({ final: 1, passed: false });
    expect(result.steps.every((s) => s.correlation.image.mean === 1)).toBe(true);
    expect(result.verdicts.gradient.final).toBeLessThan(SANITY_THRESHOLD);
    expect(result.verdicts.gradient.passed).toBe(true);
  });

  it('is reproducible: the same seed draws the same random weights', async () => {
    const methods = { gradient: (m: tf.LayersModel) => gradientSaliency(m, pixels, classes) };
    const [a, b] = [await cascadingRandomisation(model, methods, 3), await cascadingRandomisation(model, methods, 3)];
    expect(a.steps).toEqual(b.steps);
  });
});

describe('projections', () => {
  // Three well-separated blobs in eight dimensions.
  const rows = Array.from({ length: 60 }, (_, i) => Array.from({ length: 8 }, (_, d) => (d === i % 3 ? 10 : 0) + Math.sin(i * 7.3 + d * 1.1)));
  it('UMAP with the same seed gives the same points; another seed gives others', () => {
    const a = umapProjection(rows, 1, { nEpochs: 50 });
    expect(umapProjection(rows, 1, { nEpochs: 50 })).toEqual(a);
    expect(umapProjection(rows, 2, { nEpochs: 50 })).not.toEqual(a);
    expect(a).toHaveLength(60);
    expect(a[0]).toHaveLength(2);
  });
  it('PCA keeps the blobs apart (k-NN accuracy 1)', () => {
    const labels = rows.map((_, i) => i % 3);
    expect(separation(pcaProjection(rows), labels, 5).knnAccuracy).toBe(1);
  });
});

describe('separation', () => {
  it('silhouette and k-NN on four points, by hand', () => {
    // Class 0 at (0,0), (0,1); class 1 at (3,0), (3,1): a = 1, b = (3 + √10) / 2 for every point.
    const s = separation([[0, 0], [0, 1], [3, 0], [3, 1]], [0, 0, 1, 1], 1);
    const b = (3 + Math.sqrt(10)) / 2;
    expect(s.silhouette).toBeCloseTo((b - 1) / b, 12);
    expect(s.silhouetteByClass.slice(0, 2).map((v) => Number(v.toFixed(12)))).toEqual([Number(((b - 1) / b).toFixed(12)), Number(((b - 1) / b).toFixed(12))]);
    expect(s.knnAccuracy).toBe(1);
    expect(s.knnConfusion[0][0]).toBe(2);
  });
  it('mixed classes: the k-NN vote goes to the neighbours\' class and the silhouette is negative', () => {
    // A lone class-1 point inside a class-0 cluster, and one far away.
    const pts = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5], [9, 9]];
    const s = separation(pts, [0, 0, 0, 0, 1, 1], 3);
    expect(s.knnConfusion[1][0]).toBe(2);
    expect(s.knnRecall[1]).toBe(0);
    expect(s.silhouetteByClass[1]).toBeLessThan(0);
  });
});

describe('choice of images', () => {
  const labels = [0, 0, 1, 1, 0, 6, 6];
  const predicted = [6, 0, 1, 1, 0, 0, 6];
  it('the first correct and first misclassified image of each class, in test order', () => {
    const e = examplesPerClass(labels, predicted);
    expect(e[0]).toEqual({ wrong: { index: 0, label: 0, predicted: 6 }, correct: { index: 1, label: 0, predicted: 0 } });
    expect(e[1].wrong).toBeUndefined();
    expect(firstPerClass(labels, 1)).toEqual([0, 2, 5]);
    expect(confusions(labels, predicted, 6, 0)).toEqual([5]);
  });
  it('least sure: only images whose top two classes are the pair, smallest margin first', () => {
    const p = (pairs: Record<number, number>) => Array.from({ length: 10 }, (_, k) => pairs[k] ?? 0);
    const probs = Float32Array.from([...p({ 0: 0.5, 6: 0.4, 2: 0.1 }), ...p({ 0: 0.45, 2: 0.44, 6: 0.11 }), ...p({ 6: 0.52, 0: 0.48 })]);
    expect(leastSure(probs, [0, 0, 6], [0, 6], 5).map((u) => u.index)).toEqual([2, 0]);
  });
  it('meanMap averages the chosen rows', () => {
    expect(Array.from(meanMap(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, [0, 2])!)).toEqual([3, 4]);
    expect(meanMap(new Float32Array(4), 2, [])).toBeUndefined();
  });
});

/** A summary as notebook 08 writes it, with chosen numbers. */
function summary(over: Partial<InterpretabilitySummary> = {}): InterpretabilitySummary {
  const sep = (representation: 'pixels' | 'ann' | 'cnn3', method: 'pca' | 'umap', knn: number, sil: number) => ({
    representation,
    method,
    k: 10,
    knnAccuracy: knn,
    knnRecall: Array.from({ length: 10 }, (_, c) => (c === 6 ? 0.4 : 0.9)),
    knnConfusion: Array.from({ length: 10 }, (_, c) => Array.from({ length: 10 }, (_, j) => (c === 6 ? [30, 0, 10, 0, 20, 0, 40, 0, 0, 0][j] : j === c ? 100 : 0))),
    silhouette: sil,
    silhouetteByClass: [0.05, 0.8, 0.1, 0.5, 0.02, 0.6, -0.1, 0.7, 0.6, 0.75],
    count: 1000,
  });
  return {
    format: INTERPRETABILITY_FORMAT,
    profile: 'paper',
    protocol: 'paper',
    seed: 42,
    models: { cnn3: { dir: 'results/paper/cnn3', cacheKey: 'k3' }, ann: { dir: 'results/paper/ann', cacheKey: 'ka' } },
    testImages: 14000,
    sanity: {
      layers: ['output', 'dense1', 'conv2', 'conv1'],
      steps: [],
      verdicts: { gradient: { final: 0.12, passed: true }, gradCam: { final: 0.03, passed: true }, occlusion: { final: 0.2, passed: true }, gradientTimesInput: { final: 0.71, passed: false } },
      images: 100,
      threshold: 0.5,
      seed: 42,
    },
    sample: { perClass: 100, count: 1000, seed: 42 },
    separation: [sep('pixels', 'pca', 0.51, -0.05), sep('ann', 'pca', 0.7, 0.1), sep('cnn3', 'pca', 0.75, 0.15), sep('pixels', 'umap', 0.72, 0.1), sep('ann', 'umap', 0.8, 0.2), sep('cnn3', 'umap', 0.86, 0.31)],
    pair: { classes: [0, 6], firstAsSecond: 149, secondAsFirst: 90, leastSureCount: 8 },
    ...over,
  };
}

describe('the article\'s sentences (interpretability.* in _variables.yml)', () => {
  it('name the methods that passed and the one that failed, with their correlations', () => {
    const text = sanitySentence(summary());
    expect(text).toContain('gradient saliency, Grad-CAM and occlusion sensitivity keep a mean rank correlation of 0.12, 0.03 and 0.20');
    expect(text).toContain('below the 0.5 fixed in advance: they pass');
    expect(text).toContain('Gradient × input keeps 0.71 and fails');
    expect(text).not.toContain('narrowly');
    const narrow = summary();
    narrow.sanity.verdicts.gradient = { final: 0.44, passed: true };
    expect(sanitySentence(narrow)).toContain('Gradient saliency passes only narrowly, within 0.1 of the threshold.');
    const allPass = summary();
    allPass.sanity.verdicts.gradientTimesInput = { final: 0.3, passed: true };
    expect(sanitySentence(allPass)).toContain('No method failed the check.');
  });
  it('give the separation in both spaces and say whether CNN 3 separates better, from the numbers', () => {
    const text = separationSentence(summary());
    expect(text).toContain('vote for its own class for 51.0% for the raw pixels, 70.0% for the ANN\'s features and 75.0% for CNN 3\'s');
    expect(text).toContain('by 24.0 points with PCA and 14.0 with UMAP');
    expect(text).toContain('The mean silhouettes (PCA and UMAP) are -0.05 and 0.10 for the pixels, 0.10 and 0.20 for the ANN\'s features and 0.15 and 0.31 for CNN 3\'s.');
    expect(text).toContain("They also separate them better than the ANN's in both.");
    const mixed = summary();
    mixed.separation[2].knnAccuracy = 0.6;
    expect(separationSentence(mixed)).toContain("They separate them better than the ANN's with UMAP but not with PCA.");
    const worse = summary();
    worse.separation[5].knnAccuracy = 0.7;
    expect(separationSentence(worse)).toContain('do not separate the classes better than the pixels in both projections');
  });
  it('name the classes whose neighbours vote for others in CNN 3\'s best projection, and tell a split class from a mixed one', () => {
    const text = tangledSentence(summary());
    expect(text).toContain('(UMAP), the neighbours vote most often for another class for shirts (40.0% voted right), T-shirts/tops (90.0% voted right), trousers (90.0% voted right) and pullovers (90.0% voted right);');
    expect(text).toContain("the shirts' neighbours vote for a T-shirt/top, pullover or coat for 60.0% of them");
    expect(text).toContain('The lowest silhouettes there are those of shirts (-0.10), coats (0.02) and T-shirts/tops (0.05); of these, coats (90.0% voted right) and T-shirts/tops (90.0% voted right) keep neighbours of their own class');
    const upper = summary();
    upper.separation[5].knnRecall = [0.7, 0.95, 0.8, 0.9, 0.75, 0.97, 0.5, 0.96, 0.98, 0.99];
    expect(tangledSentence(upper)).toContain('shirts (50.0% voted right), T-shirts/tops (70.0% voted right), coats (75.0% voted right) and pullovers (80.0% voted right), the four upper-body garments;');
    expect(pairSentence(summary())).toBe('Of the 14,000 test images, CNN 3 takes 149 T-shirts/tops for shirts and 90 shirts for T-shirts/tops.');
  });
  it('come from results/interpretability/paper.json; say so when the notebook has not run; refuse a summary of other models', async () => {
    const dir = path.join(root, 'vars');
    expect(interpretabilityVariables(dir).sanity).toBe(NOT_YET_RUN);
    await writeInterpretabilitySummary(summary(), dir);
    expect(fs.existsSync(interpretabilitySummaryPath('paper', 'paper', dir))).toBe(true);
    const vars = interpretabilityVariables(dir);
    expect(vars.failed_methods).toBe('gradient × input');
    expect(vars.sanity).toBe(sanitySentence(summary()));
    const results = { paper: { cnn3: { run: { cacheKey: 'other' } }, ann: { run: { cacheKey: 'ka' } } } } as unknown as Parameters<typeof interpretabilityVariables>[1];
    expect(() => interpretabilityVariables(dir, results)).toThrow(/explains another CNN 3 than the saved results\/paper\/cnn3[\s\S]*--only 08/);
  });
  it('listPhrase joins with commas and "and"', () => {
    expect([listPhrase(['a']), listPhrase(['a', 'b']), listPhrase(['a', 'b', 'c'])]).toEqual(['a', 'a and b', 'a, b and c']);
  });
});
