/**
 * The model-randomisation sanity check of Adebayo et al. (2018), cascading from the top: the trained
 * weights are replaced by fresh random ones layer by layer, output layer first, and after each step
 * every method's maps are drawn again and compared with the trained model's maps by Spearman's rank
 * correlation of their absolute values. A method whose maps stay the same while the model is
 * destroyed shows something other than what the model learned, and fails the check.
 */
import * as tf from '@tensorflow/tfjs';
import { jStat } from 'jstat';
import { PIXELS } from '../data/types';
import { deriveSeed } from '../training/seeds';
import { weightedLayersTopDown } from './network';

/** A map-drawing method under test: maps (n × 784) of `model` for the images it is given. */
export type MapMethod = (model: tf.LayersModel) => Promise<Float32Array>;

/**
 * Fixed before any result was read: a method passes when, with every layer randomised, the mean rank
 * correlation between its maps and the trained model's is below this (less than half of the ranking survives).
 */
export const SANITY_THRESHOLD = 0.5;

/**
 * Spearman's rank correlation (jStat: Pearson's correlation of the ranks, ties given their mean rank).
 * A constant map ranks nothing, so it shares no ranking with any other: 0.
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Array.from(a);
  const y = Array.from(b);
  if (x.length !== y.length) throw new Error(`spearman: ${x.length} and ${y.length} values`);
  const constant = (v: number[]) => v.every((e) => e === v[0]);
  if (constant(x) || constant(y)) return 0;
  return jStat.spearmancoeff(x, y);
}

/** Per image, the rank correlation of |a| and |b| (both n × 784). */
export function rankCorrelations(a: Float32Array, b: Float32Array): number[] {
  const n = a.length / PIXELS;
  return Array.from({ length: n }, (_, i) => spearman(a.subarray(i * PIXELS, (i + 1) * PIXELS).map(Math.abs), b.subarray(i * PIXELS, (i + 1) * PIXELS).map(Math.abs)));
}

export interface CascadeStep {
  /** 'trained' for the untouched model, else the last layer randomised (all layers above it are too). */
  layer: string;
  /** Per method: the mean, min and max over the images of the rank correlation with the trained maps. */
  correlation: Record<string, { mean: number; min: number; max: number }>;
}

export interface SanityResult {
  layers: string[];
  steps: CascadeStep[];
  /** Per method: the mean correlation once every layer is randomised, and whether it is below SANITY_THRESHOLD. */
  verdicts: Record<string, { final: number; passed: boolean }>;
  images: number;
  threshold: number;
  seed: number;
}

/** New weights for one layer as its initialisers would draw them: Glorot-uniform kernels, zero biases (seeded). */
function randomWeights(layer: tf.layers.Layer, seed: number): tf.Tensor[] {
  return layer.getWeights().map((w, j) =>
    w.rank >= 2 ? tf.initializers.glorotUniform({ seed: deriveSeed(seed, layer.name, j) }).apply(w.shape, 'float32') : tf.zerosLike(w),
  );
}

/**
 * Runs the cascade on `model` (restored to its trained weights afterwards, also on error): the maps of
 * each method for the trained model, then after randomising each layer of `layers` (default: every
 * layer with weights, output first) on top of the ones before.
 */
export async function cascadingRandomisation(model: tf.LayersModel, methods: Record<string, MapMethod>, seed: number, layers: string[] = weightedLayersTopDown(model)): Promise<SanityResult> {
  const saved = new Map(layers.map((name) => [name, model.getLayer(name).getWeights().map((w) => w.clone())]));
  const names = Object.keys(methods);
  const reference: Record<string, Float32Array> = {};
  for (const m of names) reference[m] = await methods[m](model);
  const images = reference[names[0]].length / PIXELS;
  const summary = (xs: number[]) => ({ mean: xs.reduce((s, v) => s + v, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });
  const steps: CascadeStep[] = [{ layer: 'trained', correlation: Object.fromEntries(names.map((m) => [m, summary(rankCorrelations(reference[m], reference[m]))])) }];
  try {
    for (const name of layers) {
      const layer = model.getLayer(name);
      const fresh = randomWeights(layer, seed);
      layer.setWeights(fresh);
      fresh.forEach((t) => t.dispose());
      const correlation: CascadeStep['correlation'] = {};
      for (const m of names) correlation[m] = summary(rankCorrelations(reference[m], await methods[m](model)));
      steps.push({ layer: name, correlation });
    }
  } finally {
    for (const [name, weights] of saved) {
      model.getLayer(name).setWeights(weights);
      weights.forEach((t) => t.dispose());
    }
  }
  const last = steps[steps.length - 1];
  const verdicts = Object.fromEntries(names.map((m) => [m, { final: last.correlation[m].mean, passed: last.correlation[m].mean < SANITY_THRESHOLD }]));
  return { layers, steps, verdicts, images, threshold: SANITY_THRESHOLD, seed };
}
