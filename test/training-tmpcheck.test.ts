import { it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadFixture } from '../src/data/load';
import { splitDataset } from '../src/data/splits';
import { buildModel } from '../src/models/architectures';
import { trainModel, modelWeights } from '../src/training/loop';
import { trainingConfig } from '../src/training/profiles';
import { epochLineProgress } from '../src/training/progress';
it('runs', async () => {
  await tf.setBackend('cpu');
  const ds = await loadFixture();
  const split = splitDataset(ds, 'paper', 42);
  for (const name of ['ann', 'cnn3'] as const) {
    const t0 = Date.now();
    const m = buildModel(name, 42);
    const r = await trainModel(m, split, trainingConfig('smoke', { epochs: 3 }), { seed: 42, stream: name, progress: epochLineProgress() });
    console.log(name, Date.now() - t0, r.bestEpoch, tf.memory().numTensors);
  }
});
