import { beforeAll, describe, expect, it } from 'vitest';
import { allocate, classCounts, gatherByIndex, parseSplitProtocol, scalePixels, splitDataset, splitIndices, subsetStratified } from '../src/data/splits';
import { loadFixture, loadFashionMnist } from '../src/data/load';
import { FashionMnist, NUM_CLASSES, PIXELS, Split } from '../src/data/types';
import { HAVE_REAL, REAL_DIR } from './data-helpers';

function perClass(labels: Uint8Array): number[] {
  return classCounts(labels);
}

/** Disjoint, covering (paper: all images; official: all training images + the whole test set) and consistent with the source. */
function checkSplitStructure(ds: FashionMnist, s: Split): void {
  const total = ds.train.count + ds.test.count;
  const seen = new Uint8Array(total);
  for (const part of [s.train, s.val, s.test]) {
    expect(part.count).toBe(part.indices.length);
    expect(part.images.length).toBe(part.count * PIXELS);
    for (let j = 0; j < part.indices.length; j++) {
      const i = part.indices[j];
      expect(seen[i]).toBe(0); // disjoint
      seen[i] = 1;
    }
  }
  expect(seen.every((x) => x === 1)).toBe(true); // covers every image exactly once
  // labels and pixels really are the ones at those indices
  for (const part of [s.train, s.val, s.test]) {
    const again = gatherByIndex(ds, part.indices);
    expect(Buffer.from(again.labels).equals(Buffer.from(part.labels))).toBe(true);
    expect(Buffer.from(again.images).equals(Buffer.from(part.images))).toBe(true);
  }
}

describe('on the fixture (300 train + 100 test, 40 per class)', () => {
  let ds: FashionMnist;
  beforeAll(async () => {
    ds = await loadFixture();
  });

  it('paper: stratified 60:20:20 over all images (24/8/8 per class)', () => {
    const s = splitDataset(ds, 'paper', 1);
    expect([s.train.count, s.val.count, s.test.count]).toEqual([240, 80, 80]);
    expect(perClass(s.train.labels)).toEqual(new Array(10).fill(24));
    expect(perClass(s.val.labels)).toEqual(new Array(10).fill(8));
    expect(perClass(s.test.labels)).toEqual(new Array(10).fill(8));
    checkSplitStructure(ds, s);
    // the paper protocol mixes official train and test images into every part
    expect(s.test.indices.some((i) => i < ds.train.count)).toBe(true);
    expect(s.train.indices.some((i) => i >= ds.train.count)).toBe(true);
  });

  it('official: test set untouched, 1/6 of training held out stratified', () => {
    const s = splitDataset(ds, 'official', 1);
    expect([s.train.count, s.val.count, s.test.count]).toEqual([250, 50, 100]);
    expect(Array.from(s.test.indices)).toEqual(Array.from({ length: 100 }, (_, i) => 300 + i));
    expect(Buffer.from(s.test.images).equals(Buffer.from(ds.test.images))).toBe(true);
    expect(perClass(s.val.labels)).toEqual(new Array(10).fill(5));
    expect(s.val.indices.every((i) => i < 300)).toBe(true);
    checkSplitStructure(ds, s);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    for (const protocol of ['paper', 'official'] as const) {
      const a = splitIndices(ds, protocol, 42);
      const b = splitIndices(ds, protocol, 42);
      const c = splitIndices(ds, protocol, 43);
      expect(Array.from(a.val)).toEqual(Array.from(b.val));
      expect(Array.from(a.train)).toEqual(Array.from(b.train));
      expect(Array.from(a.val)).not.toEqual(Array.from(c.val));
    }
  });

  it('rejects bad seeds and unknown protocols, listing the valid ones', () => {
    expect(() => splitIndices(ds, 'paper', -1)).toThrow(/non-negative integer/);
    expect(() => splitIndices(ds, 'paper', 1.5)).toThrow(/non-negative integer/);
    expect(() => parseSplitProtocol('random')).toThrow(/valid protocols: paper, official/);
    expect(parseSplitProtocol('official')).toBe('official');
  });

  it('subsetStratified takes n per class, deterministically', () => {
    const a = subsetStratified(ds.train, 3, 7);
    expect(a.count).toBe(30);
    expect(perClass(a.labels)).toEqual(new Array(10).fill(3));
    expect(Array.from(subsetStratified(ds.train, 3, 7).indices)).toEqual(Array.from(a.indices));
    expect(Array.from(subsetStratified(ds.train, 3, 8).indices)).not.toEqual(Array.from(a.indices));
    const k = 4;
    const i = a.indices[k];
    expect(Buffer.from(a.images.subarray(k * PIXELS, (k + 1) * PIXELS)).equals(Buffer.from(ds.train.images.subarray(i * PIXELS, (i + 1) * PIXELS)))).toBe(true);
    expect(() => subsetStratified(ds.train, 31, 0)).toThrow(/fewer than the 31 per class/);
  });
});

describe('helpers', () => {
  it('scalePixels maps 0..255 to [0, 1]', () => {
    const out = scalePixels(Uint8Array.from([0, 51, 255]));
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([0, Math.fround(0.2), 1]);
  });

  it('allocate hits the exact total with every class within one of its share', () => {
    const counts = [7, 13, 5, 0, 22, 9, 9, 9, 1, 30];
    const got = allocate(counts, 0.2);
    expect(got.reduce((a, b) => a + b, 0)).toBe(Math.round(105 * 0.2));
    got.forEach((g, k) => {
      expect(Math.abs(g - counts[k] * 0.2)).toBeLessThan(1);
      expect(g).toBeLessThanOrEqual(counts[k]);
    });
  });
});

describe.skipIf(!HAVE_REAL)('on the real dataset', () => {
  let ds: FashionMnist;
  beforeAll(async () => {
    ds = await loadFashionMnist({ dir: REAL_DIR });
  });

  it('paper: 42,000 / 14,000 / 14,000 with exactly 4,200 / 1,400 / 1,400 per class', () => {
    const s = splitDataset(ds, 'paper', 0);
    expect([s.train.count, s.val.count, s.test.count]).toEqual([42_000, 14_000, 14_000]);
    expect(perClass(s.train.labels)).toEqual(new Array(NUM_CLASSES).fill(4200));
    expect(perClass(s.val.labels)).toEqual(new Array(NUM_CLASSES).fill(1400));
    expect(perClass(s.test.labels)).toEqual(new Array(NUM_CLASSES).fill(1400));
    checkSplitStructure(ds, s);
  });

  it('official: 50,000 / 10,000 / 10,000, validation 1,000 per class, test = the official test set', () => {
    const s = splitDataset(ds, 'official', 0);
    expect([s.train.count, s.val.count, s.test.count]).toEqual([50_000, 10_000, 10_000]);
    expect(perClass(s.val.labels)).toEqual(new Array(NUM_CLASSES).fill(1000));
    expect(perClass(s.train.labels)).toEqual(new Array(NUM_CLASSES).fill(5000));
    expect(s.test.indices[0]).toBe(60_000);
    expect(Buffer.from(s.test.labels).equals(Buffer.from(ds.test.labels))).toBe(true);
    checkSplitStructure(ds, s);
  });

  it('is deterministic across calls', () => {
    expect(Buffer.from(splitIndices(ds, 'paper', 5).val.buffer).equals(Buffer.from(splitIndices(ds, 'paper', 5).val.buffer))).toBe(true);
  });
});
