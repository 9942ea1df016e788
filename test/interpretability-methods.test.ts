// Known answers for notebook 08's attribution methods on tiny hand-built networks (src/interpretability/):
// each test states what the method must give and would fail on a method that computed something else.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_SIZE, PIXELS } from '../src/data/types';
import { gradientSaliency, gradientTimesInput } from '../src/interpretability/saliency';
import { gradCam } from '../src/interpretability/grad-cam';
import { occlusionSensitivity, patchStarts } from '../src/interpretability/occlusion';
import { activationsAt, logits, pixelsToTensor } from '../src/interpretability/network';
import seedrandom from 'seedrandom';

beforeAll(async () => {
  await tf.setBackend('cpu'); // exact float32 arithmetic, the same on every machine
});

const rng = seedrandom.alea('interpretability-tests');
const randomArray = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
const randomImages = (n: number) => Float32Array.from({ length: n * PIXELS }, () => rng());

/** flatten → one Dense layer with kernel W (784 × 10) and bias b; linear or softmax. */
function linearModel(w: Float32Array, b: Float32Array, activation: 'linear' | 'softmax'): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] }));
  model.add(tf.layers.dense({ units: 10, activation, name: 'output' }));
  model.getLayer('output').setWeights([tf.tensor2d(w, [PIXELS, 10]), tf.tensor1d(b)]);
  return model;
}

describe('gradient saliency', () => {
  it('of a linear model is its weight column for the class, whatever the image (also behind a softmax: logits are differentiated)', async () => {
    const w = randomArray(PIXELS * 10);
    const b = randomArray(10);
    for (const activation of ['linear', 'softmax'] as const) {
      const model = linearModel(w, b, activation);
      const classes = [3, 7];
      const g = await gradientSaliency(model, randomImages(2), classes);
      classes.forEach((c, i) => {
        const column = Float32Array.from({ length: PIXELS }, (_, p) => w[p * 10 + c]);
        expect(Array.from(g.subarray(i * PIXELS, (i + 1) * PIXELS))).toEqual(Array.from(column));
      });
      model.dispose();
    }
  });

  it('matches central finite differences of the logit on a small nonlinear convolutional network', async () => {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 3, kernelSize: 3, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
    const image = randomImages(1);
    const c = 4;
    const g = await gradientSaliency(model, image, [c]);
    const logit = (x: Float32Array) => tf.tidy(() => logits(model, pixelsToTensor(x)).dataSync()[c]);
    const eps = 1e-2;
    // Pixels across the image, including where max-pooling routes the gradient.
    for (const p of [0, 29, 100, 250, 393, 406, 511, 600, 700, 783]) {
      const up = image.slice();
      const down = image.slice();
      up[p] += eps;
      down[p] -= eps;
      const fd = (logit(up) - logit(down)) / (2 * eps);
      expect(Math.abs(g[p] - fd), `pixel ${p}: gradient ${g[p]}, finite difference ${fd}`).toBeLessThan(2e-3 + 0.02 * Math.abs(fd));
    }
    model.dispose();
  });

  it('gradient × input is the gradient times the pixel', async () => {
    const model = linearModel(randomArray(PIXELS * 10), randomArray(10), 'softmax');
    const x = randomImages(1);
    const [g, gx] = [await gradientSaliency(model, x, [1]), await gradientTimesInput(model, x, [1])];
    expect(Array.from(gx)).toEqual(Array.from(Float32Array.from(g, (v, i) => v * x[i])));
    model.dispose();
  });
});

describe('occlusion sensitivity', () => {
  it('patch positions cover every pixel, the last one flush with the edge', () => {
    expect(patchStarts(28, 6, 2)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
    expect(patchStarts(28, 6, 4)).toEqual([0, 4, 8, 12, 16, 20, 22]);
    expect(() => patchStarts(28, 30, 2)).toThrow(/do not fit/);
  });

  it('hiding a region the model gives no weight changes nothing there; hiding a weighted region does', async () => {
    // Weights are zero on rows 0–9: every patch that covers only rows 0–9 (starting at row ≤ 4) is irrelevant.
    const w = randomArray(PIXELS * 10, 0.2);
    for (let p = 0; p < 10 * IMAGE_SIZE * 10; p++) w[p] = 0;
    const model = linearModel(w, randomArray(10), 'softmax');
    const map = await occlusionSensitivity(model, randomImages(1), [2]);
    for (let p = 0; p < 5 * IMAGE_SIZE; p++) expect(map[p]).toBe(0);
    expect(Math.max(...Array.from(map.subarray(12 * IMAGE_SIZE), Math.abs))).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('a pixel is the mean drop in the class probability over the patches that hid it', async () => {
    // One weight: class 0's logit grows with pixel (14, 14); hiding it with fill 0 lowers p0 by a known amount.
    const w = new Float32Array(PIXELS * 10);
    w[(14 * IMAGE_SIZE + 14) * 10] = 5;
    const model = linearModel(w, new Float32Array(10), 'softmax');
    const x = new Float32Array(PIXELS);
    x[14 * IMAGE_SIZE + 14] = 1;
    const map = await occlusionSensitivity(model, x, [0], { patch: 4, stride: 4, fill: 0 });
    const p0 = Math.exp(5) / (Math.exp(5) + 9);
    // Stride 4 = patch: each pixel is hidden by exactly one patch; the one over (14, 14) spans rows/cols 12–15.
    expect(map[14 * IMAGE_SIZE + 14]).toBeCloseTo(p0 - 0.1, 5);
    expect(map[12 * IMAGE_SIZE + 12]).toBeCloseTo(p0 - 0.1, 5);
    expect(map[11 * IMAGE_SIZE + 11]).toBe(0);
    model.dispose();
  });
});

describe('Grad-CAM', () => {
  it('of a one-filter network with positive class weights is that filter\'s feature map (up to scale)', async () => {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 1, kernelSize: 3, activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'output' }));
    const w = Float32Array.from({ length: 26 * 26 * 10 }, (_, i) => (i % 10 === 6 ? 0.01 + rng() : rng() * 2 - 1));
    model.getLayer('output').setWeights([tf.tensor2d(w, [26 * 26, 10]), tf.zeros([10])]);
    const x = randomImages(1);
    const cam = await gradCam(model, x, [6], 'conv');
    expect([cam.height, cam.width]).toEqual([26, 26]);
    const a = tf.tidy(() => activationsAt(model, 'conv', pixelsToTensor(x)).dataSync()) as Float32Array;
    const scale = (v: ArrayLike<number>) => {
      const m = Math.max(...Array.from(v));
      return Array.from(v, (e) => e / m);
    };
    const got = scale(cam.coarse);
    scale(a).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    expect(cam.maps.length).toBe(PIXELS); // resized to the input
    model.dispose();
  });

  it('is zero where the class\'s evidence is negative (the ReLU)', async () => {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 1, kernelSize: 3, activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.ones() }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 10, name: 'output' }));
    model.getLayer('output').setWeights([tf.fill([26 * 26, 10], -1), tf.zeros([10])]);
    const cam = await gradCam(model, randomImages(1), [0], 'conv');
    expect(Math.max(...Array.from(cam.coarse))).toBe(0);
    model.dispose();
  });
});
