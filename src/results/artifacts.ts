import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModel, saveModel } from '../models/model-io';
import { writeJsonAtomic } from '../util/atomic';
import { sha256Hex } from './cache-key';
import { ARTIFACT_FILES } from './layout';
import type { HistoryFile, MetricsFile, ModelReport, RunFile } from './report';

const CHECKED_FILES = [ARTIFACT_FILES.modelJson, ARTIFACT_FILES.weights, ARTIFACT_FILES.history, ARTIFACT_FILES.metrics];

async function fileSha(file: string): Promise<string> {
  return sha256Hex(await fs.promises.readFile(file));
}

/**
 * Writes a finished run. run.json is the commit record: it is removed first and written last
 * with the checksums of the other files, so a folder with a run.json is always complete and
 * self-consistent, whatever moment a previous writer was killed at.
 */
export async function writeArtifacts(dir: string, model: tf.LayersModel, history: HistoryFile, metrics: MetricsFile, run: Omit<RunFile, 'artifacts'>): Promise<RunFile> {
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.rm(path.join(dir, ARTIFACT_FILES.run), { force: true });
  await saveModel(model, dir);
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.history), history);
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.metrics), metrics);
  const artifacts: Record<string, string> = {};
  for (const f of CHECKED_FILES) artifacts[f] = await fileSha(path.join(dir, f));
  const full: RunFile = { ...run, artifacts };
  await writeJsonAtomic(path.join(dir, ARTIFACT_FILES.run), full);
  return full;
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
 * key counts as none. With `verify`, every file must match the checksum recorded in run.json.
 */
export async function readSavedRun(dir: string, opts: { expectKey?: string; verify?: boolean } = {}): Promise<SavedRun | undefined> {
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
      for (const f of CHECKED_FILES) if ((await fileSha(path.join(dir, f))) !== run.artifacts[f]) return undefined;
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
    trainedAt: run.timings.finishedAt,
    history: history.history,
    train: metrics.train,
    val: metrics.val,
    test: metrics.test,
    trainTestGap: metrics.trainTestGap,
    cacheKey: run.cacheKey,
    dir,
  };
}

export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  return loadModel(dir);
}
