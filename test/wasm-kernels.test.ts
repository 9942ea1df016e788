import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, silenceCpuBanner } from '../src/tf/backend';
import { setWasmKernelMode } from '../src/tf/wasm-kernels';
import { buildModel, MODEL_NAMES } from '../src/models/architectures';

/**
 * Each wasm training kernel we register is compared with the CPU backend's kernel on the same
 * inputs, over strides, paddings, kernel sizes, channel and batch sizes.
 *
 * Tolerance: both backends sum K float32 products, so each has error at most γ_K·Σ|terms|
 * with γ_K ≈ K·u (u = 2^-24, the standard summation bound). We compute Σ|terms| exactly by
 * running the CPU kernel on |inputs|, and allow 2·K·u·Σ|terms| (+1e-6 for sums that cancel
 * to zero) per element. Any indexing mistake gives errors of order Σ|terms| itself, far above.
 */

const U = 2 ** -24;
type Inputs = Record<string, { shape: number[]; values: Float32Array }>;

function randomValues(n: number, seed: number, ties = false): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s / 2 ** 32;
    out[i] = ties ? Math.floor(r * 4) : r * 2 - 1; // ties: small integers, many equal maxima
  }
  return out;
}

function input(shape: number[], seed: number, ties = false) {
  return { shape, values: randomValues(shape.reduce((a, b) => a * b, 1), seed, ties) };
}

/** Run one kernel on a backend with fresh tensors; returns its values. */
function runOn(backend: string, kernel: string, inputs: Inputs, attrs: object, abs = false): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) {
      ts[k] = tf.tensor(abs ? v.values.map(Math.abs) : v.values, v.shape);
    }
    const out = tf.engine().runKernel(kernel, ts as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

/** Compare wasm vs cpu for one kernel with the float32 summation bound (terms = products per output). */
function expectMatchesCpu(kernel: string, inputs: Inputs, attrs: object, termsPerOutput: number, absSumBound?: number) {
  const ref = runOn('cpu', kernel, inputs, attrs);
  const absSum = absSumBound === undefined ? runOn('cpu', kernel, inputs, attrs, true) : ref.map(() => absSumBound);
  const got = runOn('wasm', kernel, inputs, attrs);
  tf.setBackend('wasm');
  expect(got.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const tol = 2 * termsPerOutput * U * absSum[i] + 1e-6;
    const err = Math.abs(got[i] - ref[i]);
    if (!(err <= tol)) throw new Error(`${kernel} element ${i}: wasm ${got[i]} vs cpu ${ref[i]} (tol ${tol})`);
    worst = Math.max(worst, err);
  }
  return worst;
}

interface ConvCase {
  batch: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: 'valid' | 'same';
}

function convCases(): ConvCase[] {
  const sizes = [
    { batch: 1, cin: 1, cout: 2, h: 7, w: 8 },
    { batch: 3, cin: 2, cout: 5, h: 9, w: 9 },
    { batch: 2, cin: 4, cout: 3, h: 10, w: 7 },
    // ≥ 8 input channels: the fast filter gradient switches from im2col to the convolution form.
    { batch: 2, cin: 9, cout: 4, h: 8, w: 9 },
  ];
  const out: ConvCase[] = [];
  for (const stride of [1, 2]) for (const pad of ['valid', 'same'] as const) for (const k of [3, 4]) for (const s of sizes) {
    out.push({ ...s, k, stride, pad });
  }
  return out;
}

function convOutShape(c: ConvCase): [number, number] {
  const info = tf.backend_util.computeConv2DInfo([c.batch, c.h, c.w, c.cin], [c.k, c.k, c.cin, c.cout], c.stride, 1, c.pad);
  return [info.outHeight, info.outWidth];
}

const label = (c: ConvCase) => `n${c.batch} ${c.h}x${c.w}x${c.cin}->${c.cout} k${c.k} s${c.stride} ${c.pad}`;

describe('wasm training kernels match the CPU backend', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    silenceCpuBanner();
  });

  describe.each([true, false])('fast kernels: %s', (fast) => {
    beforeAll(() => setWasmKernelMode({ fast }));

    it.each(convCases().map((c) => [label(c), c] as const))('Conv2DBackpropFilter %s', (_name, c) => {
      const [oh, ow] = convOutShape(c);
      const inputs = { x: input([c.batch, c.h, c.w, c.cin], 1), dy: input([c.batch, oh, ow, c.cout], 2) };
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.cin, c.cout] };
      expectMatchesCpu('Conv2DBackpropFilter', inputs, attrs, c.batch * oh * ow);
    });

    it.each(convCases().map((c) => [label(c), c] as const))('Conv2DBackpropInput %s', (_name, c) => {
      const [oh, ow] = convOutShape(c);
      const inputs = { dy: input([c.batch, oh, ow, c.cout], 3), filter: input([c.k, c.k, c.cin, c.cout], 4) };
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.batch, c.h, c.w, c.cin] };
      expectMatchesCpu('Conv2DBackpropInput', inputs, attrs, c.k * c.k * c.cout);
    });

    const poolCases = [];
    for (const size of [2, 3]) for (const stride of [1, 2]) for (const pad of ['valid', 'same'] as const) for (const ties of [false, true]) {
      poolCases.push([`f${size} s${stride} ${pad}${ties ? ' ties' : ''}`, { size, stride, pad, ties }] as const);
    }
    // Only our replacement: the stock wasm MaxPoolGrad itself disagrees with CPU on multi-channel
    // inputs (measured: ~7% of elements for a [4,26,26,32] input, pool 2 stride 2).
    it.runIf(fast).each(poolCases)('MaxPoolGrad %s', (_name, p) => {
      const xShape = [2, 7, 6, 3];
      const fwd = tf.tidy(() => {
        tf.setBackend('cpu');
        const x = tf.tensor(input(xShape, 5, p.ties).values, xShape as [number, number, number, number]);
        const y = tf.maxPool(x as tf.Tensor4D, p.size, p.stride, p.pad);
        return { y: y.dataSync() as Float32Array, shape: y.shape };
      });
      const x = input(xShape, 5, p.ties);
      const inputs = { dy: input(fwd.shape, 6), input: x, output: { shape: fwd.shape, values: fwd.y } };
      const attrs = { filterSize: p.size, strides: p.stride, pad: p.pad };
      // Overlapping windows add at most size² gradients (|dy| ≤ 1) into one element; which
      // element gets them is exact, so a wrong tie-break fails by O(1).
      expectMatchesCpu('MaxPoolGrad', inputs, attrs, p.size * p.size, p.size * p.size);
    });
  });

  describe('BatchMatMul (fast: operands transposed first)', () => {
    const cases = [
      { a: [5, 7], b: [7, 3], ta: false, tb: false },
      { a: [7, 5], b: [7, 3], ta: true, tb: false },
      { a: [5, 7], b: [3, 7], ta: false, tb: true },
      { a: [7, 5], b: [3, 7], ta: true, tb: true },
      { a: [1, 9, 4], b: [1, 6, 9], ta: true, tb: true },
      { a: [64, 33], b: [64, 17], ta: true, tb: false }, // a dense layer's weight gradient, xᵀ·dy
      { a: [3, 4, 6], b: [3, 6, 2], ta: false, tb: false }, // batch > 1: stock kernel
      { a: [3, 6, 4], b: [3, 2, 6], ta: true, tb: true }, // batch > 1 transposed: stock kernel
    ];
    it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', (_n, c) => {
      setWasmKernelMode({ fast: true });
      const k = c.ta ? c.a[c.a.length - 2] : c.a[c.a.length - 1];
      expectMatchesCpu('BatchMatMul', { a: input(c.a, 21), b: input(c.b, 22) }, { transposeA: c.ta, transposeB: c.tb }, k);
    });
  });

  describe('Sum (fast: leading axes in one pass)', () => {
    const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
      { shape: [4, 5, 6, 3], axis: [0, 1, 2], keepDims: false }, // a conv bias gradient
      { shape: [4, 5, 6, 3], axis: [2, 0, 1], keepDims: true },
      { shape: [7, 3], axis: 0, keepDims: false }, // a dense bias gradient
      { shape: [7, 3], axis: -1, keepDims: false }, // trailing axis: stock kernel
      { shape: [4, 5, 6], axis: [0, 2], keepDims: false }, // not leading: stock kernel
      { shape: [4, 5], axis: [0, 1], keepDims: false }, // everything: stock kernel
    ];
    it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', (_n, c) => {
      setWasmKernelMode({ fast: true });
      const axes = tf.util.parseAxisParam(c.axis, c.shape);
      const terms = axes.reduce((t, a) => t * c.shape[a], 1);
      expectMatchesCpu('Sum', { x: input(c.shape, 23) }, { axis: c.axis, keepDims: c.keepDims }, terms);
      tf.setBackend('wasm');
      const shape = tf.tidy(() => (tf.engine().runKernel('Sum', { x: tf.zeros(c.shape) }, { axis: c.axis, keepDims: c.keepDims }) as tf.Tensor).shape);
      tf.setBackend('cpu');
      const want = tf.tidy(() => (tf.engine().runKernel('Sum', { x: tf.zeros(c.shape) }, { axis: c.axis, keepDims: c.keepDims }) as tf.Tensor).shape);
      tf.setBackend('wasm');
      expect(shape).toEqual(want);
    });
  });

  it('Identity (fast: shares the buffer) keeps its values after the input is disposed', () => {
    setWasmKernelMode({ fast: true });
    const x = tf.tensor([1, 2, 3]);
    const y = tf.engine().runKernel('Identity', { x }, {}) as tf.Tensor;
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    const before = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    y.dispose();
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(before - 1);
  });

  it('a conv model gradient (tf.grads through conv, pool, dense) matches CPU', () => {
    setWasmKernelMode({ fast: true });
    const xVals = input([4, 12, 12, 2], 9);
    const f1 = input([3, 3, 2, 5], 10);
    const f2 = input([4, 4, 5, 6], 11);
    const dense = input([2 * 2 * 6, 3], 12);
    const grads = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(xVals.values, xVals.shape as [number, number, number, number]);
        const vars = [f1, f2, dense].map((v) => tf.tensor(v.values, v.shape));
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
          let h = tf.relu(tf.conv2d(x, a as tf.Tensor4D, 1, 'same'));
          h = tf.maxPool(h, 2, 2, 'valid');
          h = tf.relu(tf.conv2d(h as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid'));
          const logits = tf.matMul(h.reshape([4, -1]), c as tf.Tensor2D);
          return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3), logits);
        })(vars);
        return g.map((t) => t.dataSync() as Float32Array);
      });
    };
    const ref = grads('cpu');
    const got = grads('wasm');
    tf.setBackend('wasm');
    for (let i = 0; i < ref.length; i++) {
      const scale = Math.max(...ref[i].map(Math.abs));
      const worst = Math.max(...got[i].map((v, j) => Math.abs(v - ref[i][j])));
      // Chained float32 kernels: allow 1e-4 of the gradient's scale (errors of a wrong kernel are O(scale)).
      expect(worst).toBeLessThanOrEqual(1e-4 * scale);
      expect(scale).toBeGreaterThan(0);
    }
  });

  it.each(MODEL_NAMES.map((m) => [m]))('%s: gradients of every weight match CPU (the paper\'s architecture, batch 4)', (name) => {
    setWasmKernelMode({ fast: true });
    const xs = input([4, 28, 28, 1], 31);
    const xVals = xs.values.map((v) => (v + 1) / 2); // pixels in [0, 1]
    const labels = [0, 3, 6, 9];
    const model = buildModel(name, 3);
    const grads = (backend: string) => {
      tf.setBackend(backend);
      const named = tf.tidy(() => {
        const x = tf.tensor4d(xVals, [4, 28, 28, 1]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
        const { grads: g } = tf.variableGrads(() => {
          const probs = model.apply(x, { training: false }) as tf.Tensor;
          return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
        });
        return g;
      });
      // Read outside tidy: tidy walks returned arrays element by element looking for tensors.
      const values = Object.fromEntries(Object.entries(named).map(([k, t]) => [k, t.dataSync() as Float32Array]));
      tf.dispose(Object.values(named));
      return values;
    };
    const got = grads('wasm');
    const ref = grads('cpu');
    tf.setBackend('wasm');
    model.dispose();
    expect(Object.keys(got).sort()).toEqual(Object.keys(ref).sort());
    for (const k of Object.keys(ref)) {
      let scale = 0;
      let worst = 0;
      for (let j = 0; j < ref[k].length; j++) {
        scale = Math.max(scale, Math.abs(ref[k][j]));
        worst = Math.max(worst, Math.abs(got[k][j] - ref[k][j]));
      }
      // Chained float32 kernels summing up to ~10⁴ terms: 1e-4 of the gradient's scale (a wrong kernel is off by O(scale)).
      expect(worst, k).toBeLessThanOrEqual(1e-4 * scale);
    }
  });
});
