import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { imagesToTensor } from '../src/evaluation/predict';
import { seededCoinFlips } from '../src/training/seeds';
import { trainingConfig } from '../src/training/profiles';
import { cacheKey } from '../src/results/cache-key';
import { PIXELS } from '../src/data/types';

describe('horizontal-flip augmentation', () => {
  it('mirrors exactly the rows marked in the mask, column c -> 27 - c', async () => {
    await tf.setBackend('cpu');
    // Two images whose pixel value encodes its column (image 0) or its row (image 1).
    const images = new Uint8Array(2 * PIXELS);
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
      images[r * 28 + c] = c * 9; // 0..243
      images[PIXELS + r * 28 + c] = r * 9;
    }
    const order = Uint32Array.from([1, 0]);
    const mirror = Uint8Array.from([0, 1]); // keep position 0 (image 1), flip position 1 (image 0)
    const x = imagesToTensor(images, 0, 2, order, mirror);
    const v = (await x.array()) as number[][][][];
    x.dispose();
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
      expect(v[0][r][c][0]).toBeCloseTo((r * 9) / 255, 6); // rows image, untouched
      expect(v[1][r][c][0]).toBeCloseTo(((27 - c) * 9) / 255, 6); // columns image, mirrored
    }
  });

  it('draws seeded, reproducible, roughly fair coin flips', () => {
    const a = seededCoinFlips(10_000, 7);
    expect(seededCoinFlips(10_000, 7)).toEqual(a);
    expect(seededCoinFlips(10_000, 8)).not.toEqual(a);
    const heads = a.reduce((s, x) => s + x, 0);
    // Binomial(10000, 0.5): sd = 50, so ±250 is 5 sd.
    expect(Math.abs(heads - 5_000)).toBeLessThan(250);
  });

  it('is part of the cache key, so turning it off retrains instead of loading', () => {
    const base = { model: 'cnn3', modelConfig: {}, data: { train: 'x' }, protocol: 'paper', seed: 42, backend: 'wasm', tfjsVersion: '4.22.0' };
    const on = trainingConfig('paper', { model: 'cnn3' });
    expect(on.augmentation).toBe('hflip');
    expect(cacheKey({ ...base, training: on })).not.toBe(cacheKey({ ...base, training: { ...on, augmentation: 'none' } }));
  });
});
