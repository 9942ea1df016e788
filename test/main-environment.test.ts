import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { mainEnvironmentConflicts } from '../src/pipeline/main-environment';
import { notebookPath, planNotebookJobs } from '../src/pipeline/plan';
import { SYSTEM_DATA_DIR } from '../src/data/locate';
import { readDatasetDir } from '../src/data/dataset-dir';
import { initBackend } from '../src/tf/backend';
import { dataIdentity, FULL_DATA } from '../src/results/runtime';
import { trainAndEvaluate } from '../src/training/run';
import { figuresDir, resultsDir } from '../src/util/paths';

// Issue 15.6 (the user's environment never leaks into the main job) and 15.7 (a checksums.json
// beside the data never certifies the full dataset; its results are named and kept apart).

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-mainenv-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
});

const fmnist = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

describe('the main job and the environment (15.6)', () => {
  it('pins seed, profile, protocol and the result and figure folders for every kernel', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { FMNIST_SEED: '7', FMNIST_PROFILE: 'smoke', FMNIST_PROTOCOL: 'official' });
      for (const job of planNotebookJobs({ profile: 'paper', protocols: ['paper', 'official'] })) {
        expect(job.env).toMatchObject({ FMNIST_SEED: '42', FMNIST_PROFILE: 'paper', FMNIST_RESULTS_DIR: resultsDir() });
        expect(['paper', 'official']).toContain(job.env!.FMNIST_PROTOCOL);
        expect(job.env!.FMNIST_FIGURES_DIR).toBe(job.env!.FMNIST_PROTOCOL === 'paper' ? figuresDir() : path.join(figuresDir(), 'official'));
      }
    } finally {
      for (const k of ['FMNIST_SEED', 'FMNIST_PROFILE', 'FMNIST_PROTOCOL']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('names each conflicting variable and what to do instead', () => {
    const both = { profile: 'paper', protocols: ['paper', 'official'] };
    expect(mainEnvironmentConflicts(both, {})).toEqual([]);
    expect(mainEnvironmentConflicts(both, { FMNIST_SEED: '42', FMNIST_SEED_UNUSED: 'x' })).toEqual([]);
    const [seed] = mainEnvironmentConflicts(both, { FMNIST_SEED: '7' });
    expect(seed).toMatch(/^FMNIST_SEED=7 is set, but the main job always runs the committed seed 42.*unset FMNIST_SEED.*fmnist train <model> --seed 7/);
    expect(mainEnvironmentConflicts(both, { FMNIST_PROFILE: 'smoke' })[0]).toMatch(/FMNIST_PROFILE=smoke .*--profile smoke/);
    expect(mainEnvironmentConflicts(both, { FMNIST_PROTOCOL: 'official' })[0]).toMatch(/FMNIST_PROTOCOL=official .*--protocol official/);
    expect(mainEnvironmentConflicts({ profile: 'paper', protocols: ['official'] }, { FMNIST_PROTOCOL: 'official' })).toEqual([]);
  });

  it('`FMNIST_SEED=7 fmnist main --only 03-ann` refuses, naming it, and leaves the committed notebook alone', () => {
    const before = fs.readFileSync(notebookPath('03-ann'));
    const r = fmnist(['main', '--only', '03-ann', '--no-render'], { FMNIST_SEED: '7', FMNIST_RESULTS_DIR: path.join(tmp, 'r'), FMNIST_FIGURES_DIR: path.join(tmp, 'f') });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/fmnist: the main job will not run with a conflicting environment:\n\s+FMNIST_SEED=7 is set/);
    expect(fs.readFileSync(notebookPath('03-ann')).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'r'))).toBe(false);
  });
});

/** The published dataset with `relabel` test labels changed, plus a checksums.json that vouches for the changed file. */
function relabelledCopy(dir: string, relabel: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(SYSTEM_DATA_DIR)) if (!f.startsWith('t10k-labels')) fs.symlinkSync(path.join(SYSTEM_DATA_DIR, f), path.join(dir, f));
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(SYSTEM_DATA_DIR, 't10k-labels-idx1-ubyte.gz')));
  for (let i = 0; i < relabel; i++) labels[8 + i] = (labels[8 + i] + 1) % 10;
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), labels);
  const entry = { sha256: createHash('sha256').update(labels).digest('hex'), bytes: labels.length };
  fs.writeFileSync(path.join(dir, 'checksums.json'), JSON.stringify({ files: { 't10k-labels-idx1-ubyte': entry } }));
}

describe.runIf(fs.existsSync(SYSTEM_DATA_DIR))('a checksums.json beside the data (15.7)', () => {
  const dir = path.join(tmp, 'relabelled');
  beforeAll(() => relabelledCopy(dir, 5_000));

  it('never certifies the full dataset: the data gets its own identity and its runs their own folder, said on every result line', async () => {
    const ds = await readDatasetDir(dir);
    expect(ds.test.count).toBe(10_000);
    const id = dataIdentity(ds.files);
    expect(id).not.toBe(FULL_DATA);
    await initBackend({ backend: 'wasm', quiet: true });
    const logs: string[] = [];
    process.env.FMNIST_RESULTS_DIR = path.join(tmp, 'results');
    try {
      const r = await trainAndEvaluate({ model: 'ann', profile: 'smoke', dataset: ds, progress: 'silent', log: (m) => logs.push(m) });
      expect(r.dir).toBe(path.join(tmp, 'results', `smoke-wasm-${id}`, 'paper', 'ann'));
      expect(r.runtime.data).toBe(id);
      expect(logs.join('\n')).toMatch(new RegExp(`warning: training on data ${id} \\(certified only by its folder's checksums.json\\), not the published Fashion-MNIST`));
      expect(logs.find((l) => l.includes('test accuracy'))).toContain(`data ${id} (not the published dataset)`);
      const again: string[] = [];
      await trainAndEvaluate({ model: 'ann', profile: 'smoke', dataset: ds, progress: 'silent', log: (m) => again.push(m) });
      expect(again.find((l) => l.includes('loaded from cache'))).toContain(`data ${id} (not the published dataset)`);
    } finally {
      delete process.env.FMNIST_RESULTS_DIR;
    }
  });

  it('the main job refuses it (it would rewrite the committed notebooks and report)', () => {
    const before = fs.readFileSync(notebookPath('03-ann'));
    const r = fmnist(['main', '--only', '03-ann', '--no-render'], { FASHION_MNIST_DIR: dir, FMNIST_RESULTS_DIR: path.join(tmp, 'r2'), FMNIST_FIGURES_DIR: path.join(tmp, 'f2') });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/the main job makes the committed report from the published Fashion-MNIST, but the data in .*relabelled .*t10k-labels-idx1-ubyte: certified only by the folder's checksums.json.*fmnist main --profile smoke/);
    expect(fs.readFileSync(notebookPath('03-ann')).equals(before)).toBe(true);
  });
});
