import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activeBackend, initBackend, requestedBackend } from '../src/tf/backend';

/** Whether the optional native backend is installed on this machine (it is not, offline). */
function tfjsNodeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

// Order matters: initBackend is idempotent once it succeeds, so the failing cases run first.
describe('initBackend', () => {
  const saved = process.env.FMNIST_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.FMNIST_BACKEND;
    else process.env.FMNIST_BACKEND = saved;
    vi.restoreAllMocks();
  });

  it.skipIf(tfjsNodeInstalled())('FMNIST_BACKEND=node without tfjs-node fails with a clear fix', async () => {
    process.env.FMNIST_BACKEND = 'node';
    await expect(initBackend({ quiet: true })).rejects.toThrow(
      /FMNIST_BACKEND=node but the node backend is unavailable: tfjs-node not installed\. Fix: install it with `npm install @tensorflow\/tfjs-node.*FMNIST_BACKEND=wasm/,
    );
    expect(activeBackend()).toBeUndefined();
  });

  it('an invalid FMNIST_BACKEND lists the valid values', async () => {
    process.env.FMNIST_BACKEND = 'gpu';
    await expect(initBackend({ quiet: true })).rejects.toThrow('FMNIST_BACKEND=gpu is not a valid backend; use one of: node, wasm, cpu');
    expect(() => requestedBackend({ backend: 'tpu' as never })).toThrow(/backend option=tpu.*node, wasm, cpu/);
    expect(requestedBackend({ backend: 'cpu' })).toBe('cpu');
  });

  it('picks the fastest available backend, says why on one stdout line (stderr shows red in JupyterLab), and is idempotent', async () => {
    delete process.env.FMNIST_BACKEND;
    const lines: string[] = [];
    const errors: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(`${String(line)}\n`);
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    const warn = vi.spyOn(console, 'warn');
    const info = await initBackend();
    const expected = tfjsNodeInstalled() ? 'node' : 'wasm';
    expect(info.name).toBe(expected);
    expect(info.tfjsVersion).toBe(tf.version.tfjs);
    if (expected === 'wasm') {
      expect(info.detail).toMatch(/^node unavailable \(tfjs-node not installed\); using wasm; (no )?SIMD/);
      expect(tf.getBackend()).toBe('wasm');
    }
    expect(lines).toEqual([`[tfjs] backend: ${info.name} (${info.detail})\n`]);
    expect(errors).toEqual([]);

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
