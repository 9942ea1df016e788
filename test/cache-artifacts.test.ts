import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../src/tf/backend';
import { loadFixture } from '../src/data/load';
import type { FashionMnist } from '../src/data/types';
import { artifactDir } from '../src/results/layout';
import { committedRuntime, dataIdentity } from '../src/results/runtime';
import { modelOfRun, predictionsOfRun, readVerifiedRun } from '../src/results/artifacts';
import { evaluateSaved, loadReport, loadTrainedModel, predict, runData, trainAndEvaluate } from '../src/training/run';
import { accuracy } from '../src/evaluation/metrics';
import { backendTail, testBackend } from './backend-helpers';

let root: string;
let dataset: FashionMnist;
/** The folder-name tail of these runs: the wasm backend and the fixture's data identity. */
let tail: string;
const quiet = { progress: 'silent' as const, log: () => {} };

beforeAll(async () => {
  await initBackend({ backend: testBackend(), quiet: true });
  dataset = await loadFixture();
  tail = `${backendTail()}-${dataIdentity(dataset.files)}`;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-cache-'));
  process.env.FMNIST_RESULTS_DIR = root;
});
afterAll(() => {
  delete process.env.FMNIST_RESULTS_DIR;
  fs.rmSync(root, { recursive: true, force: true });
});

const read = (file: string) => fs.readFileSync(file);

describe('artifact folders', () => {
  it('keep the committed paper results apart from every other variant', () => {
    const runtime = committedRuntime();
    expect(artifactDir({ profile: 'paper', protocol: 'paper', model: 'cnn1', runtime }, '/r')).toBe('/r/paper/cnn1');
    expect(artifactDir({ profile: 'paper', protocol: 'official', model: 'cnn3', seed: 42, epochs: 10, runtime }, '/r')).toBe('/r/official/cnn3');
    expect(artifactDir({ profile: 'paper', protocol: 'official', model: 'cnn1', epochs: 10, runtime }, '/r')).toBe('/r/official/cnn1');
    expect(artifactDir({ profile: 'paper', protocol: 'official', model: 'cnn3', epochs: 15, runtime }, '/r')).toBe('/r/paper-e15/official/cnn3');
    expect(artifactDir({ profile: 'faithful', protocol: 'paper', model: 'cnn2', seed: 3, runtime }, '/r')).toBe('/r/faithful-seed3/paper/cnn2');
    expect(artifactDir({ profile: 'smoke', protocol: 'paper', model: 'ann', runtime }, '/r')).toBe('/r/smoke/paper/ann');
    expect(artifactDir({ profile: 'smoke', protocol: 'paper', model: 'ann', epochs: 3, runtime }, '/r')).toBe('/r/smoke-e3/paper/ann');
    expect(artifactDir({ profile: 'paper', protocol: 'paper', model: 'ann', seed: 7, runtime }, '/r')).toBe('/r/paper-seed7/paper/ann');
    // Every hyper-parameter override names its folder; one equal to the profile's value is none.
    expect(artifactDir({ profile: 'paper', protocol: 'paper', model: 'cnn3', batchSize: 128, learningRate: 5e-4, lrSchedule: 'constant', augmentation: 'none', restoreBest: false, seed: 7, runtime }, '/r')).toBe(
      '/r/paper-b128-lr0.0005-constant-noaug-last-seed7/paper/cnn3',
    );
    expect(artifactDir({ profile: 'paper', protocol: 'paper', model: 'cnn3', batchSize: 64, learningRate: 1e-3, lrSchedule: 'cosine', augmentation: 'hflip', restoreBest: true, runtime }, '/r')).toBe('/r/paper/cnn3');
    expect(artifactDir({ profile: 'smoke', protocol: 'paper', model: 'ann', lrSchedule: 'cosine', restoreBest: true, runtime }, '/r')).toBe('/r/smoke-cosine-best/paper/ann');
  });

  it('reject an override that makes no sense, naming it', () => {
    const runtime = committedRuntime();
    expect(() => artifactDir({ profile: 'paper', protocol: 'paper', model: 'ann', batchSize: 0, runtime }, '/r')).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => artifactDir({ profile: 'paper', protocol: 'paper', model: 'ann', learningRate: -1, runtime }, '/r')).toThrow(/learningRate must be a number between 0 and 1/);
    expect(() => artifactDir({ profile: 'paper', protocol: 'paper', model: 'ann', lrSchedule: 'step' as never, runtime }, '/r')).toThrow(/lrSchedule must be one of constant, cosine, got 'step'/);
  });
});

describe('train → save → cache hit → force', () => {
  const opts = { model: 'ann' as const, profile: 'smoke' as const, protocol: 'paper' as const, epochs: 2, dataset, ...quiet };

  it('trains, writes every artifact with provenance, then loads the same result from the cache', async () => {
    const first = await trainAndEvaluate({ ...opts, dataset });
    expect(first.cached).toBe(false);
    const dir = path.join(root, `smoke-e2${tail}`, 'paper', 'ann');
    expect(first.dir).toBe(dir);
    for (const f of ['model.json', 'weights.bin', 'history.json', 'metrics.json', 'run.json']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'checkpoint'))).toBe(false); // removed once the run is complete
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);

    // The issue 3 §5 shape.
    for (const k of ['model', 'profile', 'protocol', 'seed', 'backend', 'params', 'epochs', 'cached', 'trainSeconds', 'history', 'train', 'test']) expect(first).toHaveProperty(k);
    expect(first.params).toBe(59850);
    expect(first.history).toHaveLength(2);
    expect(first.test.perClass).toHaveLength(10);
    expect(first.test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(first.test.count);
    expect(first.trainTestGap).toBeCloseTo(first.train.accuracy - first.test.accuracy, 12);

    const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ profile: 'smoke', protocol: 'paper', seed: 42, backend: testBackend(), cacheKey: first.cacheKey });
    expect(run.data.checksums.train).toMatch(/^[0-9a-f]{64}$/);
    expect(run.packages['@tensorflow/tfjs']).toBe('4.22.0');
    expect(run.environment.node).toBe(process.version);
    // The engine that trained it (src/training/engine.ts): the native step on node, tfjs' autograd elsewhere.
    expect(run.engine).toMatch(testBackend() === 'node' ? /^tfjs-node native step v1 \(/ : /^tfjs autograd \+ tf\.train\.adam$/);
    expect(run.git).toHaveProperty('commit');
    expect(run.git).toHaveProperty('dirty');
    expect(JSON.stringify(run)).not.toContain(os.hostname());

    const second = await trainAndEvaluate({ ...opts, dataset });
    expect(second.cached).toBe(true);
    expect(second.cacheKey).toBe(first.cacheKey);
    expect(second.test).toEqual(first.test);
    expect(await loadReport('paper', 'ann', 'smoke', { epochs: 2, dataset })).toEqual(second);
  });

  it('--force retrains and, being deterministic, reproduces the same weights and metrics', async () => {
    const dir = path.join(root, `smoke-e2${tail}`, 'paper', 'ann');
    const weightsBefore = read(path.join(dir, 'weights.bin'));
    const metricsBefore = read(path.join(dir, 'metrics.json'));
    const forced = await trainAndEvaluate({ ...opts, dataset, force: true });
    expect(forced.cached).toBe(false);
    expect(read(path.join(dir, 'weights.bin')).equals(weightsBefore)).toBe(true);
    expect(read(path.join(dir, 'metrics.json')).equals(metricsBefore)).toBe(true);
  });

  it('a changed setting is a different key (and folder); a damaged artifact is not trusted', async () => {
    const three = await trainAndEvaluate({ ...opts, dataset, epochs: 3 });
    expect(three.cached).toBe(false);
    expect(three.dir).toBe(path.join(root, `smoke-e3${tail}`, 'paper', 'ann'));
    const base = await loadReport('paper', 'ann', 'smoke', { epochs: 2, dataset });
    expect(three.cacheKey).not.toBe(base.cacheKey);
    const otherSeed = await trainAndEvaluate({ ...opts, dataset, seed: 3 });
    expect(otherSeed.cached).toBe(false);
    expect(otherSeed.cacheKey).not.toBe(base.cacheKey);

    // Flip one byte of the saved weights: the checksum in run.json no longer matches → retrain.
    const weights = path.join(base.dir, 'weights.bin');
    const buf = read(weights);
    buf[100] ^= 0xff;
    fs.writeFileSync(weights, buf);
    const again = await trainAndEvaluate({ ...opts, dataset });
    expect(again.cached).toBe(false);
    expect(again.test).toEqual(base.test);
  });

  it('a hyper-parameter override trains with that value, records it, and is found again by the same override', async () => {
    const run = await trainAndEvaluate({ ...opts, dataset, learningRate: 0.01, augmentation: 'none' });
    expect(run.cached).toBe(false);
    expect(run.dir).toBe(path.join(root, `smoke-e2-lr0.01-noaug${tail}`, 'paper', 'ann'));
    const saved = JSON.parse(fs.readFileSync(path.join(run.dir, 'run.json'), 'utf8'));
    expect(saved.training.optimizer.learningRate).toBe(0.01);
    expect(saved.training.augmentation).toBe('none');
    expect(saved.training.batchSize).toBe(64); // untouched settings stay the profile's
    const base = await loadReport('paper', 'ann', 'smoke', { epochs: 2, dataset });
    expect(run.cacheKey).not.toBe(base.cacheKey);
    // A different learning rate changes the training itself, not just the folder name.
    expect(run.history.map((h) => h.loss)).not.toEqual(base.history.map((h) => h.loss));
    const again = await trainAndEvaluate({ ...opts, dataset, learningRate: 0.01, augmentation: 'none' });
    expect(again.cached).toBe(true);
    expect((await loadReport('paper', 'ann', 'smoke', { epochs: 2, learningRate: 0.01, augmentation: 'none', dataset })).cacheKey).toBe(run.cacheKey);
    await expect(loadReport('paper', 'ann', 'smoke', { learningRate: 0.02, dataset })).rejects.toThrow(/fmnist train ann --protocol paper --profile smoke --learning-rate 0.02/);
  });

  it('evaluate, loadTrainedModel and predict reproduce the saved test scores', async () => {
    const saved = await loadReport('paper', 'ann', 'smoke', { epochs: 2, dataset });
    const evaluated = await evaluateSaved({ model: 'ann', protocol: 'paper', profile: 'smoke', epochs: 2, dataset });
    expect(evaluated.test).toEqual(saved.test);
    const model = await loadTrainedModel('paper', 'ann', 'smoke', { epochs: 2, dataset });
    const data = await runData('paper', 'smoke', 42, dataset);
    const { predicted, probabilities } = await predict(model, data.test);
    expect(probabilities.length).toBe(data.test.count * 10);
    expect(accuracy(data.test.labels, predicted)).toBe(saved.test.accuracy);
    model.dispose();
  });

  it('asking for a result that was never trained says how to make it', async () => {
    await expect(loadReport('official', 'cnn3', 'smoke', { dataset })).rejects.toThrow(/fmnist train cnn3 --protocol official --profile smoke/);
    await expect(loadReport('paper', 'cnn9' as never)).rejects.toThrow(/ann, cnn1, cnn2, cnn3/);
  });
});

describe('per-image test predictions (predictions.json, one more entry of RUN_ARTIFACTS)', () => {
  const opts = { model: 'ann' as const, profile: 'smoke' as const, protocol: 'paper' as const, epochs: 2, ...quiet };
  const verified = (dir: string, weightsOptional = false) => readVerifiedRun(dir, 'retrain it', { weightsOptional });

  it("are saved with the run, hashed in run.json, and equal the saved model's predictions", async () => {
    const report = await trainAndEvaluate({ ...opts, dataset });
    const saved = verified(report.dir)!;
    expect(saved.run.artifacts['predictions.json'].sha256).toMatch(/^[0-9a-f]{64}$/);
    const { file, labels, predicted } = predictionsOfRun(saved);
    expect(file).toMatchObject({ format: 'fmnist-predictions-1', split: 'test', protocol: 'paper', count: report.test.count, testChecksum: saved.run.data.checksums.test });
    const data = await runData('paper', 'smoke', 42, dataset);
    expect(Array.from(labels)).toEqual(Array.from(data.test.labels));
    expect(accuracy(labels, predicted)).toBe(report.test.accuracy);
    const model = await loadTrainedModel('paper', 'ann', 'smoke', { epochs: 2, dataset });
    expect(Array.from((await predict(model, data.test)).predicted)).toEqual(Array.from(predicted));
    model.dispose();
  });

  it('every training seed is tested on the same images (the split is fixed per protocol), with its own predictions', async () => {
    const a = await trainAndEvaluate({ ...opts, dataset, seed: 42 });
    const b = await trainAndEvaluate({ ...opts, dataset, seed: 5 });
    const ra = verified(a.dir)!;
    const rb = verified(b.dir)!;
    expect(rb.run.data.checksums).toEqual(ra.run.data.checksums);
    expect(rb.run.cacheKey).not.toBe(ra.run.cacheKey);
    expect(read(path.join(b.dir, 'weights.bin')).equals(read(path.join(a.dir, 'weights.bin')))).toBe(false);
    const pa = predictionsOfRun(ra);
    const pb = predictionsOfRun(rb);
    expect(pb.file.indicesSha256).toBe(pa.file.indicesSha256);
    expect(pb.file.labels).toBe(pa.file.labels);
  });

  it('a run without its weights (a seed-study run from git) reads with weightsOptional only; a damaged prediction file is refused', async () => {
    const report = await trainAndEvaluate({ ...opts, dataset, seed: 6 });
    for (const f of ['model.json', 'weights.bin']) fs.rmSync(path.join(report.dir, f));
    expect(() => verified(report.dir)).toThrow(/model\.json is missing/);
    const saved = verified(report.dir, true)!;
    expect(saved.metrics.test.accuracy).toBe(report.test.accuracy);
    await expect(modelOfRun(saved)).rejects.toThrow(/not its weights/);
    const file = path.join(report.dir, 'predictions.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"predicted": "', '"predicted": "9'));
    expect(() => verified(report.dir, true)).toThrow(/predictions\.json has \d+ bytes but run\.json records/);
  });
});
