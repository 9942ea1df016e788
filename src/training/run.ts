import * as tf from '@tensorflow/tfjs';
import { CLASS_NAMES } from '../data/classes';
import { parseSplitProtocol } from '../data/splits';
import type { FashionMnist, LabelledImages, SplitProtocol } from '../data/types';
import { accuracy, classificationMetrics } from '../evaluation/metrics';
import { argmaxRows, crossEntropy, predictProbabilities } from '../evaluation/predict';
import { assertModelName, buildModel, ModelName } from '../models/architectures';
import { readSavedRun, reportFromSaved, loadSavedModel, writeArtifacts } from '../results/artifacts';
import { cacheKey } from '../results/cache-key';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from '../results/checkpoint';
import { artifactDir, DEFAULT_SEED } from '../results/layout';
import { displayPath } from '../util/paths';
import { withArtifactLock } from '../results/lock';
import { environment, gitInfo, packageVersions } from '../results/provenance';
import type { MetricsFile, ModelReport, RunFile } from '../results/report';
import { activeBackend, initBackend } from '../tf/backend';
import { RunData, prepareRunData } from './data';
import type { EpochRecord } from './loop';
import { trainModel } from './loop';
import { assertProfileName, effectiveOverrides, ProfileName, trainingConfig, TrainingOverrides } from './profiles';
import { defaultProgress, ProgressSink, silentProgress } from './progress';
import { isValidSeed } from './seeds';

/**
 * One training run. Besides model, profile, protocol and seed, any TrainingOverrides field
 * (epochs, batchSize, learningRate, lrSchedule, augmentation, restoreBest) changes that setting for
 * this run only: it gets its own cache key and results folder, e.g. `results/paper-lr0.0005/…`.
 */
export interface TrainAndEvaluateOptions extends TrainingOverrides {
  model: ModelName;
  /** Default 'paper'. */
  profile?: ProfileName;
  /** Default 'paper'. */
  protocol?: SplitProtocol;
  /** Default DEFAULT_SEED (42). Seeds the split, the initialisation, shuffles and dropout. */
  seed?: number;
  /** Retrain even if a result with the same cache key exists (a checkpoint is discarded too). */
  force?: boolean;
  /** Called after every epoch (after the progress sink). */
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
  /** How to show progress: default a bar on a TTY, else one line per epoch on stderr. */
  progress?: ProgressSink | 'silent';
  /** Use this dataset instead of loading the full one (tests pass the fixture). */
  dataset?: FashionMnist;
  /** Messages such as "loaded from cache" or "waiting for lock" (default: stderr). */
  log?: (message: string) => void;
  /**
   * Whether `log` also gets the outcome ("loaded from cache", the final scores). Default true; notebooks
   * pass false and print one summary that reads the same for a trained and a cached run.
   */
  logOutcome?: boolean;
}

/** How runs are named in progress lines: `cnn3/paper`, or `cnn3/paper/smoke` for another profile. */
export function runLabel(run: { model: string; protocol: string; profile: string }): string {
  return `${run.model}/${run.protocol}${run.profile === 'paper' ? '' : `/${run.profile}`}`;
}

/** A run with its overrides reduced to those that differ from the profile (the fields of RunVariant). */
interface ResolvedRun extends TrainingOverrides {
  model: ModelName;
  profile: ProfileName;
  protocol: SplitProtocol;
  seed: number;
}

function resolve(opts: TrainingOverrides & { model: string; profile?: string; protocol?: string; seed?: number }): ResolvedRun {
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!isValidSeed(seed)) throw new Error(`seed must be a non-negative integer, got ${opts.seed}`);
  const profile = assertProfileName(opts.profile ?? 'paper');
  const model = assertModelName(opts.model);
  return { model, profile, protocol: parseSplitProtocol(opts.protocol ?? 'paper'), seed, ...effectiveOverrides(profile, model, opts) };
}

async function ensureBackend(): Promise<{ name: string; detail: string; tfjsVersion: string }> {
  const info = activeBackend() ?? (await initBackend());
  // Report what tfjs actually runs on (a caller may have switched backends by hand).
  const actual = tf.getBackend();
  const name = actual === 'tensorflow' ? 'node' : actual;
  return { name, detail: name === info.name ? info.detail : `set directly with tf.setBackend('${actual}')`, tfjsVersion: tf.version.tfjs };
}

/** Inference-mode scores of a trained model on the three parts of its split. */
export async function evaluateModel(model: tf.LayersModel, data: Pick<RunData, 'train' | 'val' | 'test'>, batchSize = 1000): Promise<MetricsFile> {
  const trainPred = argmaxRows(await predictProbabilities(model, data.train, batchSize));
  const valProbs = await predictProbabilities(model, data.val, batchSize);
  const valMetrics = classificationMetrics(data.val.labels, argmaxRows(valProbs));
  const test = classificationMetrics(data.test.labels, argmaxRows(await predictProbabilities(model, data.test, batchSize)));
  const train = { accuracy: accuracy(data.train.labels, trainPred), count: data.train.count };
  return {
    train,
    val: { accuracy: valMetrics.accuracy, loss: crossEntropy(valProbs, data.val.labels), macroF1: valMetrics.macroF1, count: data.val.count },
    test,
    trainTestGap: train.accuracy - test.accuracy,
    classNames: CLASS_NAMES,
  };
}

/**
 * Trains (or loads, when an identical run is saved) one model and evaluates it: the single call
 * behind `fmnist train` and the notebooks. Same key → the saved result, `cached: true`. A killed
 * run resumes from its last complete epoch. Concurrent calls for the same key serialise on a lock:
 * the second waits and then loads the first one's result.
 */
export async function trainAndEvaluate(opts: TrainAndEvaluateOptions): Promise<ModelReport> {
  const calledAt = Date.now();
  const r = resolve(opts);
  const log = opts.log ?? ((m: string) => console.error(m));
  const outcome = opts.logOutcome === false ? () => {} : log;
  const label = runLabel(r);
  const backend = await ensureBackend();
  const config = trainingConfig(r.profile, r);
  const data = await prepareRunData(r.protocol, r.seed, config.subset, opts.dataset);
  const model = buildModel(r.model, r.seed);
  try {
    const key = cacheKey({
      model: r.model,
      modelConfig: model.toJSON(undefined, false),
      training: config,
      data: data.checksums,
      protocol: r.protocol,
      seed: r.seed,
    });
    const dir = artifactDir(r);

    // A result saved before this call started only counts when not forced.
    const usable = async () => {
      const saved = await readSavedRun(dir, { expectKey: key, verify: true });
      if (!saved) return undefined;
      if (opts.force && Date.parse(saved.run.timings.finishedAt) < calledAt) return undefined;
      return saved;
    };
    if (!opts.force) {
      const saved = await usable();
      if (saved) {
        outcome(`[${label}] loaded from cache (${displayPath(dir)})`);
        return reportFromSaved(dir, saved, true);
      }
    }

    return await withArtifactLock(
      dir,
      async () => {
        const saved = await usable(); // another process may have finished it while we waited
        if (saved) {
          outcome(`[${label}] loaded the result another process just saved (${displayPath(dir)})`);
          return reportFromSaved(dir, saved, true);
        }
        if (opts.force) await removeCheckpoint(dir);
        const resume = await loadCheckpoint(dir, key, log);
        const startedAt = new Date().toISOString();
        const progress = opts.progress === 'silent' ? silentProgress : (opts.progress ?? defaultProgress());
        const result = await trainModel(model, data, config, {
          seed: r.seed,
          stream: r.model,
          label,
          resume,
          progress,
          onEpoch: opts.onEpoch,
          onCheckpoint: (state) => saveCheckpoint(dir, key, state),
        });
        const evalStart = Date.now();
        const metrics = await evaluateModel(model, data, config.evalBatchSize);
        const evalSeconds = (Date.now() - evalStart) / 1000;
        const trainSeconds = result.history.reduce((s, h) => s + h.seconds, 0);
        const run: Omit<RunFile, 'artifacts'> = {
          format: 'fmnist-run-1',
          model: r.model,
          profile: r.profile,
          protocol: r.protocol,
          seed: r.seed,
          params: model.countParams(),
          epochs: config.epochs,
          bestEpoch: result.bestEpoch,
          cacheKey: key,
          training: config,
          data: {
            counts: { train: data.train.count, val: data.val.count, test: data.test.count },
            checksums: data.checksums,
            files: data.files,
          },
          backend: backend.name,
          backendInfo: backend,
          packages: packageVersions(),
          environment: environment(),
          git: gitInfo(),
          timings: { startedAt, finishedAt: new Date().toISOString(), trainSeconds, evalSeconds, resumedFromEpoch: resume?.epochsDone ?? 0 },
        };
        const history = { bestEpoch: result.bestEpoch, restoreBest: config.restoreBest, history: result.history };
        const written = await writeArtifacts(dir, model, history, metrics, run);
        await removeCheckpoint(dir);
        outcome(
          `[${label}] test accuracy ${metrics.test.accuracy.toFixed(4)}, macro F1 ${metrics.test.macroF1.toFixed(4)}, ` +
            `train accuracy ${metrics.train.accuracy.toFixed(4)} (best epoch ${result.bestEpoch}/${config.epochs}) → ${displayPath(dir)}`,
        );
        return reportFromSaved(dir, { run: written, history, metrics }, false);
      },
      log,
    );
  } finally {
    model.dispose();
  }
}

/** Which saved run: the seed and overrides it was trained with. */
export interface SavedRunSelector extends TrainingOverrides {
  seed?: number;
}

function noSavedRun(r: ResolvedRun, dir: string): Error {
  const flags = [
    `--protocol ${r.protocol}`,
    `--profile ${r.profile}`,
    ...(r.seed !== DEFAULT_SEED ? [`--seed ${r.seed}`] : []),
    ...(r.epochs !== undefined ? [`--epochs ${r.epochs}`] : []),
    ...(r.batchSize !== undefined ? [`--batch-size ${r.batchSize}`] : []),
    ...(r.learningRate !== undefined ? [`--learning-rate ${r.learningRate}`] : []),
    ...(r.lrSchedule !== undefined ? [`--lr-schedule ${r.lrSchedule}`] : []),
    ...(r.augmentation !== undefined ? [`--augmentation ${r.augmentation}`] : []),
    ...(r.restoreBest !== undefined ? [r.restoreBest ? '--restore-best' : '--no-restore-best'] : []),
  ];
  return new Error(`no saved result for ${r.model} in ${dir}; train it first with \`fmnist train ${r.model} ${flags.join(' ')}\``);
}

/** The saved report of a finished run (no training, no data needed). Throws if there is none. */
export async function loadReport(protocol: SplitProtocol, model: ModelName, profile: ProfileName = 'paper', sel: SavedRunSelector = {}): Promise<ModelReport> {
  const r = resolve({ model, profile, protocol, ...sel });
  const dir = artifactDir(r);
  const saved = await readSavedRun(dir);
  if (!saved) throw noSavedRun(r, dir);
  return reportFromSaved(dir, saved, true);
}

/** The saved trained model (for predictions, e.g. the misclassified-images gallery). */
export async function loadTrainedModel(protocol: SplitProtocol, model: ModelName, profile: ProfileName = 'paper', sel: SavedRunSelector = {}): Promise<tf.LayersModel> {
  const r = resolve({ model, profile, protocol, ...sel });
  const dir = artifactDir(r);
  if (!(await readSavedRun(dir))) throw noSavedRun(r, dir);
  await ensureBackend();
  return loadSavedModel(dir);
}

/** Class probabilities (n × 10, row-major) and predicted classes for raw 0–255 images. */
export async function predict(model: tf.LayersModel, set: Pick<LabelledImages, 'count' | 'images'>, batchSize = 1000): Promise<{ probabilities: Float32Array; predicted: Uint8Array }> {
  const probabilities = await predictProbabilities(model, set, batchSize);
  return { probabilities, predicted: argmaxRows(probabilities) };
}

/** The exact train/val/test images a run used (e.g. to show the test images a model got wrong). */
export async function runData(protocol: SplitProtocol, profile: ProfileName = 'paper', seed: number = DEFAULT_SEED, dataset?: FashionMnist): Promise<RunData> {
  return prepareRunData(parseSplitProtocol(protocol), seed, trainingConfig(assertProfileName(profile)).subset, dataset);
}

/**
 * Re-evaluates a saved model on its split without training (`fmnist evaluate`). The returned
 * report carries the freshly computed scores and the saved history.
 */
export async function evaluateSaved(opts: TrainingOverrides & { model: ModelName; protocol?: SplitProtocol; profile?: ProfileName; seed?: number; dataset?: FashionMnist }): Promise<ModelReport> {
  const r = resolve(opts);
  const dir = artifactDir(r);
  const saved = await readSavedRun(dir, { verify: true });
  if (!saved) throw noSavedRun(r, dir);
  const backend = await ensureBackend();
  const model = await loadSavedModel(dir);
  try {
    const data = await prepareRunData(r.protocol, r.seed, saved.run.training.subset, opts.dataset);
    if (data.checksums.test !== saved.run.data.checksums.test) {
      throw new Error(`the test split of ${dir} does not match the data now loaded (different dataset files?); retrain with --force`);
    }
    const metrics = await evaluateModel(model, data, saved.run.training.evalBatchSize);
    return { ...reportFromSaved(dir, { ...saved, metrics }, true), backend: backend.name };
  } finally {
    model.dispose();
  }
}
