import * as path from 'node:path';
import type { SplitProtocol } from '../data/types';
import type { ModelName } from '../models/architectures';
import { effectiveOverrides, ProfileName, TrainingOverrides } from '../training/profiles';
import { resultsDir } from '../util/paths';
import { committedRuntime, type RuntimeIdentity } from './identity';

/** The seed every command and notebook uses unless told otherwise. */
export const DEFAULT_SEED = 42;

/**
 * The seed of the train/validation/test split (and of the smoke profile's subsets). It is the same
 * for every training seed, so all runs of a protocol are scored on the same test images and can be
 * compared image by image (the seed study, McNemar's test); `seed` varies only the training.
 */
export const SPLIT_SEED = DEFAULT_SEED;

/** Files of one trained model's artifact folder. */
export const ARTIFACT_FILES = {
  modelJson: 'model.json',
  weights: 'weights.bin',
  history: 'history.json',
  metrics: 'metrics.json',
  /** Per-image test labels and predictions (results/predictions.ts). */
  predictions: 'predictions.json',
  run: 'run.json',
  checkpointDir: 'checkpoint',
  lock: '.lock',
} as const;

export interface RunVariant extends TrainingOverrides {
  profile: ProfileName;
  protocol: SplitProtocol;
  model: ModelName;
  seed?: number;
  /** Backend, tfjs version and data of the run (src/results/runtime.ts): part of the folder name unless committed. */
  runtime: RuntimeIdentity;
}

/**
 * The part of a results folder name that says how a run differs from its profile and from the
 * committed runtime, e.g. `-e5-b128-lr0.0005-constant-noaug-last-seed7-wasm-tfjs4.23.0-d1a2b3c4d5e`;
 * '' for the profile's own settings and seed on the committed backend, tfjs version and full data.
 */
/** The part of a folder name that says how a runtime differs from the committed one ('' for the committed runtime). */
export function runtimeSuffix(runtime: RuntimeIdentity): string {
  const c = committedRuntime();
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.]+/g, '_');
  return [
    runtime.backend !== c.backend ? `-${safe(runtime.backend)}` : '',
    runtime.tfjsVersion !== c.tfjsVersion ? `-tfjs${safe(runtime.tfjsVersion)}` : '',
    runtime.data !== c.data ? `-${safe(runtime.data)}` : '',
  ].join('');
}

export function variantSuffix(v: RunVariant): string {
  const o = effectiveOverrides(v.profile, v.model, v);
  const seed = v.seed ?? DEFAULT_SEED;
  return [
    o.epochs !== undefined ? `-e${o.epochs}` : '',
    o.batchSize !== undefined ? `-b${o.batchSize}` : '',
    o.learningRate !== undefined ? `-lr${o.learningRate}` : '',
    o.lrSchedule !== undefined ? `-${o.lrSchedule}` : '',
    o.augmentation !== undefined ? (o.augmentation === 'none' ? '-noaug' : `-${o.augmentation}`) : '',
    o.restoreBest !== undefined ? (o.restoreBest ? '-best' : '-last') : '',
    seed !== DEFAULT_SEED ? `-seed${seed}` : '',
    runtimeSuffix(v.runtime),
  ].join('');
}

/**
 * Where a run's artifacts live: determined by everything in its cache key that can vary between
 * runs of one checkout. The committed full run (profile `paper`, default settings and seed, backend
 * `node`, the pinned tfjs, the verified full dataset) sits at `results/<protocol>/<model>/`; anything
 * else gets its own top-level folder named after what differs (`smoke-wasm-d…/`, `paper-seed7/`,
 * `paper-wasm/`, ...), so a test, an experiment or another machine can never overwrite the committed results.
 */
export function artifactDir(v: RunVariant, root: string = resultsDir()): string {
  const variant = `${v.profile}${variantSuffix(v)}`;
  const parts = variant === 'paper' ? [v.protocol, v.model] : [variant, v.protocol, v.model];
  return path.join(root, ...parts);
}
