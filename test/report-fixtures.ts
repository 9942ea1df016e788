import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLEAR_GAPS, CLEAR_ORDER } from './study-fixtures';
import { trainingConfig, type ProfileName } from '../src/training/profiles';
import { committedRuntime } from '../src/results/runtime';
import { artifactDir } from '../src/results/layout';
import { buildStudySummary } from '../src/study/summary';
import { summaryPath } from '../src/study/summary';
import { MODEL_NAMES, type ModelName } from '../src/models/registry';
import type { SplitProtocol } from '../src/data/types';

/**
 * Writes files as a finished run would (every RUN_ARTIFACTS file plus a run.json recording their
 * hashes and sizes), synchronously. `run` fills in run.json's other fields.
 */
export function writeSyntheticRun(dir: string, files: Record<string, string | Buffer>, run: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  const predictions = { format: 'fmnist-predictions-1', split: 'test', protocol: run.protocol ?? 'paper', count: 2, testChecksum: 'synthetic', indicesSha256: 'synthetic', labels: '01', predicted: '01' };
  const all: Record<string, string | Buffer> = {
    'model.json': JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['./weights.bin'], weights: [] }] }),
    'weights.bin': Buffer.alloc(0),
    'predictions.json': JSON.stringify(predictions),
    ...files,
  };
  const artifacts: Record<string, { sha256: string; bytes: number }> = {};
  for (const [name, content] of Object.entries(all)) {
    const b = typeof content === 'string' ? Buffer.from(content) : content;
    fs.writeFileSync(path.join(dir, name), b);
    artifacts[name] = { sha256: createHash('sha256').update(b).digest('hex'), bytes: b.length };
  }
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ format: 'fmnist-run-2', runtime: committedRuntime(), backend: committedRuntime().backend, ...run, artifacts }));
}

const MODELS = MODEL_NAMES;
const PROTOCOLS = ['paper', 'official'] as const;
/** Test and training images of the synthetic runs: accuracies are whole numbers of them. */
export const DISK_TEST = 10_000;
export const DISK_TRAIN = 50_000;
const STUDY_SEEDS = [42, 1, 2, 3, 4];

/**
 * The files of one synthetic run with `testCorrect` of DISK_TEST test images right (the first ones,
 * in predictions.json) and `trainCorrect` of DISK_TRAIN training images, plus `extra` metrics.
 */
function runFiles(protocol: SplitProtocol, model: ModelName, testCorrect: number, trainCorrect: number, extra: { history?: unknown; test?: Record<string, unknown> } = {}): Record<string, string> {
  const labels = Array.from({ length: DISK_TEST }, (_, i) => i % 10);
  const test = testCorrect / DISK_TEST;
  const predictions = {
    format: 'fmnist-predictions-1',
    split: 'test',
    protocol,
    count: DISK_TEST,
    testChecksum: `synthetic-${protocol}`,
    indicesSha256: 'synthetic',
    labels: labels.join(''),
    predicted: labels.map((l, i) => (i < testCorrect ? l : (l + 1) % 10)).join(''),
  };
  return {
    'metrics.json': JSON.stringify({ model, train: { accuracy: trainCorrect / DISK_TRAIN, count: DISK_TRAIN }, test: { accuracy: test, count: DISK_TEST, macroF1: test - 0.002, weightedF1: test - 0.001, ...extra.test } }),
    'history.json': JSON.stringify(extra.history ?? { bestEpoch: 10, restoreBest: true, history: [] }),
    'predictions.json': JSON.stringify(predictions),
  };
}

/** run.json fields beyond the artifacts, as a finished run records them. */
function runRecord(profile: ProfileName, protocol: SplitProtocol, model: ModelName, seed: number, trainSeconds: number, finishedAt: string): Record<string, unknown> {
  return {
    model, protocol, profile, seed, epochs: 10, bestEpoch: 10, cacheKey: `synthetic-${profile}-${protocol}-${model}-${seed}`,
    training: trainingConfig(profile, { model }),
    data: { counts: { train: DISK_TRAIN, val: 10_000, test: DISK_TEST }, checksums: { train: 'synthetic', val: 'synthetic', test: `synthetic-${protocol}` }, files: [] },
    environment: { node: 'v20.0.0', platform: 'linux', arch: 'x64', project: '0.1.0', cpus: 4, memoryBytes: 16 * 2 ** 30 },
    timings: { trainSeconds, evalSeconds: 5, finishedAt, resumedFromEpoch: 0 },
  };
}

/**
 * The seed study's runs of `profile` for every seed but the committed one (whose runs are
 * results/<protocol>/<model>/ for the improved condition, written by writeSyntheticResults), from
 * per-seed accuracies and gaps (CLEAR_ORDER, CLEAR_GAPS by default; index k = STUDY_SEEDS[k]);
 * then its summary.json, built by the study's own code from those runs.
 */
export function writeSyntheticStudy(root: string, opts: { profile?: ProfileName; acc?: Record<string, number[]>; gaps?: Record<string, number[]>; withCommitted?: boolean } = {}): string {
  const profile = opts.profile ?? 'paper';
  const acc = opts.acc ?? CLEAR_ORDER;
  const gaps = opts.gaps ?? CLEAR_GAPS;
  for (const protocol of PROTOCOLS) {
    for (const model of MODELS) {
      STUDY_SEEDS.forEach((seed, k) => {
        if (seed === 42 && !opts.withCommitted) return;
        const testCorrect = Math.round(acc[`${protocol}/${model}`][k] * DISK_TEST);
        const trainCorrect = Math.round((testCorrect / DISK_TEST + gaps[`${protocol}/${model}`][k]) * DISK_TRAIN);
        const dir = artifactDir({ model, profile, protocol, seed, runtime: committedRuntime() }, root);
        writeSyntheticRun(dir, runFiles(protocol, model, testCorrect, trainCorrect), runRecord(profile, protocol, model, seed, 600 + 10 * k, '2025-01-01T08:00:00.000Z'));
      });
    }
  }
  const sel = { profile, protocols: [...PROTOCOLS], models: [...MODELS], seeds: STUDY_SEEDS };
  const file = summaryPath(sel, committedRuntime(), root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(buildStudySummary(sel, committedRuntime(), root)));
  return file;
}

/**
 * Each model's place in the synthetic results (0 = least accurate), by name: a model added to the
 * registry does not compile here until it is placed, instead of silently becoming the most accurate.
 */
const RANK: Record<ModelName, number> = { ann: 0, cnn1: 1, cnn2: 2, cnn3: 3 };

/**
 * Synthetic results shaped like src/results/report.ts's metrics.json, history.json, predictions.json
 * and run.json (accuracies chosen per model to be told apart), and the seed study over them: the
 * committed runs are its seed 42, CLEAR_ORDER / CLEAR_GAPS give seeds 1–4.
 */
export function writeSyntheticResults(root: string, overrides: { skip?: string; noStudy?: boolean } = {}): void {
  for (const model of MODELS) {
    const i = RANK[model];
    for (const [j, protocol] of PROTOCOLS.entries()) {
      const dir = path.join(root, protocol, model);
      if (`${protocol}/${model}` === overrides.skip) continue;
      // ann 0.880 … cnn3 0.910 (+0.001 official); training accuracy 0.05 − 0.01 i above.
      const testCorrect = 8800 + 100 * i + 10 * j;
      const trainCorrect = Math.round((testCorrect / DISK_TEST + 0.05 - 0.01 * i) * DISK_TRAIN);
      const history = { bestEpoch: 2, restoreBest: true, history: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.8, valLoss: 0.5, valAccuracy: epoch === 2 ? 0.9 + 0.001 * i : 0.85, learningRate: 1e-3, seconds: 10 })) };
      writeSyntheticRun(dir, runFiles(protocol, model, testCorrect, trainCorrect, { history }), runRecord('paper', protocol, model, 42, 600 + 60 * i, `2025-01-0${1 + j}T09:00:00.000Z`));
    }
  }
  if (!overrides.noStudy && !overrides.skip) writeSyntheticStudy(root);
  // Notebook 02's PCA summary: 784 variances falling geometrically (90% at 45 components, 95% at 59).
  const raw = Array.from({ length: 784 }, (_, k) => 0.95 ** k);
  const total = raw.reduce((a, b) => a + b, 0);
  fs.mkdirSync(path.join(root, 'pca'), { recursive: true });
  fs.writeFileSync(path.join(root, 'pca', 'summary.json'), JSON.stringify({ format: 'fmnist-pca-1', profile: 'paper', images: 70000, pixels: 784, components90: 45, components95: 59, explained: raw.map((x) => x / total), dataChecksums: {} }));
  fs.writeFileSync(
    path.join(root, 'pipeline-timings.json'),
    JSON.stringify({ profile: 'paper', protocols: ['paper', 'official'], concurrency: 2, startedAt: '2025-01-02T10:00:00.000Z', finishedAt: '2025-01-02T10:30:00.000Z', totalSeconds: 1800, stages: [{ stage: 'notebooks', seconds: 1500 }], notebooks: { 'paper/01-eda': 60, 'paper/02-pca': 90 }, peakMemory: { pssBytes: 1.5 * 2 ** 30, rssSumBytes: 2 * 2 ** 30, samples: 100 }, machine: { cpus: 2, memoryBytes: 24 * 2 ** 30 + 123, platform: 'linux', arch: 'x64', node: 'v20.0.0' }, models: { trained: PROTOCOLS.map((p) => `${p}/cnn3`), cached: PROTOCOLS.flatMap((p) => MODELS.filter((m) => m !== 'cnn3').map((m) => `${p}/${m}`)) } }),
  );
}

/** Replaces one artifact of a synthetic run and re-records its hash, as a run that produced this content would. */
export function rewriteArtifact(file: string, content: string): void {
  const runFile = path.join(path.dirname(file), 'run.json');
  const run = JSON.parse(fs.readFileSync(runFile, 'utf8'));
  const b = Buffer.from(content);
  fs.writeFileSync(file, b);
  run.artifacts[path.basename(file)] = { sha256: createHash('sha256').update(b).digest('hex'), bytes: b.length };
  fs.writeFileSync(runFile, JSON.stringify(run));
}
