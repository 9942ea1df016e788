import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, silenceCpuBanner } from '../src/tf/backend';
import { buildModel, MODEL_NAMES, setDropoutSeed, type ModelName } from '../src/models/architectures';
import { dropoutMask, lossAndGradient, NativeTrainer, nativeTrainerEngine } from '../src/tf/native-trainer';
import { NativeOps } from '../src/tf/native-ops';
import { setNodeKernelMode } from '../src/tf/node-kernels';
import { nativeBackendBuilt } from './backend-helpers';

/**
 * The native training step (src/tf/native-trainer.ts) against tfjs: its gradients against the
 * pure-JS cpu backend's autograd (the reference, as in native-backend.test.ts: max |native − cpu| ≤
 * 1e-4 · max |cpu| per tensor), its Adam against tf.train.adam given the same gradients, its state
 * against the optimiser it writes back into, and the same checks in a child process with
 * TensorFlow's oneDNN turned off (TF_ENABLE_ONEDNN_OPTS=0).
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

function worstRelative(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let j = 0; j < ref.length; j++) {
    scale = Math.max(scale, Math.abs(ref[j]));
    worst = Math.max(worst, Math.abs(got[j] - ref[j]));
  }
  return scale === 0 ? (worst === 0 ? 0 : Infinity) : worst / scale;
}

/** tfjs' loss (the training loop's) and its gradient with respect to every trainable weight, on the current backend. */
function tfjsGradients(model: tf.LayersModel, x: tf.Tensor, labels: number[]): { loss: number; grads: Float32Array[] } {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const { value, grads } = tf.variableGrads(() => {
    const probs = model.apply(x, { training: true }) as tf.Tensor;
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
  }, vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  tf.dispose([y, value, ...Object.values(grads)]);
  return out;
}

/** The images and labels of a batch, with a near-certain wrong prediction in it (so the clip acts) when `clip`. */
function batch(n: number, seed: number): { images: Float32Array; labels: number[] } {
  return { images: randomValues(n * 784, seed, 0, 1), labels: Array.from(randomValues(n, seed + 1, 0, 10), Math.floor) };
}

describe.skipIf(!nativeBackendBuilt())('the native training step', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'node', quiet: true });
    silenceCpuBanner();
  });

  it('names its engine with the ops it runs here (fused on oneDNN where TensorFlow has it)', () => {
    const engine = nativeTrainerEngine();
    expect(engine).toMatch(/^tfjs-node native step v1 \(/);
    expect(engine).toMatch(/ResourceApplyAdam/);
  });

  it.each(MODEL_NAMES.map((m) => [m]))('%s: loss, predictions and every weight\'s gradient match tfjs\' autograd on the cpu backend (batch 8, dropout on)', (name: ModelName) => {
    const { images, labels } = batch(8, 31);
    tf.setBackend('cpu');
    const refModel = buildModel(name, 3);
    setDropoutSeed(refModel, 77);
    const x = tf.tensor4d(images, [8, 28, 28, 1]);
    const ref = tfjsGradients(refModel, x, labels);
    const refPredicted = tf.tidy(() => (refModel.apply(x, { training: true }) as tf.Tensor).argMax(-1).dataSync());
    tf.dispose([x]);
    refModel.dispose();
    tf.setBackend('tensorflow');
    const model = buildModel(name, 3); // the same seeded initial weights
    setDropoutSeed(model, 77);
    const optimizer = tf.train.adam(1e-3);
    const trainer = NativeTrainer.create(model, optimizer);
    if (typeof trainer === 'string') throw new Error(trainer);
    const xs = tf.tensor4d(images, [8, 28, 28, 1]);
    const got = trainer.gradients(xs, labels);
    expect(Math.abs(got.loss - ref.loss)).toBeLessThanOrEqual(TOL * ref.loss);
    expect([...got.predicted]).toEqual([...refPredicted]);
    expect(got.grads).toHaveLength(ref.grads.length);
    got.grads.forEach((g, i) => {
      expect(g.shape).toEqual(model.trainableWeights[i].shape);
      expect(ref.grads[i].some((v) => v !== 0), `${model.trainableWeights[i].name}: the reference is all zeros`).toBe(true);
      expect(worstRelative(g.dataSync(), ref.grads[i]), model.trainableWeights[i].name).toBeLessThanOrEqual(TOL);
    });
    tf.dispose([xs, ...got.grads]);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
  });

  it('the dropout mask is tfjs\' own, element for element (the same seeded alea numbers, floor(u + keep) / keep in float32)', () => {
    for (const [seed, rate] of [[1, 0.5], [987654321, 0.5], [42, 0.3]] as const) {
      const ref = tf.tidy(() => tf.div(tf.floor(tf.add(tf.randomUniform([64, 128], 0, 1, 'float32', seed), 1 - rate)), 1 - rate).dataSync());
      const mine = tf.tidy(() => dropoutMask([64, 128], rate, seed).dataSync());
      expect([...mine]).toEqual([...ref]);
      expect(new Set(mine).size).toBe(2);
    }
  });

  it('the loss gradient flows through the clip as tfjs\' autograd does: zero where the true class\' probability is below 1e-7', () => {
    // Row 0 puts 1e-9 on its true class (clipped: no gradient), row 1 is ordinary, row 2 sits exactly on the bound.
    const probs = new Float32Array([1e-9, 1 - 1e-9, 0, 0.2, 0.5, 0.3, Math.fround(1e-7), 0.5, 0.5 - Math.fround(1e-7)]);
    const labels = [0, 1, 0];
    const mine = lossAndGradient(probs, labels, 3, 3);
    tf.setBackend('cpu');
    const ref = tf.tidy(() => {
      const logits = tf.log(tf.tensor2d(probs, [3, 3]));
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
      const f = (z: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(tf.softmax(z), 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
      return { loss: f(logits).dataSync()[0], grad: tf.grad(f)(logits).dataSync() };
    });
    tf.setBackend('tensorflow');
    expect([...mine.dLogits.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect(worstRelative(mine.dLogits, ref.grad)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(mine.loss - ref.loss)).toBeLessThanOrEqual(1e-5 * ref.loss);
    expect([...mine.predicted]).toEqual([1, 1, 1]);
  });

  /** Five Adam steps with the same gradients: the native trainer's (ResourceApplyAdam) and tf.train.adam's. */
  function adamBoth(gradScale: number): { native: Float32Array[]; tfjs: Float32Array[]; initial: Float32Array[] } {
    const model = buildModel('ann', 4);
    const initial = model.getWeights().map((w) => w.dataSync() as Float32Array);
    const reference = buildModel('ann', 4);
    const o1 = tf.train.adam(1e-3);
    const o2 = tf.train.adam(1e-3);
    const trainer = NativeTrainer.create(model, o1);
    if (typeof trainer === 'string') throw new Error(trainer);
    const vars = reference.trainableWeights.map((w) => w.read() as tf.Variable);
    for (let step = 0; step < 5; step++) {
      const grads = vars.map((v, i) => tf.tensor(randomValues(v.size, 100 * step + i).map((g) => g * gradScale), v.shape));
      trainer.applyAdam(grads);
      o2.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
      tf.dispose(grads);
    }
    trainer.dispose();
    const out = { native: model.getWeights().map((w) => w.dataSync() as Float32Array), tfjs: reference.getWeights().map((w) => w.dataSync() as Float32Array), initial };
    o1.dispose();
    o2.dispose();
    model.dispose();
    reference.dispose();
    return out;
  }

  it.each([
    ['ordinary gradients (~1)', 1],
    ['tiny gradients (~1e-8, where ε decides the step: it must sit beside √v̂ as in tf.train.adam, not beside √v as in TensorFlow\'s op)', 1e-8],
  ])('Adam with %s: the same weights as tf.train.adam over 5 steps, to float rounding', (_name, scale) => {
    const { native, tfjs, initial } = adamBoth(scale);
    native.forEach((w, i) => {
      // Compared with the size of the update itself (5 steps of at most lr each), not of the weights.
      let moved = 0;
      let worst = 0;
      for (let j = 0; j < w.length; j++) {
        moved = Math.max(moved, Math.abs(tfjs[i][j] - initial[i][j]));
        worst = Math.max(worst, Math.abs(w[j] - tfjs[i][j]));
      }
      expect(moved, 'the reference moved').toBeGreaterThan(1e-5);
      // Rounding: a few ulps of the weights (|w| < 1: ulp ≤ 2⁻²⁴) plus 1e-4 of the update.
      expect(worst, `weight ${i}`).toBeLessThanOrEqual(4 * 2 ** -24 + 1e-4 * moved);
    });
  });

  it('sync() writes back what tf.train.adam would hold: moments, β powers, step count; a trainer made from them continues bit for bit', async () => {
    const { images, labels } = batch(32 * 6, 9);
    const step = (trainer: NativeTrainer, i: number) => {
      const x = tf.tensor4d(images.subarray(i * 32 * 784, (i + 1) * 32 * 784), [32, 28, 28, 1]);
      trainer.step(x, labels.slice(i * 32, (i + 1) * 32));
      x.dispose();
    };
    const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer).toString('base64'));
    // Uninterrupted: 6 steps.
    const a = buildModel('cnn3', 2);
    const oa = tf.train.adam(1e-3);
    const ta = NativeTrainer.create(a, oa) as NativeTrainer;
    for (let i = 0; i < 6; i++) {
      setDropoutSeed(a, i);
      step(ta, i);
    }
    ta.sync();
    // 3 steps, written back, a new trainer from the model and optimiser, 3 more.
    const b = buildModel('cnn3', 2);
    const ob = tf.train.adam(1e-3);
    const tb = NativeTrainer.create(b, ob) as NativeTrainer;
    for (let i = 0; i < 3; i++) {
      setDropoutSeed(b, i);
      step(tb, i);
    }
    tb.dispose();
    const state = await ob.getWeights();
    expect(state.map((s) => s.name)).toEqual(['iter', ...b.trainableWeights.map((w) => `${(w.read() as tf.Variable).name}/m`), ...b.trainableWeights.map((w) => `${(w.read() as tf.Variable).name}/v`)]);
    expect(state[0].tensor.dataSync()[0]).toBe(3);
    const f = Math.fround;
    expect((ob as unknown as { accBeta1: tf.Variable }).accBeta1.dataSync()[0]).toBe(f(f(f(f(0.9) * f(0.9)) * f(0.9)) * f(0.9))); // β1⁴ in float32, as tfjs multiplies it
    state.slice(1).forEach((s) => expect(s.tensor.dataSync().some((v) => v !== 0), s.name).toBe(true));
    const tb2 = NativeTrainer.create(b, ob) as NativeTrainer;
    for (let i = 3; i < 6; i++) {
      setDropoutSeed(b, i);
      step(tb2, i);
    }
    tb2.sync();
    expect(weightsOf(b)).toEqual(weightsOf(a));
    ta.dispose();
    tb2.dispose();
    for (const x of [oa, ob]) x.dispose();
    a.dispose();
    b.dispose();
  });

  it('tf.memory() stays flat over native steps, and dispose() frees what the trainer made', () => {
    const model = buildModel('cnn3', 2);
    const before = tf.memory().numTensors;
    const optimizer = tf.train.adam(1e-3);
    const trainer = NativeTrainer.create(model, optimizer) as NativeTrainer;
    const { images, labels } = batch(16, 3);
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      setDropoutSeed(model, i);
      const x = tf.tensor4d(images, [16, 28, 28, 1]);
      trainer.step(x, labels);
      x.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    trainer.dispose();
    optimizer.dispose(); // with the moments sync() gave it
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses what it does not cover, naming it (the tfjs engine then trains)', () => {
    const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'tanh' }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    const o = tf.train.adam(1e-3);
    expect(NativeTrainer.create(m, o)).toMatch(/only dense layers with bias and ReLU/);
    expect(NativeTrainer.create(buildModel('ann', 1), tf.train.sgd(0.1))).toMatch(/other than Adam/);
    o.dispose();
    m.dispose();
  });

  /** A child process: the gradient check of every model (native vs cpu) and which ops ran, as JSON. */
  function childCheck(env: NodeJS.ProcessEnv): { engine: string; oneDnn: boolean | null; worst: Record<string, number> } {
    const script = `
      const tf = require('@tensorflow/tfjs');
      const { initBackend, tensorFlowOneDnnDefault } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'backend.js'))});
      const { buildModel, setDropoutSeed, MODEL_NAMES } = require(${JSON.stringify(path.join(root, 'dist', 'models', 'architectures.js'))});
      const { NativeTrainer, nativeTrainerEngine } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'native-trainer.js'))});
      initBackend({ backend: 'node', quiet: true }).then(() => {
        let s = 5; const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const images = new Float32Array(8 * 784).map(r), labels = Array.from({ length: 8 }, () => Math.floor(r() * 10));
        const worst = {};
        for (const name of MODEL_NAMES) {
          const grads = (backend) => {
            tf.setBackend(backend);
            const m = buildModel(name, 3); setDropoutSeed(m, 7);
            const x = tf.tensor4d(images, [8, 28, 28, 1]);
            let out;
            if (backend === 'cpu') {
              const vars = m.trainableWeights.map((w) => w.read());
              const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
              const g = tf.variableGrads(() => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(m.apply(x, { training: true }), 1e-7, 1 - 1e-7))), -1))), vars);
              out = vars.map((v) => g.grads[v.name].dataSync());
            } else {
              const o = tf.train.adam(1e-3); const t = NativeTrainer.create(m, o);
              if (typeof t === 'string') throw new Error(t);
              out = t.gradients(x, labels).grads.map((g) => g.dataSync());
            }
            return out;
          };
          const ref = grads('cpu'), got = grads('tensorflow');
          worst[name] = Math.max(...ref.map((a, k) => { let sc = 0, d = 0; for (let j = 0; j < a.length; j++) { sc = Math.max(sc, Math.abs(a[j])); d = Math.max(d, Math.abs(a[j] - got[k][j])); } return d / sc; }));
        }
        console.log(JSON.stringify({ engine: nativeTrainerEngine(), oneDnn: tensorFlowOneDnnDefault(), worst }));
      });`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, FMNIST_NODE_THREADS: '1', ...env }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  }

  it('with TensorFlow\'s oneDNN turned off (TF_ENABLE_ONEDNN_OPTS=0), every model\'s gradients still match cpu', () => {
    const off = childCheck({ TF_ENABLE_ONEDNN_OPTS: '0' });
    expect(off.oneDnn).toBe(false);
    for (const [name, worst] of Object.entries(off.worst)) expect(worst, name).toBeLessThanOrEqual(TOL);
    expect(Object.keys(off.worst).sort()).toEqual([...MODEL_NAMES].sort());
  });

  it('is deterministic for a given thread count: two processes with 2 threads train to identical weights', () => {
    const script = `
      const crypto = require('crypto');
      const tf = require('@tensorflow/tfjs');
      const { initBackend } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'backend.js'))});
      const { buildModel, setDropoutSeed } = require(${JSON.stringify(path.join(root, 'dist', 'models', 'architectures.js'))});
      const { NativeTrainer } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'native-trainer.js'))});
      initBackend({ backend: 'node', quiet: true }).then(() => {
        let s = 1; const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const images = new Float32Array(256 * 784).map(r), labels = new Int32Array(256).map(() => Math.floor(r() * 10));
        const m = buildModel('cnn3', 1), opt = tf.train.adam(1e-3), t = NativeTrainer.create(m, opt);
        for (let i = 0; i < 4; i++) { setDropoutSeed(m, 100 + i); const x = tf.tensor4d(images.subarray(i * 64 * 784, (i + 1) * 64 * 784), [64, 28, 28, 1]); t.step(x, labels.subarray(i * 64, (i + 1) * 64)); x.dispose(); }
        t.sync();
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

  it('the binding passes list attributes (scripts/patch-tfjs-binding.js applied), so the fused ops run', () => {
    expect(new NativeOps().fused).toBe(true);
  });

  it('inference runs TensorFlow\'s fused conv/dense ops (stock kernels: three ops each), with predictions matching the stock kernels\'', () => {
    const model = buildModel('cnn3', 6);
    const x = tf.tensor4d(randomValues(16 * 784, 12, 0, 1), [16, 28, 28, 1]);
    const backend = tf.backend() as unknown as { executeSingleOutput: (name: string, ...rest: unknown[]) => tf.Tensor };
    const plain = backend.executeSingleOutput;
    const ran = (fast: boolean) => {
      const names: string[] = [];
      backend.executeSingleOutput = (name: string, ...rest: unknown[]) => {
        names.push(name);
        return plain.call(backend, name, ...rest);
      };
      setNodeKernelMode({ fast });
      try {
        const p = model.predict(x) as tf.Tensor;
        const values = p.dataSync() as Float32Array;
        p.dispose();
        return { names, values };
      } finally {
        backend.executeSingleOutput = plain;
        setNodeKernelMode({ fast: true });
      }
    };
    const fast = ran(true);
    const stock = ran(false);
    // conv1, conv2, dense1; the softmax output layer is a plain matMul in tfjs-layers either way.
    expect(fast.names.filter((n) => /Fused(Conv2D|MatMul)$/.test(n)), fast.names.join(" ")).toHaveLength(3);
    expect(fast.names).not.toContain('Conv2D');
    expect(stock.names).toContain('Conv2D');
    expect(worstRelative(fast.values, stock.values)).toBeLessThanOrEqual(TOL);
    x.dispose();
    model.dispose();
  });
});

describe.skipIf(!nativeBackendBuilt())('choosing the engine (FMNIST_ENGINE)', () => {
  it('trains with the native step by default and with tfjs\' engine under FMNIST_ENGINE=tfjs', async () => {
    const { createStepper, TFJS_ENGINE } = await import('../src/training/engine');
    await initBackend({ backend: 'node', quiet: true });
    const model = buildModel('cnn1', 1);
    const before = process.env.FMNIST_ENGINE;
    try {
      delete process.env.FMNIST_ENGINE;
      const native = createStepper(model, tf.train.adam(1e-3), 'node');
      expect(native.engine).toBe(nativeTrainerEngine());
      native.dispose();
      process.env.FMNIST_ENGINE = 'tfjs';
      const tfjs = createStepper(model, tf.train.adam(1e-3), 'node');
      expect(tfjs.engine).toBe(TFJS_ENGINE);
      tfjs.dispose();
    } finally {
      if (before === undefined) delete process.env.FMNIST_ENGINE;
      else process.env.FMNIST_ENGINE = before;
      model.dispose();
    }
  });
});
