import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, silenceCpuBanner, tensorFlowOneDnnDefault } from '../src/tf/backend';
import { ADDED_WASM_KERNELS, FAST_WASM_KERNELS, registerWasmTrainingKernels } from '../src/tf/wasm-kernels';
import { buildModel, MODEL_NAMES, setDropoutSeed } from '../src/models/architectures';
import { MODEL_CHOICES } from '../src/models/choices';
import { trainStep } from '../src/tf/bench';
import { NODE_RELU_GRAD, oneDnnConvolutions, oneDnnPoolingInUse, setNodeKernelMode, setOneDnnConvolutions } from '../src/tf/node-kernels';
import { nativeBackendBuilt } from './backend-helpers';
import * as fs from 'node:fs';

/** The processor's vendor as Linux reports it ('GenuineIntel', 'AuthenticAMD'), or '' elsewhere. */
function cpuVendor(): string {
  try {
    return /^vendor_id\s*:\s*(\S+)/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/**
 * The native backend (tfjs-node on TensorFlow's C library) against the pure-JS cpu backend,
 * the reference: forward passes and gradients of every layer the four models use, whole-model
 * gradients and an Adam step, training, memory, determinism.
 *
 * Tolerance: max |native − cpu| ≤ 1e-4 · max |cpu| per tensor. Both compute in float32 but sum
 * up to ~2·10⁴ products in different orders (TensorFlow's Eigen/oneDNN kernels vs tfjs' loops),
 * so they legitimately differ by ~K·2⁻²⁴ of the terms' magnitude; the same bound the wasm
 * kernel tests use. A wrong kernel (indexing, padding, transposition) is off by O(max |cpu|).
 */
const TOL = 1e-4;
const root = path.resolve(__dirname, '..');

function randomValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

/** Worst absolute difference and the reference's scale, per named tensor. */
function expectClose(got: Record<string, Float32Array>, ref: Record<string, Float32Array>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(ref).sort());
  for (const k of Object.keys(ref)) {
    let scale = 0;
    let worst = 0;
    for (let j = 0; j < ref[k].length; j++) {
      scale = Math.max(scale, Math.abs(ref[k][j]));
      worst = Math.max(worst, Math.abs(got[k][j] - ref[k][j]));
    }
    expect(scale, `${k}: the reference is all zeros, so the comparison would prove nothing`).toBeGreaterThan(0);
    expect(worst, k).toBeLessThanOrEqual(TOL * scale);
  }
}

/** Run `f` on a backend and read its tensors out (tf's name: 'tensorflow' for node). */
function on(backend: 'tensorflow' | 'cpu', f: () => Record<string, tf.Tensor>): Record<string, Float32Array> {
  tf.setBackend(backend);
  const tensors = tf.tidy(f);
  const values = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.dataSync() as Float32Array]));
  tf.dispose(Object.values(tensors));
  return values;
}

/** Gradients of `f` with respect to the layers' weights, keyed by the weights' original names (not their uniquified variable names). */
function weightGrads(weights: tf.LayerVariable[], f: () => tf.Scalar): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  if (weights.length === 0) return { value: f(), grads: {} };
  const vars = weights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(f, vars);
  return { value, grads: Object.fromEntries(weights.map((w, i) => [`d ${w.originalName}`, grads[vars[i].name]])) };
}

/**
 * A layer's output, and the gradients of Σ(output · r) (r fixed random) with respect to its
 * input and each weight: everything backpropagation through the layer computes.
 */
function layerForwardAndGrads(layer: tf.layers.Layer, inputShape: number[], seed: number, training: boolean): Record<string, tf.Tensor> {
  const x = tf.tensor(randomValues(inputShape.reduce((a, b) => a * b), seed), inputShape);
  const output = layer.apply(x, { training }) as tf.Tensor;
  const r = tf.tensor(randomValues(output.size, seed + 1), output.shape);
  const objective = (xIn: tf.Tensor) => tf.sum(tf.mul(layer.apply(xIn, { training }) as tf.Tensor, r)) as tf.Scalar;
  const { value, grads } = weightGrads(layer.trainableWeights, () => objective(x));
  return { output, objective: value, 'd input': tf.grad(objective)(x), ...grads };
}

describe.skipIf(!nativeBackendBuilt())('the native backend (tfjs-node)', () => {
  beforeAll(async () => {
    const info = await initBackend({ backend: 'node', quiet: true });
    expect(info.name).toBe('node');
    silenceCpuBanner();
  });

  // Every layer type and configuration the four models use (architectures.ts, MODEL_CHOICES).
  const k1 = MODEL_CHOICES.cnn1KernelSize;
  const k3 = MODEL_CHOICES.cnn3KernelSize;
  const layerCases: Array<[string, () => tf.layers.Layer, number[], boolean]> = [
    [`conv2d ${k1}×${k1}, 1→32 channels, ${MODEL_CHOICES.padding} padding, relu (CNN 1/2 conv1)`, () => tf.layers.conv2d({ filters: 32, kernelSize: k1, padding: MODEL_CHOICES.padding, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 2 }) }), [2, 28, 28, 1], false],
    [`conv2d ${k1}×${k1}, strides [1, 1] stated (CNN 2 conv1)`, () => tf.layers.conv2d({ filters: 32, kernelSize: k1, strides: [1, 1], padding: MODEL_CHOICES.padding, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }), [2, 28, 28, 1], false],
    [`conv2d ${k3}×${k3}, 32→64 channels, relu (CNN 3 conv2)`, () => tf.layers.conv2d({ filters: 64, kernelSize: k3, padding: MODEL_CHOICES.padding, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 5 }) }), [1, 13, 13, 32], false],
    [`max pooling ${MODEL_CHOICES.poolSize}×${MODEL_CHOICES.poolSize} (odd and even sizes)`, () => tf.layers.maxPooling2d({ poolSize: MODEL_CHOICES.poolSize }), [2, 11, 11, 8], false],
    ['max pooling on an even size', () => tf.layers.maxPooling2d({ poolSize: MODEL_CHOICES.poolSize }), [2, 26, 26, 4], false],
    ['flatten', () => tf.layers.flatten(), [3, 5, 5, 4], false],
    ['dense 784→64, relu (ANN)', () => tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 7 }) }), [4, 784], false],
    ['dense 5408→128, relu (CNN 1 dense1: the longest sums)', () => tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }), [4, 5408], false],
    ['dense 128→10, softmax (every output layer)', () => tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }), [4, 128], false],
    [`dropout ${MODEL_CHOICES.dropoutRate}, training, seeded (CNN 3)`, () => tf.layers.dropout({ rate: MODEL_CHOICES.dropoutRate, seed: 10 }), [4, 128], true],
  ];

  describe.each([
    ['TensorFlow\'s convolution kernels (backend node)', false],
    ['oneDNN convolutions (backend node-onednn)', true],
  ])('with %s', (_mode, oneDnn) => {
    beforeAll(() => setOneDnnConvolutions(oneDnn));
    afterAll(() => setOneDnnConvolutions(false));

    // Where TensorFlow turns oneDNN on by default (Intel CPUs with AVX-512 VNNI or AMX, unless
    // TF_ENABLE_ONEDNN_OPTS=0), its eager convolution already is oneDNN's: node and node-onednn then
    // compute the same bits. Elsewhere (AMD, or oneDNN off) they differ in the last bits only.
    it.runIf(oneDnn)('oneDNN convolutions: 32→64 channels differ from the default kernels in the last bits only, or equal them where TensorFlow\'s default is oneDNN', () => {
      const x = tf.tensor4d(randomValues(4 * 13 * 13 * 32, 71), [4, 13, 13, 32]);
      const f = tf.tensor4d(randomValues(3 * 3 * 32 * 64, 72), [3, 3, 32, 64]);
      const conv = () => tf.tidy(() => tf.conv2d(x, f, 1, 'valid').dataSync() as Float32Array);
      expect(oneDnnConvolutions()).toBe(true);
      const viaOneDnn = conv();
      setOneDnnConvolutions(false);
      const viaDefault = conv();
      setOneDnnConvolutions(true);
      tf.dispose([x, f]);
      const differs = viaOneDnn.some((v, i) => v !== viaDefault[i]);
      const oneDnnByDefault = tensorFlowOneDnnDefault();
      expect(oneDnnByDefault, 'TensorFlow\'s start-up notice was read (the stderr capture works)').not.toBeNull();
      if (oneDnnByDefault) expect(differs, 'TensorFlow says oneDNN is on by default, so both paths must run the same oneDNN kernel').toBe(false);
      // On AMD EPYC, TensorFlow's own kernels sum in another order than oneDNN's. On the Intel Xeon
      // (AVX-512) we measured identical bits for this case even with TF_ENABLE_ONEDNN_OPTS=0, so
      // there the difference proves nothing either way and only the closeness below is checked.
      else if (cpuVendor() === 'AuthenticAMD') expect(differs, 'identical to the last bit: the oneDNN kernel did not run').toBe(true);
      expectClose({ conv: viaOneDnn }, { conv: viaDefault });
    });

    it.each(layerCases)('%s: output and gradients (input, weights) match cpu', (_name, make, shape, training) => {
      // One layer object, so both backends use identical weights (built on first apply).
      const layer = make();
      tf.setBackend('cpu');
      tf.tidy(() => {
        layer.apply(tf.zeros(shape), { training: false });
      });
      const ref = on('cpu', () => layerForwardAndGrads(layer, shape, 11, training));
      const got = on('tensorflow', () => layerForwardAndGrads(layer, shape, 11, training));
      tf.setBackend('tensorflow');
      layer.dispose();
      expectClose(got, ref);
    });

    it.each(MODEL_NAMES.map((m) => [m]))('%s: predictions and the loss gradient of every weight match cpu (the paper\'s architecture, batch 2, dropout on)', (name) => {
      const images = randomValues(2 * 784, 31, 0, 1);
      const labels = [3, 6];
      const run = (backend: 'tensorflow' | 'cpu') => {
        tf.setBackend(backend);
        const model = buildModel(name, 3); // same seeded initial weights on both
        setDropoutSeed(model, 77);
        const values = on(backend, () => {
          const x = tf.tensor4d(images, [2, 28, 28, 1]);
          const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
          const predictions = model.predict(x) as tf.Tensor;
          const { value, grads } = weightGrads(model.trainableWeights, () => {
            const probs = model.apply(x, { training: true }) as tf.Tensor;
            return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
          });
          return { predictions, loss: value, ...grads };
        });
        model.dispose();
        return values;
      };
      const ref = run('cpu');
      const got = run('tensorflow');
      tf.setBackend('tensorflow');
      expectClose(got, ref);
    });
  });

  it('the custom wasm kernels are registered for wasm only: registering them leaves the native backend\'s kernels as they were', () => {
    const names = [...FAST_WASM_KERNELS, ...ADDED_WASM_KERNELS];
    // Choosing node never registers them ...
    for (const n of ADDED_WASM_KERNELS) expect(tf.getKernel(n, 'wasm'), n).toBeUndefined();
    const nativeBefore = Object.fromEntries(names.map((n) => [n, tf.getKernel(n, 'tensorflow')]));
    // ... and registering them (as choosing wasm does) leaves the native ones untouched.
    registerWasmTrainingKernels({ fast: true });
    for (const n of names) {
      expect(tf.getKernel(n, 'tensorflow'), n).toBe(nativeBefore[n]);
      expect(tf.getKernel(n, 'wasm'), n).toBeDefined();
    }
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('the ReLU gradient runs TensorFlow\'s ReluGrad on node, and equals tfjs\' stock formula bit for bit (zeros included)', async () => {
    // Inputs with exact zeros and both signs of dy, where step(x) and ReluGrad could disagree.
    const xs = randomValues(4000, 41);
    for (let i = 0; i < xs.length; i += 7) xs[i] = 0;
    const dys = randomValues(4000, 42);
    const grad = () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.tensor1d(dys))))(tf.tensor1d(xs)).dataSync() as Float32Array);
    const kernelsOf = async (f: () => void) => (await tf.profile(f)).kernels.map((k) => k.name);
    try {
      setNodeKernelMode({ fast: false });
      const stock = grad();
      const stockKernels = await kernelsOf(() => void grad());
      setNodeKernelMode({ fast: true });
      const fast = grad();
      const fastKernels = await kernelsOf(() => void grad());
      expect(stockKernels).not.toContain(NODE_RELU_GRAD);
      expect(stockKernels).toContain('Step');
      expect(fastKernels).toContain(NODE_RELU_GRAD);
      expect(fastKernels).not.toContain('Step');
      for (let i = 0; i < xs.length; i++) expect(Math.abs(fast[i]), `element ${i}`).toBe(Math.abs(stock[i]));
      expect([...fast].filter((v, i) => v !== (xs[i] > 0 ? dys[i] : 0))).toEqual([]);
    } finally {
      setNodeKernelMode({ fast: true });
    }
  });

  it.each([
    ['CNN 3 pool1, 2×2 on 26×26×32', [8, 26, 26, 32]],
    ['CNN 3 pool2, 2×2 on an odd 11×11×64 (last row and column dropped)', [8, 11, 11, 64]],
  ])('max-pooling gradient (%s): oneDNN\'s equals TensorFlow\'s stock kernel bit for bit, ties included', (_name, shape) => {
    // Rounded ReLU outputs: most windows hold ties (all zeros, or equal positive values).
    const n = shape.reduce((a, b) => a * b);
    const xs = randomValues(n, 61, -1, 1).map((v) => Math.max(0, Math.round(v * 4) / 4));
    const dys = randomValues(n / 4, 62);
    const grad = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, shape as [number, number, number, number]);
        return tf.grad((input: tf.Tensor) => {
          const y = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
          return tf.sum(tf.mul(y, tf.tensor(dys.subarray(0, y.size), y.shape)));
        })(x).dataSync() as Float32Array;
      });
    try {
      setNodeKernelMode({ fast: false });
      const stock = grad();
      setNodeKernelMode({ fast: true });
      const fast = grad();
      expect(oneDnnPoolingInUse(), 'the oneDNN pooling ops ran (this TensorFlow build has them)').toBe(true);
      let differing = 0;
      for (let i = 0; i < n; i++) if (!Object.is(fast[i], stock[i])) differing++;
      expect(differing).toBe(0);
      expect(stock.some((v) => v !== 0)).toBe(true);
    } finally {
      setNodeKernelMode({ fast: true });
    }
  });

  it.each(MODEL_NAMES.map((m) => [m]))('%s: 12 Adam steps give bit-identical weights with the replaced kernels (ReLU and max-pooling gradients) and with the stock ones', (name) => {
    const images = randomValues(4 * 64 * 784, 51, 0, 1);
    const labels = Int32Array.from(randomValues(4 * 64, 52, 0, 10), Math.floor);
    const train = (fast: boolean) => {
      setNodeKernelMode({ fast });
      const model = buildModel(name, 9);
      const optimizer = tf.train.adam(1e-3);
      for (let i = 0; i < 12; i++) {
        setDropoutSeed(model, 500 + i);
        trainStep(model, optimizer, images, labels, (i % 4) * 64, (i % 4 + 1) * 64);
      }
      const weights = model.weights.map((w) => Buffer.from((w.read().dataSync() as Float32Array).buffer).toString('base64'));
      optimizer.dispose();
      model.dispose();
      return weights;
    };
    try {
      expect(train(true)).toEqual(train(false));
    } finally {
      setNodeKernelMode({ fast: true });
    }
  });

  it('the paper\'s CNN 3 trains: the loss falls over 20 Adam steps on an easy task', () => {
    // Class L is a bright 3-row band starting at row 2L+3, plus noise.
    const n = 64;
    const noise = randomValues(n * 784, 5, 0, 0.3);
    const images = new Float32Array(n * 784);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 10;
      for (let p = 0; p < 784; p++) {
        const row = Math.floor(p / 28);
        images[i * 784 + p] = (row >= 2 * labels[i] + 3 && row < 2 * labels[i] + 6 ? 0.7 : 0) + noise[i * 784 + p];
      }
    }
    const model = buildModel('cnn3', 1);
    const optimizer = tf.train.adam(2e-3);
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      setDropoutSeed(model, step);
      losses.push(trainStep(model, optimizer, images, labels, 0, n));
    }
    optimizer.dispose();
    model.dispose();
    expect(losses.every(Number.isFinite)).toBe(true);
    // ln 10 ≈ 2.30 at the start; a broken gradient leaves it there.
    expect(losses[0]).toBeGreaterThan(2);
    expect(losses[19]).toBeLessThan(losses[0] * 0.5);
  });

  it('tf.memory() stays flat over training steps (no leaked tensors or bytes)', () => {
    const model = buildModel('cnn3', 2);
    const optimizer = tf.train.adam(1e-3);
    const images = randomValues(32 * 784, 8, 0, 1);
    const labels = Int32Array.from({ length: 32 }, (_, i) => i % 10);
    const step = (i: number) => {
      setDropoutSeed(model, i);
      trainStep(model, optimizer, images, labels, 0, 32);
    };
    step(0); // creates Adam's slot variables
    const before = tf.memory();
    const counts: number[] = [];
    for (let i = 1; i <= 6; i++) {
      step(i);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts)).toEqual(new Set([before.numTensors]));
    expect(tf.memory().numBytes).toBe(before.numBytes);
    optimizer.dispose();
    model.dispose();
  });

  it('FMNIST_BACKEND=node-onednn is a backend of its own: reported as such, with its own results folders', () => {
    const script = `
      const { initBackend } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'backend.js'))});
      const { runningBackend, committedRuntime } = require(${JSON.stringify(path.join(root, 'dist', 'results', 'runtime.js'))});
      const { runtimeSuffix } = require(${JSON.stringify(path.join(root, 'dist', 'results', 'layout.js'))});
      initBackend({ quiet: true }).then(async (info) => {
        const running = await runningBackend();
        console.log(JSON.stringify({ chosen: info.name, detail: info.detail, running: running.name, suffix: runtimeSuffix({ ...committedRuntime(), backend: running.name }) }));
      });`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, FMNIST_BACKEND: 'node-onednn', FMNIST_NODE_THREADS: '1' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { chosen: string; detail: string; running: string; suffix: string };
    expect(out.chosen).toBe('node-onednn');
    expect(out.detail).toMatch(/oneDNN convolutions/);
    expect(out.running).toBe('node-onednn');
    expect(out.suffix).toBe('-node_onednn');
  });

  it('is deterministic for a given thread count: two processes with 2 threads train to identical weights', () => {
    // Each process: CNN 3, 4 Adam steps of batch 64 with dropout, then a digest of the weights.
    const script = `
      const crypto = require('crypto');
      const tf = require('@tensorflow/tfjs');
      const { initBackend } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'backend.js'))});
      const { buildModel, setDropoutSeed } = require(${JSON.stringify(path.join(root, 'dist', 'models', 'architectures.js'))});
      const { trainStep } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'bench.js'))});
      initBackend({ backend: 'node', quiet: true }).then(() => {
        let s = 1; const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const images = new Float32Array(256 * 784).map(r), labels = new Int32Array(256).map(() => Math.floor(r() * 10));
        const m = buildModel('cnn3', 1), opt = tf.train.adam(1e-3);
        for (let i = 0; i < 4; i++) { setDropoutSeed(m, 100 + i); trainStep(m, opt, images, labels, i * 64, (i + 1) * 64); }
        const h = crypto.createHash('sha256');
        for (const w of m.getWeights()) h.update(Buffer.from(w.dataSync().buffer));
        console.log(h.digest('hex'));
      });`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
    const digest = () => {
      const r = spawnSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, FMNIST_NODE_THREADS: '2' }, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const a = digest();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(digest()).toBe(a);
  });
});
