import * as fs from 'node:fs';
import * as path from 'node:path';

const MODELS = ['ann', 'cnn1', 'cnn2', 'cnn3'] as const;
/** Synthetic results shaped like src/results/report.ts's metrics.json, history.json and run.json (accuracies chosen per model to be told apart). */
export function writeSyntheticResults(root: string, overrides: { skip?: string } = {}): void {
  MODELS.forEach((model, i) => {
    for (const [j, protocol] of (['paper', 'official'] as const).entries()) {
      const dir = path.join(root, protocol, model);
      if (`${protocol}/${model}` === overrides.skip) continue;
      fs.mkdirSync(dir, { recursive: true });
      const test = 0.88 + 0.01 * i + 0.001 * j; // ann 0.880 … cnn3 0.910 (+0.001 official)
      fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ model, train: { accuracy: test + 0.05 - 0.01 * i }, test: { accuracy: test, macroF1: test - 0.002, weightedF1: test - 0.001 } }));
      fs.writeFileSync(
        path.join(dir, 'history.json'),
        JSON.stringify({ bestEpoch: 2, restoreBest: true, history: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.8, valLoss: 0.5, valAccuracy: epoch === 2 ? 0.9 + 0.001 * i : 0.85, learningRate: 1e-3, seconds: 10 })) }),
      );
      fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ format: 'fmnist-run-1', profile: 'paper', seed: 42, backend: 'wasm', environment: { node: 'v20.0.0', platform: 'linux', arch: 'x64', project: '0.1.0', cpus: 4, memoryBytes: 16 * 2 ** 30 }, timings: { trainSeconds: 600 + 60 * i, evalSeconds: 5, finishedAt: `2025-01-0${1 + j}T09:00:00.000Z` } }));
    }
  });
  fs.writeFileSync(
    path.join(root, 'pipeline-timings.json'),
    JSON.stringify({ profile: 'paper', protocols: ['paper', 'official'], concurrency: 2, startedAt: '2025-01-02T10:00:00.000Z', finishedAt: '2025-01-02T10:30:00.000Z', totalSeconds: 1800, stages: [{ stage: 'notebooks', seconds: 1500 }], notebooks: { 'paper/01-eda': 60, 'paper/02-pca': 90 }, peakMemory: { pssBytes: 1.5 * 2 ** 30, rssSumBytes: 2 * 2 ** 30, samples: 100 }, machine: { cpus: 2, memoryBytes: 24 * 2 ** 30 + 123, platform: 'linux', arch: 'x64', node: 'v20.0.0' }, models: { trained: ['paper/cnn3', 'official/cnn3'], cached: ['paper/ann', 'paper/cnn1', 'paper/cnn2', 'official/ann', 'official/cnn1', 'official/cnn2'] } }),
  );
}

