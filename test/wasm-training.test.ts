import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/backend';
import { setWasmKernelMode } from '../src/tf/wasm-kernels';

/**
 * End-to-end training on wasm: small versions of the paper's models (same layer types:
 * Conv2D, MaxPool, Dense, Dropout, ReLU, softmax; Adam + sparse categorical cross-entropy)
 * must train without missing kernels, with a falling loss and without leaking tensors.
 */

/** An easy synthetic task: class L is a bright 3-row band starting at row 2L+3, plus noise. */
function syntheticBatch(n: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  let state = seed >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const images = new Float32Array(n * 784);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 10;
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const band = row >= 2 * label + 3 && row < 2 * label + 6 ? 0.7 : 0;
      images[i * 784 + p] = band + 0.3 * rand();
    }
  }
  return { xs: tf.tensor4d(images, [n, 28, 28, 1]), ys: tf.tensor1d(labels) };
}

function smallModel(kind: 'ann' | 'cnn1' | 'cnn3'): tf.Sequential {
  const m = tf.sequential();
  const inputShape = [28, 28, 1];
  if (kind === 'ann') {
    m.add(tf.layers.flatten({ inputShape }));
    m.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  } else if (kind === 'cnn1') {
    m.add(tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 4, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  } else {
    m.add(tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 16, activation: 'relu' }));
    m.add(tf.layers.dropout({ rate: 0.2 }));
  }
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.005), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('training on wasm (FMNIST_BACKEND=wasm)', () => {
  beforeAll(async () => {
    process.env.FMNIST_BACKEND = 'wasm';
    const info = await initBackend({ quiet: true });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    
  });

  for (const kind of ['ann', 'cnn1', 'cnn3'] as const) {
    it(`${kind}: loss falls over a few Adam steps`, async () => {
      const model = smallModel(kind);
      const { xs, ys } = syntheticBatch(64, 7);
      const losses: number[] = [];
      for (let step = 0; step < 15; step++) {
        const out = (await model.trainOnBatch(xs, ys)) as number[];
        losses.push(out[0]);
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      // Measured on wasm and cpu alike: final/first ≈ 0.05–0.7 after 15 steps; a broken gradient stays ≈ 1.
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
      xs.dispose();
      ys.dispose();
      model.dispose();
    });
  }

  it.each([true, false])('repeated training steps leak no tensors (cnn3-like model, fast kernels: %s)', async (fast) => {
    setWasmKernelMode({ fast });
    const model = smallModel('cnn3');
    const { xs, ys } = syntheticBatch(32, 11);
    // The first steps create the optimiser's slot variables; count after those.
    for (let i = 0; i < 2; i++) await model.trainOnBatch(xs, ys);
    const before = tf.memory().numTensors;
    const beforeBytes = tf.memory().numBytes;
    for (let i = 0; i < 5; i++) await model.trainOnBatch(xs, ys);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(beforeBytes);
    // The backend's own buffers (kernel intermediates) must be freed too.
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const ids = backend.numDataIds();
    for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
    expect(backend.numDataIds()).toBe(ids);
    xs.dispose();
    ys.dispose();
    model.dispose();
    setWasmKernelMode({ fast: true });
  });
});
