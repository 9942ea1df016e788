import * as tf from '@tensorflow/tfjs';
import { CLASS_NAMES } from '../data/classes';
import { loadFashionMnist } from '../data/load';
import { parseSplitProtocol } from '../data/splits';
import type { FashionMnist, LabelledImages, SplitProtocol } from '../data/types';
import { accuracy, classificationMetrics } from '../evaluation/metrics';
import { argmaxRows, crossEntropy, predictProbabilities, type BatchHooks } from '../evaluation/predict';
import { buildModel, ModelName } from '../models/architectures';
import { DEFAULT_SEED, SPLIT_SEED } from '../results/layout';
import { predictionsFile, type PredictionsFile } from '../results/predictions';
import { DamagedResultError, modelOfRun, reportFromSaved, resultFiles, ResultWriteError, writeArtifacts, type VerifiedRun } from '../results/artifacts';
import { cacheKey, sha256Hex } from '../results/cache-key';
import { checkpointDir, loadCheckpoint, removeCheckpoint, saveCheckpoint } from '../results/checkpoint';
import { artifactDir } from '../results/layout';
import { displayPath } from '../util/paths';
import { LockWaitAborted, withArtifactLock } from '../results/lock';
import { environment, gitInfo, packageVersions } from '../results/provenance';
import { tensorFlowOneDnnDefault } from '../tf/backend';
import { RUN_FORMAT, type MetricsFile, type ModelReport, type RunFile } from '../results/report';
import { dataIdentity, describeRuntime, FULL_DATA, runningBackend, type RuntimeIdentity } from '../results/runtime';
import { findVerifiedRun, openSavedRun, openVerifiedRun, resolveSettings, type RunSettings } from '../results/saved-runs';
import { RunData, prepareRunData } from './data';
import type { EpochRecord } from './loop';
import { trainModel } from './loop';
import { assertProfileName, ProfileName, trainingConfig, type TrainingConfig, TrainingOverrides } from './profiles';
import { defaultProgress, ProgressSink, silentProgress } from './progress';
import { interruptedLine, StopRequested, stopIfAsked, TrainingInterrupted } from './interrupt';

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
  /**
   * Default DEFAULT_SEED (42). Seeds the initialisation, shuffles, augmentation and dropout; the
   * split is fixed per protocol (SPLIT_SEED), so runs with different seeds share their test images.
   */
  seed?: number;
  /** Retrain even if a result with the same cache key exists (a checkpoint is discarded too). */
  force?: boolean;
  /** Called after every epoch (after the progress sink). */
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
  /**
   * Stops the run at the next batch boundary (training, validation or the final evaluation) with a
   * TrainingInterrupted error saying where; its last checkpoint is kept, so a rerun resumes there.
   */
  signal?: AbortSignal;
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

/** How runs are named in progress lines: `cnn3/paper`, `cnn3/paper/smoke` for another profile, `…/seed7` for another seed. */
export function runLabel(run: { model: string; protocol: string; profile: string; seed?: number }): string {
  return `${run.model}/${run.protocol}${run.profile === 'paper' ? '' : `/${run.profile}`}${run.seed === undefined || run.seed === DEFAULT_SEED ? '' : `/seed${run.seed}`}`;
}

const resolve = resolveSettings;
const ensureBackend = runningBackend;

/** Inference-mode scores of a trained model on the three parts of its split. */
export async function evaluateModel(model: tf.LayersModel, data: Pick<RunData, 'train' | 'val' | 'test'>, batchSize = 1000): Promise<MetricsFile> {
  return (await evaluateWithPredictions(model, data, batchSize)).metrics;
}

/**
 * evaluateModel's scores plus the predicted class of every test image (saved as predictions.json).
 * `hooks` sees the batches of the three splits as one pass (progress, stop requests).
 */
async function evaluateWithPredictions(model: tf.LayersModel, data: Pick<RunData, 'train' | 'val' | 'test'>, batchSize: number, hooks: BatchHooks = {}): Promise<{ metrics: MetricsFile; testPredicted: Uint8Array }> {
  const total = [data.train, data.val, data.test].reduce((n, s) => n + Math.ceil(s.count / batchSize), 0);
  let before = 0; // batches of the splits already predicted
  const pass = async (set: LabelledImages) => {
    const probs = await predictProbabilities(model, set, batchSize, {
      beforeBatch: (b) => hooks.beforeBatch?.(before + b, total),
      afterBatch: (done) => hooks.afterBatch?.(before + done, total),
    });
    before += Math.ceil(set.count / batchSize);
    return probs;
  };
  const trainPred = argmaxRows(await pass(data.train));
  const valProbs = await pass(data.val);
  const valMetrics = classificationMetrics(data.val.labels, argmaxRows(valProbs));
  const testPredicted = argmaxRows(await pass(data.test));
  const test = classificationMetrics(data.test.labels, testPredicted);
  const train = { accuracy: accuracy(data.train.labels, trainPred), count: data.train.count };
  const metrics: MetricsFile = {
    train,
    val: { accuracy: valMetrics.accuracy, loss: crossEntropy(valProbs, data.val.labels), macroF1: valMetrics.macroF1, count: data.val.count },
    test,
    trainTestGap: train.accuracy - test.accuracy,
    classNames: CLASS_NAMES,
  };
  return { metrics, testPredicted };
}

/** predictions.json of a run: the test split's labels and what the model predicted, image by image. */
function testPredictions(data: RunData, predicted: Uint8Array): PredictionsFile {
  const idx = data.test.indices;
  return predictionsFile({
    protocol: data.protocol,
    testChecksum: data.checksums.test,
    indicesSha256: sha256Hex(new Uint8Array(idx.buffer, idx.byteOffset, idx.byteLength)),
    labels: data.test.labels.subarray(0, data.test.count),
    predicted,
  });
}

function runCacheKey(r: RunSettings, config: TrainingConfig, model: tf.LayersModel, data: RunData, runtime: RuntimeIdentity): string {
  return cacheKey({
    model: r.model,
    modelConfig: model.toJSON(undefined, false),
    training: config,
    data: data.checksums,
    protocol: r.protocol,
    seed: r.seed,
    backend: runtime.backend,
    tfjsVersion: runtime.tfjsVersion,
  });
}

/** Where a run lives, its cache key now, and its saved result when that is current. */
export interface RunStatus {
  dir: string;
  key: string;
  runtime: RuntimeIdentity;
  /** The verified saved run when it has this key (weights may be absent); undefined when missing, stale or damaged. */
  saved?: VerifiedRun;
  /** Why a saved run does not count (damaged), for the log. */
  problem?: string;
}

/**
 * Whether the run `trainAndEvaluate(opts)` would make is already saved and current, without
 * training: what the seed study checks before it starts a run (and what lets it resume). A run
 * whose weights are not on disk still counts (the seed study commits only the committed seed's).
 */
export async function runStatus(opts: TrainingOverrides & { model: ModelName; profile?: ProfileName; protocol?: SplitProtocol; seed?: number; dataset?: FashionMnist }): Promise<RunStatus> {
  const r = resolve(opts);
  const backend = await ensureBackend();
  const config = trainingConfig(r.profile, r);
  const data = await prepareRunData(r.protocol, SPLIT_SEED, config.subset, opts.dataset);
  const runtime: RuntimeIdentity = { backend: backend.name, tfjsVersion: backend.tfjsVersion, data: dataIdentity(data.files) };
  const model = buildModel(r.model, r.seed);
  try {
    const key = runCacheKey(r, config, model, data, runtime);
    const variant = { ...r, runtime };
    const dir = artifactDir(variant);
    let saved: VerifiedRun | undefined;
    try {
      saved = findVerifiedRun(variant, { warn: () => {}, weightsOptional: true });
    } catch (err) {
      if (!(err instanceof DamagedResultError)) throw err;
      return { dir, key, runtime, problem: err.message.replace(/ Fix: .*$/, '') };
    }
    return { dir, key, runtime, saved: saved && !saved.legacy && saved.run.cacheKey === key ? saved : undefined };
  } finally {
    model.dispose();
  }
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
  const backend = await ensureBackend();
  const config = trainingConfig(r.profile, r);
  const data = await prepareRunData(r.protocol, SPLIT_SEED, config.subset, opts.dataset);
  const runtime: RuntimeIdentity = { backend: backend.name, tfjsVersion: backend.tfjsVersion, data: dataIdentity(data.files) };
  const label = runLabel(r);
  // Lines that report a result also say what it is not (another backend, tfjs or dataset).
  const resultLabel = `${label}${describeRuntime(runtime)}`;
  const model = buildModel(r.model, r.seed);
  try {
    const key = runCacheKey(r, config, model, data, runtime);
    const variant = { ...r, runtime };
    const dir = artifactDir(variant);

    // A verified result for this key; a damaged one is reported and retrained, never trusted.
    // A result saved before this call started only counts when not forced.
    const usable = async (): Promise<VerifiedRun | undefined> => {
      let saved: VerifiedRun | undefined;
      try {
        saved = findVerifiedRun(variant, { warn: () => {} });
      } catch (err) {
        if (!(err instanceof DamagedResultError)) throw err;
        log(`[${label}] ${err.message.replace(/ Fix: .*$/, '')}; training it again`);
        return undefined;
      }
      if (!saved || saved.legacy || saved.run.cacheKey !== key) return undefined;
      if (opts.force && Date.parse(saved.run.timings.finishedAt) < calledAt) return undefined;
      return saved;
    };
    if (!opts.force) {
      const saved = await usable();
      if (saved) {
        outcome(`[${resultLabel}] loaded from cache (${displayPath(dir)})`);
        return reportFromSaved(dir, saved, true);
      }
    }

    // A later call for this run in this process stops this one (see withArtifactLock), as Kernel ›
    // Interrupt does through opts.signal.
    const stopper = new AbortController();
    const stop = () => stopper.abort();
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    let checkpointEpoch = 0;
    try {
    return await withArtifactLock(
      dir,
      async () => {
        const saved = await usable(); // another process may have finished it while we waited
        if (saved) {
          outcome(`[${resultLabel}] loaded the result another process just saved (${displayPath(dir)})`);
          return reportFromSaved(dir, saved, true);
        }
        if (opts.force) await removeCheckpoint(dir);
        if (runtime.data !== FULL_DATA) {
          const how = data.files.some((f) => f.checksumSource === 'manifest') ? "certified only by its folder's checksums.json" : 'not matching the published checksums';
          log(`[${label}] warning: training on data ${runtime.data} (${how}), not the published Fashion-MNIST; its result goes to ${dir}, never to the committed folders`);
        }
        const resume = await loadCheckpoint(dir, key, log);
        checkpointEpoch = resume?.epochsDone ?? 0;
        const startedAt = new Date().toISOString();
        const progress = opts.progress === 'silent' ? silentProgress : (opts.progress ?? defaultProgress());
        const result = await trainModel(model, data, config, {
          seed: r.seed,
          stream: r.model,
          label,
          resume,
          progress,
          onEpoch: opts.onEpoch,
          onCheckpoint: (state) =>
            saveCheckpoint(dir, key, state).then(
              () => void (checkpointEpoch = state.epochsDone),
              (err: unknown) => {
                throw new ResultWriteError(dir, (err as { path?: string }).path ?? checkpointDir(dir), err, `the training checkpoint of ${resultLabel}`);
              },
            ),
          signal: stopper.signal,
        });
        const evalStart = Date.now();
        const { metrics, testPredicted } = await evaluateWithPredictions(model, data, config.evalBatchSize, {
          beforeBatch: (batch, batches) => stopIfAsked(stopper.signal, () => ({ phase: 'evaluation', epoch: config.epochs, epochs: config.epochs, batch, batches, checkpointEpoch })),
          afterBatch: (done, batches) => progress.evaluation?.({ phase: 'evaluation', done, batches }),
        });
        const evalSeconds = (Date.now() - evalStart) / 1000;
        const trainSeconds = result.history.reduce((s, h) => s + h.seconds, 0);
        // Only when every epoch recorded it (a run resumed from an older checkpoint may lack some).
        const trainCpuSeconds = result.history.every((h) => h.cpuSeconds !== undefined) ? result.history.reduce((s, h) => s + (h.cpuSeconds ?? 0), 0) : undefined;
        const run: Omit<RunFile, 'artifacts'> = {
          format: RUN_FORMAT,
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
          engine: result.engine,
          backendInfo: backend,
          runtime,
          packages: packageVersions(),
          environment: environment(backend.name.startsWith('node') ? tensorFlowOneDnnDefault() : null),
          git: gitInfo(),
          timings: { startedAt, finishedAt: new Date().toISOString(), trainSeconds, ...(trainCpuSeconds !== undefined && { trainCpuSeconds }), evalSeconds, resumedFromEpoch: resume?.epochsDone ?? 0 },
        };
        const history = { bestEpoch: result.bestEpoch, restoreBest: config.restoreBest, history: result.history };
        const written = await writeArtifacts(dir, await resultFiles(model, history, metrics, testPredictions(data, testPredicted)), run, `the ${resultLabel} result`);
        await removeCheckpoint(dir);
        outcome(
          `[${resultLabel}] test accuracy ${metrics.test.accuracy.toFixed(4)}, macro F1 ${metrics.test.macroF1.toFixed(4)}, ` +
            `train accuracy ${metrics.train.accuracy.toFixed(4)} (best epoch ${result.bestEpoch}/${config.epochs}) → ${displayPath(dir)}`,
        );
        return reportFromSaved(dir, { run: written, history, metrics }, false);
      },
      log,
      { stop, signal: stopper.signal },
    );
    } catch (err) {
      if (err instanceof StopRequested) throw new TrainingInterrupted(interruptedLine(label, { ...err.where, checkpointEpoch }, displayPath(dir)), err.where);
      if (err instanceof LockWaitAborted) {
        throw new TrainingInterrupted(`[${label}] interrupted while waiting for another process training into ${displayPath(dir)}; nothing was trained here`, { phase: 'training', epoch: 0, epochs: config.epochs, batch: 0, batches: 0, checkpointEpoch: 0 });
      }
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', stop);
    }
  } finally {
    model.dispose();
  }
}

/**
 * Which saved run: the seed and overrides it was trained with, and on what. By default the runtime
 * of this process (its backend and tfjs, and `dataset` or the dataset loadFashionMnist finds);
 * `runtime: 'committed'` reads the committed results/<protocol>/<model>/.
 */
export interface SavedRunSelector extends TrainingOverrides {
  seed?: number;
  runtime?: RuntimeIdentity | 'committed';
  dataset?: FashionMnist;
}

/** The saved, verified report of a finished run (no training). Throws, naming the file and the fix, if there is none or it is damaged. */
export async function loadReport(protocol: SplitProtocol, model: ModelName, profile: ProfileName = 'paper', sel: SavedRunSelector = {}): Promise<ModelReport> {
  const saved = await openSavedRun({ ...sel, model, profile, protocol });
  return reportFromSaved(saved.dir, saved, true);
}

/** The saved trained model (for predictions, e.g. the misclassified-images gallery), built from its verified files. */
export async function loadTrainedModel(protocol: SplitProtocol, model: ModelName, profile: ProfileName = 'paper', sel: SavedRunSelector = {}): Promise<tf.LayersModel> {
  await ensureBackend();
  return modelOfRun(await openSavedRun({ ...sel, model, profile, protocol }));
}

/** Class probabilities (n × 10, row-major) and predicted classes for raw 0–255 images. */
export async function predict(model: tf.LayersModel, set: Pick<LabelledImages, 'count' | 'images'>, batchSize = 1000): Promise<{ probabilities: Float32Array; predicted: Uint8Array }> {
  const probabilities = await predictProbabilities(model, set, batchSize);
  return { probabilities, predicted: argmaxRows(probabilities) };
}

/**
 * The exact train/val/test images a run used (e.g. to show the test images a model got wrong). The
 * split does not depend on the training seed (SPLIT_SEED); `_seed` is accepted for callers that pass a run's seed.
 */
export async function runData(protocol: SplitProtocol, profile: ProfileName = 'paper', _seed: number = DEFAULT_SEED, dataset?: FashionMnist): Promise<RunData> {
  return prepareRunData(parseSplitProtocol(protocol), SPLIT_SEED, trainingConfig(assertProfileName(profile)).subset, dataset);
}

/**
 * Re-evaluates a saved model on its split without training (`fmnist evaluate`). The returned
 * report carries the freshly computed scores and the saved history.
 */
export async function evaluateSaved(opts: TrainingOverrides & { model: ModelName; protocol?: SplitProtocol; profile?: ProfileName; seed?: number; dataset?: FashionMnist }): Promise<ModelReport> {
  const r = resolve(opts);
  const backend = await ensureBackend();
  const ds = opts.dataset ?? (await loadFashionMnist());
  const runtime: RuntimeIdentity = { backend: backend.name, tfjsVersion: backend.tfjsVersion, data: dataIdentity(ds.files) };
  const saved = openVerifiedRun({ ...r, runtime });
  const dir = saved.dir;
  const model = await modelOfRun(saved);
  try {
    const data = await prepareRunData(r.protocol, SPLIT_SEED, saved.run.training.subset, ds);
    if (data.checksums.test !== saved.run.data.checksums.test) {
      throw new Error(`the test split of ${dir} does not match the data now loaded (different dataset files?); retrain with --force`);
    }
    const metrics = await evaluateModel(model, data, saved.run.training.evalBatchSize);
    return { ...reportFromSaved(dir, { ...saved, metrics }, true), backend: backend.name };
  } finally {
    model.dispose();
  }
}
