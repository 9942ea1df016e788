/**
 * Plain statistics of the images, computed in one pass over raw bytes (0–255): class counts, per-class
 * mean images, the intensity histogram, per-image features, and a seeded pick of sample images per class.
 * Pure functions of the data, so the tests check them against hand-made sets.
 */
import seedrandom from 'seedrandom';
import type { LabelledImages } from '../data/types';
import { NUM_CLASSES, PIXELS } from '../data/types';

/** Images per class (length NUM_CLASSES). Throws on a label outside 0–9. */
export function countByClass(set: LabelledImages): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i];
    if (label >= NUM_CLASSES) throw new Error(`label ${label} at image ${i} is outside 0–${NUM_CLASSES - 1}`);
    counts[label]++;
  }
  return counts;
}

export interface ClassDistribution {
  train: number[];
  test: number[];
  all: number[];
}

/** Class counts of the official training and test files and of both together. */
export function classDistribution(data: { train: LabelledImages; test: LabelledImages }): ClassDistribution {
  const train = countByClass(data.train);
  const test = countByClass(data.test);
  return { train, test, all: train.map((n, k) => n + test[k]) };
}

/** The mean image of each class, in [0, 255] (10 arrays of PIXELS values; NaN-free: an empty class gives zeros). */
export function meanImageByClass(set: LabelledImages): Float64Array[] {
  const sums = Array.from({ length: NUM_CLASSES }, () => new Float64Array(PIXELS));
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < set.count; i++) {
    const sum = sums[set.labels[i]];
    counts[set.labels[i]]++;
    const base = i * PIXELS;
    for (let p = 0; p < PIXELS; p++) sum[p] += set.images[base + p];
  }
  return sums.map((sum, k) => (counts[k] === 0 ? sum : sum.map((v) => v / counts[k])));
}

/** How many pixels take each intensity 0–255, over all images of the set. */
export function intensityHistogram(set: LabelledImages): number[] {
  const counts = new Array<number>(256).fill(0);
  const n = set.count * PIXELS;
  for (let i = 0; i < n; i++) counts[set.images[i]]++;
  return counts;
}

/** Per-image features (intensities scaled to [0, 1]) that the describe() table summarises. */
export interface ImageFeatures {
  /** Mean pixel intensity of each image. */
  meanIntensity: Float64Array;
  /** Standard deviation of the pixel intensities within each image (population form). */
  stdIntensity: Float64Array;
  /** Share of the image's pixels that are not background (intensity > 0): how much of the frame the item covers. */
  inkFraction: Float64Array;
  /** Brightest pixel of each image. */
  maxIntensity: Float64Array;
}

export function imageFeatures(set: LabelledImages): ImageFeatures {
  const f: ImageFeatures = {
    meanIntensity: new Float64Array(set.count),
    stdIntensity: new Float64Array(set.count),
    inkFraction: new Float64Array(set.count),
    maxIntensity: new Float64Array(set.count),
  };
  for (let i = 0; i < set.count; i++) {
    let sum = 0;
    let sumSq = 0;
    let ink = 0;
    let max = 0;
    const base = i * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      const v = set.images[base + p];
      sum += v;
      sumSq += v * v;
      if (v > 0) ink++;
      if (v > max) max = v;
    }
    const mean = sum / PIXELS;
    f.meanIntensity[i] = mean / 255;
    f.stdIntensity[i] = Math.sqrt(Math.max(0, sumSq / PIXELS - mean * mean)) / 255;
    f.inkFraction[i] = ink / PIXELS;
    f.maxIntensity[i] = max / 255;
  }
  return f;
}

/**
 * `perClass` image indices of each class (row k = class k), picked at random with `seed` so the sample
 * grid is the same on every run. Classes with fewer images give what they have.
 */
export function sampleIndicesByClass(set: LabelledImages, perClass: number, seed: number): number[][] {
  const rng = seedrandom(`eda-samples:${seed}`);
  const members: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  for (let i = 0; i < set.count; i++) members[set.labels[i]].push(i);
  return members.map((list) => {
    // partial Fisher–Yates: the first `perClass` entries become a uniform random sample
    const picked = list.slice();
    const n = Math.min(perClass, picked.length);
    for (let j = 0; j < n; j++) {
      const r = j + Math.floor(rng() * (picked.length - j));
      [picked[j], picked[r]] = [picked[r], picked[j]];
    }
    return picked.slice(0, n);
  });
}

/** The pixels of image `index` of `set` (a view, not a copy). */
export function imageAt(set: LabelledImages, index: number): Uint8Array {
  return set.images.subarray(index * PIXELS, (index + 1) * PIXELS);
}
