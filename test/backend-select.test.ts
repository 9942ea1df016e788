import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { activeBackend, initBackend, nodeThreads, requestedBackend } from '../src/tf/backend';
import { nativeBackendBuilt } from './backend-helpers';

const root = path.resolve(__dirname, '..');
let tmp: string;

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-backend-'));
  // Preloads that make this machine look like one where tfjs-node is absent, or installed unbuilt.
  fs.writeFileSync(
    path.join(tmp, 'no-tfjs-node.js'),
    `const Module = require('module'); const resolve = Module._resolveFilename;
     Module._resolveFilename = function (request, ...rest) {
       if (request === '@tensorflow/tfjs-node') { const e = new Error("Cannot find module '@tensorflow/tfjs-node'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
       return resolve.call(this, request, ...rest);
     };`,
  );
  fs.writeFileSync(
    path.join(tmp, 'no-binding.js'),
    `const fs = require('fs'); const exists = fs.existsSync;
     fs.existsSync = (p) => (String(p).endsWith('tfjs_binding.node') ? false : exists(p));`,
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** initBackend() in a fresh Node process (the compiled dist/), as the CLI and notebooks call it. */
function initInChild(env: Record<string, string | undefined>, preload?: string) {
  const script = `require(${JSON.stringify(path.join(root, 'dist', 'tf', 'backend.js'))}).initBackend()
    .then((info) => console.log(JSON.stringify(info)), (err) => { console.error('ERROR: ' + err.message); process.exit(3); });`;
  const args = [...(preload ? ['-r', path.join(tmp, preload)] : []), '-e', script];
  const r = spawnSync(process.execPath, args, { env: { ...process.env, FMNIST_BACKEND: undefined, TF_CPP_MIN_LOG_LEVEL: undefined, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('FMNIST_BACKEND=node fails clearly when the native backend is missing', () => {
  it('tfjs-node not installed: says so and how to fix it', () => {
    const r = initInChild({ FMNIST_BACKEND: 'node' }, 'no-tfjs-node.js');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /ERROR: FMNIST_BACKEND=node but the node backend is unavailable: tfjs-node not installed\. Fix: run `bash scripts\/bootstrap\.sh`.*tensorflow-cpu wheel on PyPI.*FMNIST_BACKEND=wasm/,
    );
  });

  it('tfjs-node installed but its binding never built (its download failed): says so', () => {
    const r = initInChild({ FMNIST_BACKEND: 'node' }, 'no-binding.js');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/FMNIST_BACKEND=node but the node backend is unavailable: tfjs-node is installed but its native binding was never built\. Fix: run `bash scripts\/bootstrap\.sh`/);
  });

  it('without FMNIST_BACKEND the same machine falls back to wasm and says why, on stdout', () => {
    const r = initInChild({}, 'no-binding.js');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(info.name).toBe('wasm');
    expect(r.stdout).toMatch(/^\[tfjs\] backend: wasm \(node unavailable \(tfjs-node is installed but its native binding was never built\); using wasm; (no )?SIMD/);
    expect(r.stderr).toBe('');
  });
});

describe.skipIf(!nativeBackendBuilt())('the native backend, where it is built', () => {
  it('is the default, reports TensorFlow and its threads on stdout, and TensorFlow prints nothing on stderr', () => {
    const r = initInChild({ FMNIST_NODE_THREADS: '1' });
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(info.name).toBe('node');
    expect(info.detail).toMatch(/^first choice; tfjs-node 4\.22\.0, TensorFlow 2\.\d+\.\d+, 1 thread(, oneDNN on by TensorFlow's default for this CPU)?$/);
    expect(r.stdout.split('\n')[0]).toBe(`[tfjs] backend: node (${info.detail})`);
    // No absl / oneDNN start-up notices, no tfjs banners.
    expect(r.stderr).toBe('');
  });

  // TF_ENABLE_ONEDNN_OPTS=1 makes TensorFlow print its oneDNN notice on any CPU that supports it;
  // 0 silences it. Either way nothing reaches stderr, and the backend says whether oneDNN is on.
  it.each([
    ['1', true],
    ['0', false],
  ])('TF_ENABLE_ONEDNN_OPTS=%s: nothing on stderr, and the detail says whether oneDNN is on', (opts, on) => {
    const r = initInChild({ FMNIST_NODE_THREADS: '1', TF_ENABLE_ONEDNN_OPTS: opts });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.includes("oneDNN on by TensorFlow's default for this CPU")).toBe(on);
  });

  it('FMNIST_TF_NOTICES=show lets the notice through (so the test above can fail)', () => {
    const r = initInChild({ FMNIST_NODE_THREADS: '1', TF_ENABLE_ONEDNN_OPTS: '1', FMNIST_TF_NOTICES: 'show' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/oneDNN custom operations are on/);
  });

  it('FMNIST_NODE_THREADS sets the thread count; a bad value fails clearly', () => {
    expect(initInChild({ FMNIST_NODE_THREADS: '2' }).stdout).toMatch(/TensorFlow 2\.\d+\.\d+, 2 threads(\)|, oneDNN)/);
    const bad = initInChild({ FMNIST_NODE_THREADS: 'two' });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/FMNIST_NODE_THREADS=two is not a thread count; give a whole number of at least 1/);
  });
});

describe('nodeThreads', () => {
  it('defaults to every core and validates the setting', () => {
    expect(nodeThreads({})).toBe(os.availableParallelism());
    expect(nodeThreads({ FMNIST_NODE_THREADS: '3' })).toBe(3);
    expect(() => nodeThreads({ FMNIST_NODE_THREADS: '0' })).toThrow(/FMNIST_NODE_THREADS=0 is not a thread count/);
    expect(() => nodeThreads({ FMNIST_NODE_THREADS: '1.5' })).toThrow(/not a thread count/);
  });
});

// In this process. Order matters: initBackend is idempotent once it succeeds, so the failing cases run first.
describe('initBackend', () => {
  const saved = process.env.FMNIST_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.FMNIST_BACKEND;
    else process.env.FMNIST_BACKEND = saved;
    vi.restoreAllMocks();
  });

  it('an invalid FMNIST_BACKEND lists the valid values', async () => {
    process.env.FMNIST_BACKEND = 'gpu';
    await expect(initBackend({ quiet: true })).rejects.toThrow('FMNIST_BACKEND=gpu is not a valid backend; use one of: node, node-onednn, wasm, cpu');
    expect(() => requestedBackend({ backend: 'tpu' as never })).toThrow(/backend option=tpu.*node, node-onednn, wasm, cpu/);
    expect(requestedBackend({ backend: 'cpu' })).toBe('cpu');
    expect(activeBackend()).toBeUndefined();
  });

  it('picks the fastest available backend, says why on one stdout line, and is idempotent', async () => {
    delete process.env.FMNIST_BACKEND;
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const warn = vi.spyOn(console, 'warn');
    const info = await initBackend();
    const expected = nativeBackendBuilt() ? 'node' : 'wasm';
    expect(info.name).toBe(expected);
    expect(info.tfjsVersion).toBe(tf.version.tfjs);
    if (expected === 'wasm') {
      expect(info.detail).toMatch(/^node unavailable \(tfjs-node (not installed|is installed but its native binding was never built)\); using wasm; (no )?SIMD/);
      expect(tf.getBackend()).toBe('wasm');
    } else {
      expect(tf.getBackend()).toBe('tensorflow');
    }
    expect(lines).toEqual([`[tfjs] backend: ${info.name} (${info.detail})\n`]);

    const again = await initBackend({ backend: 'cpu' });
    expect(again).toBe(info); // first choice wins; no second line
    expect(lines).toHaveLength(1);
    expect(activeBackend()).toBe(info);

    // Using tfjs (including the cpu backend, for comparisons) prints no banners or warnings.
    tf.tidy(() => tf.add(tf.ones([2]), tf.ones([2])).dataSync());
    await tf.setBackend('cpu');
    tf.tidy(() => tf.add(tf.ones([2]), tf.ones([2])).dataSync());
    await tf.setBackend(expected === 'node' ? 'tensorflow' : 'wasm');
    expect(warn).not.toHaveBeenCalled();
  });
});
