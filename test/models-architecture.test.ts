import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildModel, MODEL_NAMES, setDropoutSeed, assertModelName } from '../src/models/architectures';
import { modelSummary } from '../src/models/summary';
import { paperModels } from '../src/models/registry';
import { loadModel, saveModel } from '../src/models/model-io';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Parameter counts worked by hand: dense = in·out + out; conv = kh·kw·cin·filters + filters.
const EXPECTED: Record<string, { rows: Array<[string, Array<number | null>, number]>; total: number }> = {
  ann: {
    rows: [
      ['flatten', [null, 784], 0],
      ['dense1', [null, 64], 784 * 64 + 64], // 50,240
      ['dense2', [null, 128], 64 * 128 + 128], // 8,320
      ['output', [null, 10], 128 * 10 + 10], // 1,290
    ],
    total: 50240 + 8320 + 1290, // 59,850
  },
  cnn1: {
    rows: [
      ['conv1', [null, 25, 25, 32], 4 * 4 * 1 * 32 + 32], // 544; 28 − 4 + 1 = 25
      ['pool1', [null, 12, 12, 32], 0], // floor(25 / 2) = 12
      ['flatten', [null, 4608], 0], // 12·12·32
      ['dense1', [null, 128], 4608 * 128 + 128], // 589,952
      ['output', [null, 10], 1290],
    ],
    total: 544 + 589952 + 1290, // 591,786
  },
  cnn3: {
    rows: [
      ['conv1', [null, 26, 26, 32], 3 * 3 * 1 * 32 + 32], // 320
      ['pool1', [null, 13, 13, 32], 0],
      ['conv2', [null, 11, 11, 64], 3 * 3 * 32 * 64 + 64], // 18,496
      ['pool2', [null, 5, 5, 64], 0], // floor(11 / 2) = 5
      ['flatten', [null, 1600], 0],
      ['dense1', [null, 128], 1600 * 128 + 128], // 204,928
      ['dropout', [null, 128], 0],
      ['output', [null, 10], 1290],
    ],
    total: 320 + 18496 + 204928 + 1290, // 225,034
  },
};
EXPECTED.cnn2 = EXPECTED.cnn1;

describe('the four architectures', () => {
  it('has the paper\'s models first, in the paper\'s order', () => {
    expect(paperModels()).toEqual(['ann', 'cnn1', 'cnn2', 'cnn3']);
    expect(MODEL_NAMES.slice(0, 4)).toEqual(paperModels());
    expect(() => assertModelName('mlp')).toThrow(new RegExp(MODEL_NAMES.join(', ')));
  });

  for (const name of MODEL_NAMES) {
    it(`${name}: layers, output shapes and parameter counts match the hand computation`, () => {
      const model = buildModel(name, 1);
      const summary = modelSummary(model);
      expect(summary.rows.map((r) => [r.layer, r.outputShape, r.params])).toEqual(EXPECTED[name].rows);
      expect(summary.total).toBe(EXPECTED[name].total);
      expect(summary.trainable).toBe(EXPECTED[name].total);
      expect(model.countParams()).toBe(EXPECTED[name].total);
      model.dispose();
    });
  }

  it('cnn2 states strides [1, 1]; cnn1 uses the same default', () => {
    const c1 = buildModel('cnn1', 1).getLayer('conv1').getConfig();
    const c2 = buildModel('cnn2', 1).getLayer('conv1').getConfig();
    expect(c1.strides).toEqual([1, 1]);
    expect(c2.strides).toEqual([1, 1]);
    expect(c1.padding).toBe('valid');
    expect(c1.kernelSize).toEqual([4, 4]);
  });

  it('initialisation is seeded: same seed same weights, other seed or other model different', () => {
    const w = (name: 'cnn1' | 'cnn2', seed: number) => buildModel(name, seed).getLayer('conv1').getWeights()[0].dataSync();
    expect(Array.from(w('cnn1', 7))).toEqual(Array.from(w('cnn1', 7)));
    expect(Array.from(w('cnn1', 7))).not.toEqual(Array.from(w('cnn1', 8)));
    expect(Array.from(w('cnn1', 7))).not.toEqual(Array.from(w('cnn2', 7)));
    // Biases start at zero (Keras default).
    expect(Array.from(buildModel('cnn3', 7).getLayer('dense1').getWeights()[1].dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('dropout: a fixed seed repeats the mask (the tfjs pitfall), a new seed per step does not', () => {
    const model = buildModel('cnn3', 3);
    const x = tf.ones([4, 28, 28, 1]);
    const run = () => (model.apply(x, { training: true }) as tf.Tensor).dataSync().slice();
    setDropoutSeed(model, 11);
    const a = run();
    const b = run();
    expect(Array.from(a)).toEqual(Array.from(b)); // same seed → same mask every call
    setDropoutSeed(model, 12);
    expect(Array.from(run())).not.toEqual(Array.from(a));
    setDropoutSeed(model, undefined);
    // Inference ignores dropout altogether.
    const p1 = (model.predict(x) as tf.Tensor).dataSync();
    const p2 = (model.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(p1)).toEqual(Array.from(p2));
  });

  it('saves and loads through the fs handler with identical predictions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-model-io-'));
    const model = buildModel('cnn3', 5);
    await saveModel(model, dir);
    expect(fs.existsSync(path.join(dir, 'model.json'))).toBe(true);
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(225034 * 4);
    const loaded = await loadModel(dir);
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 9);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    expect(modelSummary(loaded).rows.map((r) => r.layer)).toEqual(modelSummary(model).rows.map((r) => r.layer));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('layer settings in words (the architecture figures)', () => {
  it("read the paper's choices off each layer's Keras config", async () => {
    const { layerSettings } = await import('../src/models/summary');
    expect(layerSettings('Conv2D', { filters: 32, kernelSize: [4, 4], strides: [1, 1], padding: 'valid', activation: 'relu' })).toBe('32 filters, 4 × 4, stride 1, valid padding, ReLU');
    expect(layerSettings('MaxPooling2D', { poolSize: [2, 2], strides: [2, 2] })).toBe('2 × 2 window, stride 2');
    expect(layerSettings('Dense', { units: 10, activation: 'softmax' })).toBe('10 units, softmax');
    expect(layerSettings('Dropout', { rate: 0.2 })).toBe('rate 0.2');
    expect(layerSettings('Flatten', {})).toBe('');
  });
});
