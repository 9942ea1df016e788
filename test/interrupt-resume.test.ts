import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dataIdentity } from '../src/results/runtime';
import { loadFixture } from '../src/data/load';
import { backendTail, testBackend } from './backend-helpers';

// Kills a real `fmnist train` child with SIGKILL after its first checkpoint, reruns it, and checks the
// result is bit-identical to an uninterrupted run (same seed, same backend).

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const fixture = path.join(root, 'test', 'fixtures', 'fashion-mnist');
const args = ['train', 'cnn3', '--profile', 'smoke', '--epochs', '8', '--json'];
let tmp: string;

function env(resultsDir: string): NodeJS.ProcessEnv {
  return { ...process.env, FMNIST_RESULTS_DIR: resultsDir, FASHION_MNIST_DIR: fixture, FMNIST_BACKEND: testBackend(), FMNIST_LOCK_STALE_MS: '2000' };
}

function runToEnd(resultsDir: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { env: env(resultsDir), encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tail = ''; // the folder-name tail of a run on the fixture with the test backend, set in beforeAll
const modelDir = (resultsDir: string) => path.join(resultsDir, `smoke-e8${tail}`, 'paper', 'cnn3');
const withoutSeconds = (h: Array<Record<string, unknown>>) => h.map(({ seconds: _s, cpuSeconds: _c, ...rest }) => rest);

beforeAll(async () => {
  tail = `${backendTail()}-${dataIdentity((await loadFixture()).files)}`;
  // Build dist/ once here so the children below do not race to compile it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-interrupt-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a training run killed mid-way', () => {
  it('leaves no complete-looking artifact, resumes from its last epoch and ends identical to an uninterrupted run', async () => {
    const reference = path.join(tmp, 'reference');
    const ref = runToEnd(reference);
    expect(ref.status, ref.stderr).toBe(0);

    const killed = path.join(tmp, 'killed');
    const stateFile = path.join(modelDir(killed), 'checkpoint', 'state.json');
    const child = spawn(process.execPath, [bin, ...args], { env: env(killed), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Wait for the first complete checkpoint, then kill without warning.
    let epochsAtKill = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        epochsAtKill = JSON.parse(fs.readFileSync(stateFile, 'utf8')).epochsDone;
        if (epochsAtKill >= 1) break;
      } catch {
        /* not written yet */
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(epochsAtKill).toBeGreaterThanOrEqual(1);
    expect(epochsAtKill).toBeLessThan(8);
    expect(stdout).toBe(''); // it never reported a result
    // Nothing claims to be a finished run.
    for (const f of ['run.json', 'metrics.json', 'history.json']) expect(fs.existsSync(path.join(modelDir(killed), f))).toBe(false);

    // Rerun: waits out the dead process's lock (stale after 2 s), resumes, finishes.
    const resumed = runToEnd(killed);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming after epoch \d\/8/);
    const run = JSON.parse(fs.readFileSync(path.join(modelDir(killed), 'run.json'), 'utf8'));
    expect(run.timings.resumedFromEpoch).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(path.join(modelDir(killed), 'checkpoint'))).toBe(false);

    const a = JSON.parse(ref.stdout.trim());
    const b = JSON.parse(resumed.stdout.trim());
    expect(b.cacheKey).toBe(a.cacheKey);
    expect(b.test).toEqual(a.test);
    expect(b.train).toEqual(a.train);
    expect(withoutSeconds(b.history)).toEqual(withoutSeconds(a.history));
    const weights = (dir: string) => fs.readFileSync(path.join(modelDir(dir), 'weights.bin'));
    expect(weights(killed).equals(weights(reference))).toBe(true);
    expect(fs.readFileSync(path.join(modelDir(killed), 'metrics.json')).equals(fs.readFileSync(path.join(modelDir(reference), 'metrics.json')))).toBe(true);
  });
});
