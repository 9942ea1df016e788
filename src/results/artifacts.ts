import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel, saveModel } from '../models/model-io';
import { writeJsonAtomic } from '../util/atomic';
import { sha256Hex } from './cache-key';
import { ARTIFACT_FILES } from './layout';
import { checkPredictions, type PredictionsFile } from './predictions';
import type { HistoryFile, MetricsFile, ModelReport, RunFile } from './report';

/** The files a finished run writes, each listed with its sha256 in run.json's `artifacts`. */
const CHECKED_FILES = [ARTIFACT_FILES.modelJson, ARTIFACT_FILES.weights, ARTIFACT_FILES.history, ARTIFACT_FILES.metrics, ARTIFACT_FILES.predictions];
/**
 * The trained model itself. Only the committed seed's weights are in git (the seed study's other
 * runs keep metrics, history and predictions), so a reader may accept a run whose weights are absent.
 */
const WEIGHT_FILES: readonly string[] = [ARTIFACT_FILES.modelJson, ARTIFACT_FILES.weights];

async function fileSha(file: string): Promise<string> {
  return sha256Hex(await fs.promises.readFile(file));
}

/**
 * Writes a finished run. run.json is the commit record: it is removed first and written last
 * with the checksums of the other files, so a folder with a run.json is always complete and
 * self-consistent, whatever moment a previous writer was killed at.
 */
export async function writeArtifacts(
  dir: string,
  model: tf.LayersModel,
  history: HistoryFile,
  metrics: MetricsFile,
  predictions: PredictionsFile,
  run: Omit<RunFile, 'artifacts'>,
): Promise<RunFile> {
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.rm(path.join(dir, ARTIFACT_FILES.run), { force: true });
  await saveModel(model, dir);
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.history), history);
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.metrics), metrics);
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.predictions), predictions);
  const artifacts: Record<string, string> = {};
  for (const f of CHECKED_FILES) artifacts[f] = await fileSha(path.join(dir, f));
  const full: RunFile = { ...run, artifacts };
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.run), full);
  return full;
}

/**
 * Adds predictions.json to a run saved before runs kept their predictions (computed from its saved
 * model by the caller): the file is written first, then run.json, atomically, with one more artifact.
 */
export async function addPredictions(dir: string, run: RunFile, predictions: PredictionsFile): Promise<RunFile> {
  const file = path.join(dir, ARTIFACT_FILES.predictions);
  await writeJsonAtomic(file, predictions);
  const full: RunFile = { ...run, artifacts: { ...run.artifacts, [ARTIFACT_FILES.predictions]: await fileSha(file) } };
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.run), full);
  return full;
}

/** True when run.json lists predictions.json (runs saved before predictions were kept do not). */
export function hasPredictions(run: RunFile): boolean {
  return ARTIFACT_FILES.predictions in run.artifacts;
}

/** The run's per-image test predictions, checked against run.json's checksum and test split. */
export async function readPredictions(dir: string, run: RunFile): Promise<{ file: PredictionsFile; labels: Uint8Array; predicted: Uint8Array }> {
  const file = path.join(dir, ARTIFACT_FILES.predictions);
  if (!hasPredictions(run)) throw new Error(`${file}: this run was saved before runs kept their test predictions; rerun \`fmnist train\` for it (it adds them from the saved model without retraining)`);
  const bytes = await fs.promises.readFile(file);
  if (sha256Hex(bytes) !== run.artifacts[ARTIFACT_FILES.predictions]) throw new Error(`${file} does not match the checksum in run.json; retrain the run with --force`);
  const parsed = JSON.parse(bytes.toString('utf8')) as PredictionsFile;
  const { labels, predicted } = checkPredictions(parsed, file);
  if (parsed.testChecksum !== run.data.checksums.test) throw new Error(`${file} was made on another test split than run.json records; retrain the run with --force`);
  return { file: parsed, labels, predicted };
}

export interface SavedRun {
  run: RunFile;
  history: HistoryFile;
  metrics: MetricsFile;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.promises.readFile(file, 'utf8')) as T;
}

/**
 * Reads a complete saved run, or undefined if there is none. With `expectKey`, a run for another
 * key counts as none. With `verify`, every file run.json lists must match its checksum; with
 * `weightsOptional` too, absent model files are accepted (a seed-study run from git has none),
 * but files that are present must still match.
 */
export async function readSavedRun(dir: string, opts: { expectKey?: string; verify?: boolean; weightsOptional?: boolean } = {}): Promise<SavedRun | undefined> {
  let run: RunFile;
  try {
    run = await readJson<RunFile>(path.join(dir, ARTIFACT_FILES.run));
  } catch {
    return undefined;
  }
  if (run.format !== 'fmnist-run-1') return undefined;
  if (opts.expectKey !== undefined && run.cacheKey !== opts.expectKey) return undefined;
  try {
    if (opts.verify) {
      for (const [f, sha] of Object.entries(run.artifacts ?? {})) {
        const file = path.join(dir, f);
        if (opts.weightsOptional && WEIGHT_FILES.includes(f) && !fs.existsSync(file)) continue;
        if ((await fileSha(file)) !== sha) return undefined;
      }
      // A run.json that does not list the model files or metrics is not one this code wrote.
      for (const f of [...WEIGHT_FILES, ARTIFACT_FILES.history, ARTIFACT_FILES.metrics]) if (!run.artifacts?.[f]) return undefined;
    }
    const history = await readJson<HistoryFile>(path.join(dir, ARTIFACT_FILES.history));
    const metrics = await readJson<MetricsFile>(path.join(dir, ARTIFACT_FILES.metrics));
    return { run, history, metrics };
  } catch {
    return undefined;
  }
}

export function reportFromSaved(dir: string, saved: SavedRun, cached: boolean): ModelReport {
  const { run, history, metrics } = saved;
  return {
    model: run.model,
    profile: run.profile,
    protocol: run.protocol,
    seed: run.seed,
    backend: run.backend,
    params: run.params,
    epochs: run.epochs,
    bestEpoch: run.bestEpoch,
    cached,
    trainSeconds: run.timings.trainSeconds,
    history: history.history,
    train: metrics.train,
    val: metrics.val,
    test: metrics.test,
    trainTestGap: metrics.trainTestGap,
    cacheKey: run.cacheKey,
    dir,
  };
}

/** True when the run's trained model files are on disk (not only its metrics and predictions). */
export function hasWeights(dir: string): boolean {
  return WEIGHT_FILES.every((f) => fs.existsSync(path.join(dir, f)));
}

export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  if (!hasWeights(dir)) {
    throw new Error(`${dir} holds this run's metrics and predictions but not its weights (only the committed seed's weights are in git); run its \`fmnist train\` command again to retrain it (same seed, same backend: same weights)`);
  }
  return loadModel(dir);
}
