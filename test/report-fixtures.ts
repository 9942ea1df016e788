import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLEAR_ORDER, syntheticStudy } from './study-fixtures';
import { trainingConfig } from '../src/training/profiles';
import { committedRuntime } from '../src/results/runtime';

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

const MODELS = ['ann', 'cnn1', 'cnn2', 'cnn3'] as const;
/** Synthetic results shaped like src/results/report.ts's metrics.json, history.json and run.json (accuracies chosen per model to be told apart). */
export function writeSyntheticResults(root: string, overrides: { skip?: string; noStudy?: boolean } = {}): void {
  if (!overrides.noStudy) {
    fs.mkdirSync(path.join(root, 'study'), { recursive: true });
    fs.writeFileSync(path.join(root, 'study', 'summary.json'), JSON.stringify(syntheticStudy(CLEAR_ORDER)));
  }
  MODELS.forEach((model, i) => {
    for (const [j, protocol] of (['paper', 'official'] as const).entries()) {
      const dir = path.join(root, protocol, model);
      if (`${protocol}/${model}` === overrides.skip) continue;
      const test = 0.88 + 0.01 * i + 0.001 * j; // ann 0.880 … cnn3 0.910 (+0.001 official)
      writeSyntheticRun(
        dir,
        {
          'metrics.json': JSON.stringify({ model, train: { accuracy: test + 0.05 - 0.01 * i }, test: { accuracy: test, macroF1: test - 0.002, weightedF1: test - 0.001 } }),
          'history.json': JSON.stringify({ bestEpoch: 2, restoreBest: true, history: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.8, valLoss: 0.5, valAccuracy: epoch === 2 ? 0.9 + 0.001 * i : 0.85, learningRate: 1e-3, seconds: 10 })) }),
        },
        {
          model, protocol, profile: 'paper', seed: 42, training: trainingConfig('paper', { model }),
          environment: { node: 'v20.0.0', platform: 'linux', arch: 'x64', project: '0.1.0', cpus: 4, memoryBytes: 16 * 2 ** 30 },
          timings: { trainSeconds: 600 + 60 * i, evalSeconds: 5, finishedAt: `2025-01-0${1 + j}T09:00:00.000Z` },
        },
      );
    }
  });
  fs.writeFileSync(
    path.join(root, 'pipeline-timings.json'),
    JSON.stringify({ profile: 'paper', protocols: ['paper', 'official'], concurrency: 2, startedAt: '2025-01-02T10:00:00.000Z', finishedAt: '2025-01-02T10:30:00.000Z', totalSeconds: 1800, stages: [{ stage: 'notebooks', seconds: 1500 }], notebooks: { 'paper/01-eda': 60, 'paper/02-pca': 90 }, peakMemory: { pssBytes: 1.5 * 2 ** 30, rssSumBytes: 2 * 2 ** 30, samples: 100 }, machine: { cpus: 2, memoryBytes: 24 * 2 ** 30 + 123, platform: 'linux', arch: 'x64', node: 'v20.0.0' }, models: { trained: ['paper/cnn3', 'official/cnn3'], cached: ['paper/ann', 'paper/cnn1', 'paper/cnn2', 'official/ann', 'official/cnn1', 'official/cnn2'] } }),
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
