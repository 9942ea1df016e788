import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readVerifiedRun } from '../src/results/artifacts';
import { dataIdentity } from '../src/results/runtime';
import { loadFixture } from '../src/data/load';
import { backendTail, testBackend } from './backend-helpers';

// Two `fmnist train` processes on the same key at the same time: one trains, the other waits for
// the lock and loads its result; the folder ends complete and self-consistent.

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const fixture = path.join(root, 'test', 'fixtures', 'fashion-mnist');
let tmp: string;

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-concurrent-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function train(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'train', 'cnn3', '--profile', 'smoke', '--epochs', '10', '--json'], {
      env: { ...process.env, FMNIST_RESULTS_DIR: tmp, FASHION_MNIST_DIR: fixture, FMNIST_BACKEND: testBackend() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('two processes training the same model at once', () => {
  it('one trains, the other waits and loads the same result', async () => {
    const [a, b] = await Promise.all([train(), train()]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout.trim());
    const rb = JSON.parse(b.stdout.trim());
    expect([ra.cached, rb.cached].sort()).toEqual([false, true]);
    // The loser really waited on the lock (both started together; training takes seconds).
    const loser = ra.cached ? a : b;
    expect(loser.stderr).toMatch(/waiting for it to finish/);
    expect(loser.stderr).toMatch(/loaded the result another process just saved/);
    expect(rb.cacheKey).toBe(ra.cacheKey);
    expect(rb.test).toEqual(ra.test);
    expect(rb.history).toEqual(ra.history);
    const dir = ra.dir;
    expect(path.relative(tmp, dir)).toBe(path.join(`smoke-e10${backendTail()}-${dataIdentity((await loadFixture()).files)}`, 'paper', 'cnn3'));
    const saved = readVerifiedRun(dir, 'retrain');
    expect(saved?.run.cacheKey).toBe(ra.cacheKey);
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'checkpoint'))).toBe(false);
  });
});
