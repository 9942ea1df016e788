import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/backend';
import { loadFixture } from '../src/data/load';
import type { FashionMnist } from '../src/data/types';
import { cacheKey } from '../src/results/cache-key';
import { artifactDir } from '../src/results/layout';
import { committedRuntime, dataIdentity, FULL_DATA } from '../src/results/runtime';
import { PUBLISHED_FILES } from '../src/data/checksums';
import { evaluateSaved, loadReport, loadTrainedModel, trainAndEvaluate } from '../src/training/run';

// Issue 15 (classes 2-4) and issue 13's cache-key item: a result is found only under everything
// that made it (settings, seed, backend, tfjs version, data) and only when its files match run.json.

let root: string;
let dataset: FashionMnist;
let fixtureData: string;
const logs: string[] = [];
const quiet = { progress: 'silent' as const, log: (m: string) => void logs.push(m) };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  dataset = await loadFixture();
  fixtureData = dataIdentity(dataset.files);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-integrity-'));
  process.env.FMNIST_RESULTS_DIR = root;
});
afterAll(async () => {
  delete process.env.FMNIST_RESULTS_DIR;
  await tf.setBackend('wasm');
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the run identity', () => {
  it('the data identity is "full" only for the four published checksums, verified', () => {
    const published = PUBLISHED_FILES.map((p) => ({ name: p.name, sha256: p.sha256, verified: true }));
    expect(dataIdentity(published)).toBe(FULL_DATA);
    // A checksums.json-certified copy (verified: false) is never the full dataset, even with the published hashes.
    expect(dataIdentity(published.map((f, i) => (i === 3 ? { ...f, verified: false } : f)))).toMatch(/^d[0-9a-f]{10}$/);
    expect(dataIdentity(published.map((f, i) => (i === 3 ? { ...f, sha256: 'ab'.repeat(32) } : f)))).toMatch(/^d[0-9a-f]{10}$/);
    expect(fixtureData).toMatch(/^d[0-9a-f]{10}$/);
    expect(dataIdentity([...dataset.files].reverse())).toBe(fixtureData); // order does not matter
  });

  it('backend, tfjs version and data are part of the cache key and of the folder name', () => {
    const base = { model: 'ann', modelConfig: {}, training: {}, data: { train: 'x' }, protocol: 'paper', seed: 42, backend: 'node', tfjsVersion: '4.22.0' };
    expect(cacheKey({ ...base, backend: 'wasm' })).not.toBe(cacheKey(base));
    expect(cacheKey({ ...base, tfjsVersion: '4.23.0' })).not.toBe(cacheKey(base));
    const c = committedRuntime();
    expect(c.backend).toBe('node');
    const v = { profile: 'paper' as const, protocol: 'paper' as const, model: 'ann' as const };
    expect(artifactDir({ ...v, runtime: c }, '/r')).toBe('/r/paper/ann');
    expect(artifactDir({ ...v, runtime: { ...c, backend: 'wasm' } }, '/r')).toBe('/r/paper-wasm/paper/ann');
    expect(artifactDir({ ...v, runtime: { ...c, tfjsVersion: '4.23.0' } }, '/r')).toBe('/r/paper-tfjs4.23.0/paper/ann');
    expect(artifactDir({ ...v, runtime: { ...c, data: 'd0123456789' } }, '/r')).toBe('/r/paper-d0123456789/paper/ann');
    expect(artifactDir({ ...v, seed: 7, runtime: { backend: 'cpu', tfjsVersion: c.tfjsVersion, data: 'd0123456789' } }, '/r')).toBe('/r/paper-seed7-cpu-d0123456789/paper/ann');
  });
});

describe('a run on other data (15.4)', () => {
  it('never writes the committed folder, even with the paper profile and default settings', async () => {
    const r = await trainAndEvaluate({ model: 'ann', profile: 'paper', protocol: 'paper', dataset, ...quiet });
    expect(r.dir).toBe(path.join(root, `paper-wasm-${fixtureData}`, 'paper', 'ann'));
    expect(fs.existsSync(path.join(root, 'paper'))).toBe(false);
    const run = JSON.parse(fs.readFileSync(path.join(r.dir, 'run.json'), 'utf8'));
    expect(run.runtime).toEqual({ backend: 'wasm', tfjsVersion: tf.version.tfjs, data: fixtureData });
    // The log line says what the result is not.
    expect(logs.some((l) => l.includes(`data ${fixtureData} (not the published dataset)`) && l.includes('test accuracy'))).toBe(true);
  });
});

describe('a result made on another backend (issue 13)', () => {
  it('is not reused: the run on cpu trains into its own folder and leaves the wasm one alone', async () => {
    const opts = { model: 'ann' as const, profile: 'smoke' as const, epochs: 3, dataset, ...quiet };
    const onWasm = await trainAndEvaluate(opts);
    const wasmWeights = fs.readFileSync(path.join(onWasm.dir, 'weights.bin'));
    await tf.setBackend('cpu');
    try {
      const onCpu = await trainAndEvaluate(opts);
      expect(onCpu.cached).toBe(false);
      expect(onCpu.backend).toBe('cpu');
      expect(onCpu.cacheKey).not.toBe(onWasm.cacheKey);
      expect(onCpu.dir).toBe(path.join(root, `smoke-e3-cpu-${fixtureData}`, 'paper', 'ann'));
      expect((await trainAndEvaluate(opts)).cached).toBe(true);
    } finally {
      await tf.setBackend('wasm');
    }
    expect(fs.readFileSync(path.join(onWasm.dir, 'weights.bin')).equals(wasmWeights)).toBe(true);
    expect((await trainAndEvaluate(opts)).cached).toBe(true);
  });
});

describe('a damaged saved result (15.2, 15.3)', () => {
  const opts = () => ({ model: 'ann' as const, profile: 'smoke' as const, epochs: 2, dataset, ...quiet });
  const sel = () => ({ epochs: 2, dataset });
  let dir: string;
  let pristine: Map<string, Buffer>;

  beforeAll(async () => {
    dir = (await trainAndEvaluate(opts())).dir;
    expect(dir).toBe(path.join(root, `smoke-e2-wasm-${fixtureData}`, 'paper', 'ann'));
    pristine = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  });
  const restore = () => {
    for (const [f, b] of pristine) fs.writeFileSync(path.join(dir, f), b);
  };

  const damages: Array<[string, string, (b: Buffer) => Buffer, RegExp]> = [
    ['a truncated weights.bin', 'weights.bin', (b) => b.subarray(0, Math.floor(b.length / 2)), /weights\.bin has \d+ bytes but run\.json records \d+/],
    ['garbage in model.json', 'model.json', (b) => Buffer.from('x'.repeat(b.length)), /model\.json does not match the SHA-256 recorded in run\.json/],
    ['an edited metrics.json', 'metrics.json', (b) => Buffer.from(b.toString().replace(/"accuracy": 0\.(\d)/, (_m, d) => `"accuracy": 0.${(Number(d) + 1) % 10}`)), /metrics\.json does not match the SHA-256/],
    ['garbage in history.json', 'history.json', () => Buffer.from('{'), /history\.json has 1 bytes but run\.json records/],
    ['garbage in run.json', 'run.json', () => Buffer.from('not json'), /run\.json is not valid JSON/],
    ['a missing metrics.json', 'metrics.json', () => Buffer.alloc(0), /metrics\.json is missing/],
  ];

  it.each(damages)('%s: evaluate and loadReport name the file and the fix; train retrains', async (_what, file, damage, message) => {
    restore();
    const target = path.join(dir, file);
    const damaged = damage(fs.readFileSync(target));
    if (damaged.length === 0) fs.rmSync(target);
    else fs.writeFileSync(target, damaged);
    const fix = /Fix: retrain it with `fmnist train ann --protocol paper --profile smoke --epochs 2 --backend wasm --force`/;
    for (const attempt of [evaluateSaved({ model: 'ann', profile: 'smoke', ...sel() }), loadReport('paper', 'ann', 'smoke', sel()), loadTrainedModel('paper', 'ann', 'smoke', sel())]) {
      const err = await attempt.then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(message);
      expect(err?.message).toMatch(fix);
      expect(err?.message).not.toMatch(/no saved result/);
    }
    logs.length = 0;
    const again = await trainAndEvaluate(opts());
    expect(again.cached).toBe(false);
    expect(logs.some((l) => l.includes('damaged') && l.includes(file) && l.includes('training it again'))).toBe(true);
    // Deterministic retraining rewrites the same bytes: the folder is whole again.
    expect(fs.readFileSync(path.join(dir, 'weights.bin')).equals(pristine.get('weights.bin')!)).toBe(true);
    expect((await loadReport('paper', 'ann', 'smoke', sel())).test).toEqual(again.test);
  });
});
