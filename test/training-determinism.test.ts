import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/backend';
import { loadFixture } from '../src/data/load';
import { buildModel, ModelName } from '../src/models/architectures';
import { trainModel, modelWeights, TrainingState, EpochRecord } from '../src/training/loop';
import { trainingConfig, learningRateAt, TrainingConfig } from '../src/training/profiles';
import { prepareRunData, RunData } from '../src/training/data';
import { deriveSeed, seededPermutation } from '../src/training/seeds';
import { testBackend } from './backend-helpers';

let data: RunData;
beforeAll(async () => {
  await initBackend({ backend: testBackend(), quiet: true });
  data = await prepareRunData('paper', 42, null, await loadFixture()); // 240 / 80 / 80 images
});

// Weights compared by digest: a failing toEqual on 200k floats would take minutes to diff.
const flat = (m: tf.LayersModel) =>
  modelWeights(m).map((w) => `${w.name}:${createHash('sha256').update(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength)).digest('hex')}`);
const withoutSeconds = (h: EpochRecord[]) => h.map(({ seconds: _s, cpuSeconds: _c, ...rest }) => rest);

async function train(name: ModelName, seed: number, config: TrainingConfig, extra: Partial<Parameters<typeof trainModel>[3]> = {}) {
  const model = buildModel(name, seed);
  const result = await trainModel(model, data, config, { seed, stream: name, ...extra });
  const weights = flat(model);
  model.dispose();
  return { result, weights };
}

describe('training is deterministic', () => {
  const config = trainingConfig('smoke', { epochs: 2 });

  for (const name of ['ann', 'cnn3'] as const) {
    it(`${name}: same seed and backend → identical weights and history; another seed → different`, async () => {
      const a = await train(name, 7, config);
      const b = await train(name, 7, config);
      const c = await train(name, 8, config);
      expect(b.weights).toEqual(a.weights);
      expect(withoutSeconds(b.result.history)).toEqual(withoutSeconds(a.result.history));
      expect(c.weights).not.toEqual(a.weights);
      expect(a.result.history).toHaveLength(2);
      // It learns something even in two tiny epochs.
      expect(a.result.history[1].loss).toBeLessThan(a.result.history[0].loss + 0.05);
    });
  }

  it('cnn3 resumed from an epoch checkpoint ends bit-identical to an uninterrupted run (Adam state, dropout, best weights)', async () => {
    const cfg: TrainingConfig = { ...trainingConfig('paper', { epochs: 3 }), batchSize: 16, subset: null }; // cosine schedule + restoreBest; 15 steps an epoch
    const full = await train('cnn3', 5, cfg);
    let afterOne: TrainingState | undefined;
    await train('cnn3', 5, { ...cfg }, {
      onCheckpoint: async (s) => {
        if (s.epochsDone === 1) afterOne = s;
      },
    });
    expect(afterOne?.epochsDone).toBe(1);
    const resumed = await train('cnn3', 5, cfg, { resume: afterOne });
    expect(resumed.result.epochsRun).toBe(2);
    expect(resumed.weights).toEqual(full.weights);
    expect(withoutSeconds(resumed.result.history)).toEqual(withoutSeconds(full.result.history));
    expect(resumed.result.bestEpoch).toBe(full.result.bestEpoch);
  });

  it('does not leak tensors: the count is the same after every epoch', async () => {
    const counts: number[] = [];
    const model = buildModel('cnn3', 1);
    const before = tf.memory().numTensors;
    await trainModel(model, data, trainingConfig('smoke', { epochs: 3 }), {
      seed: 1,
      stream: 'cnn3',
      onEpoch: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before); // optimizer state disposed at the end
    model.dispose();
  });
});

describe('seeded streams and the schedule', () => {
  it('permutations depend only on their seed', () => {
    const p = seededPermutation(1000, deriveSeed(1, 'cnn3', 'shuffle', 0));
    expect(Array.from(p)).toEqual(Array.from(seededPermutation(1000, deriveSeed(1, 'cnn3', 'shuffle', 0))));
    expect(Array.from(p)).not.toEqual(Array.from(seededPermutation(1000, deriveSeed(1, 'cnn3', 'shuffle', 1))));
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('the paper profile decays the learning rate along a cosine; smoke keeps it constant', () => {
    const paper = trainingConfig('paper');
    expect(paper.epochs).toBe(10);
    expect(trainingConfig('paper', { model: 'cnn1' }).epochs).toBe(10);
    // Equal budgets since 5 December 2026 (CNN 3 had 15), and the faithful condition's the same.
    expect(trainingConfig('paper', { model: 'cnn3' }).epochs).toBe(10);
    expect(trainingConfig('faithful', { model: 'cnn3' }).epochs).toBe(10);
    expect(trainingConfig('faithful')).toMatchObject({ batchSize: 32, lrSchedule: 'constant', augmentation: 'none', restoreBest: false });
    expect(trainingConfig('paper', { model: 'cnn3', epochs: 2 }).epochs).toBe(2);
    expect(paper.batchSize).toBe(64);
    expect(learningRateAt(paper, 0)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(paper, 5)).toBeCloseTo(0.5e-3, 12); // cos(π/2) = 0
    expect(learningRateAt(paper, 9)).toBeCloseTo(1e-3 * 0.5 * (1 + Math.cos(0.9 * Math.PI)), 12);
    expect(learningRateAt(trainingConfig('smoke', { epochs: 4 }), 3)).toBe(1e-3);
    expect(() => trainingConfig('paper', { epochs: 0 })).toThrow(/positive integer/);
    expect(() => trainingConfig('fast' as never)).toThrow(/smoke, paper/);
  });
});

describe('on the cpu backend too', () => {
  it('ann: same seed → identical weights (cnn3 is too slow on cpu for a unit test)', async () => {
    await tf.setBackend('cpu');
    try {
      const config = trainingConfig('smoke', { epochs: 2 });
      const a = await train('ann', 11, config);
      const b = await train('ann', 11, config);
      expect(b.weights).toEqual(a.weights);
      expect(withoutSeconds(b.result.history)).toEqual(withoutSeconds(a.result.history));
    } finally {
      await tf.setBackend(testBackend() === 'node' ? 'tensorflow' : testBackend());
    }
  });
});
