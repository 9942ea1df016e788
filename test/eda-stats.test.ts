import { describe, it, expect } from 'vitest';
import { PIXELS, type LabelledImages } from '../src/data/types';
import { countByClass, classDistribution, meanImageByClass, intensityHistogram, imageFeatures, sampleIndicesByClass } from '../src/eda/stats';
import { classDistributionBarFigure, classDistributionPieFigure, sampleGridFigure, meanImagesFigure, intensityHistogramFigure } from '../src/eda/figures';
import { pixelStatisticsTable, classStatisticsTable } from '../src/eda/describe';
import { mosaicMatrix } from '../src/figures/image-mosaic';
import { combinedImages } from '../src/notebook/dataset';

/** A hand-made set: image i is filled with value fill[i] on its first `ink[i]` pixels, zeros elsewhere. */
function makeSet(labels: number[], fill: number[], ink: number[]): LabelledImages {
  const images = new Uint8Array(labels.length * PIXELS);
  labels.forEach((_, i) => images.fill(fill[i], i * PIXELS, i * PIXELS + ink[i]));
  return { count: labels.length, images, labels: Uint8Array.from(labels) };
}

const set = makeSet([0, 0, 1, 9, 9, 9], [255, 51, 102, 10, 20, 30], [784, 392, 100, 1, 2, 3]);

describe('EDA statistics', () => {
  it('counts images per class, and train+test together', () => {
    expect(countByClass(set)).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 3]);
    const dist = classDistribution({ train: set, test: makeSet([1], [1], [1]) });
    expect(dist.all).toEqual([2, 2, 0, 0, 0, 0, 0, 0, 0, 3]);
    expect(() => countByClass(makeSet([10], [0], [0]))).toThrow(/label 10/);
  });

  it('mean image per class is the pixel-wise average; an empty class gives zeros', () => {
    const means = meanImageByClass(set);
    expect(means[0][0]).toBe((255 + 51) / 2);
    expect(means[0][500]).toBe(255 / 2);
    expect(means[9][0]).toBe(20);
    expect(means[9][2]).toBe(10);
    expect(Array.from(means[3]).every((v) => v === 0)).toBe(true);
  });

  it('intensity histogram counts every pixel once', () => {
    const h = intensityHistogram(set);
    expect(h.reduce((a, b) => a + b, 0)).toBe(6 * PIXELS);
    expect(h[255]).toBe(784);
    expect(h[51]).toBe(392);
    expect(h[30]).toBe(3);
  });

  it('per-image features', () => {
    const f = imageFeatures(set);
    expect(f.meanIntensity[0]).toBeCloseTo(1, 12);
    expect(f.stdIntensity[0]).toBeCloseTo(0, 12);
    expect(f.meanIntensity[1]).toBeCloseTo(0.1, 12); // half the pixels at 51/255 = 0.2
    expect(f.stdIntensity[1]).toBeCloseTo(0.1, 12);
    expect(f.inkFraction[1]).toBe(0.5);
    expect(f.maxIntensity[2]).toBeCloseTo(0.4, 12);
  });

  it('sample picks are seeded, distinct and of the right class', () => {
    const big = makeSet(Array.from({ length: 200 }, (_, i) => i % 10), new Array(200).fill(1), new Array(200).fill(1));
    const a = sampleIndicesByClass(big, 5, 7);
    expect(sampleIndicesByClass(big, 5, 7)).toEqual(a);
    expect(sampleIndicesByClass(big, 5, 8)).not.toEqual(a);
    a.forEach((row, k) => {
      expect(new Set(row).size).toBe(5);
      row.forEach((i) => expect(big.labels[i]).toBe(k));
    });
  });

  it('combines train and test, train first', () => {
    const all = combinedImages({ train: set, test: makeSet([4], [7], [784]) });
    expect(all.count).toBe(7);
    expect(all.labels[6]).toBe(4);
    expect(all.images[6 * PIXELS + 10]).toBe(7);
  });
});

describe('danfo.js tables', () => {
  it('describe() agrees with the features computed directly', () => {
    const table = pixelStatisticsTable(set);
    const row = (name: string) => table.rows.find((r) => r[0] === name)!;
    const f = imageFeatures(set);
    const mean = Array.from(f.inkFraction).reduce((a, b) => a + b, 0) / set.count;
    expect(row('count')[3]).toBe(6);
    expect(row('mean')[3] as number).toBeCloseTo(mean, 10);
    expect(row('max')[1] as number).toBeCloseTo(1, 10);
    expect(table.columns).toEqual(['statistic', 'mean intensity', 'intensity std', 'ink fraction', 'max intensity']);
  });

  it('class table has one row per present class, in label order, with the class means', () => {
    const table = classStatisticsTable(set);
    expect(table.rows.map((r) => r[0])).toEqual(['T-shirt/top', 'Trouser', 'Ankle boot']);
    expect(table.rows[0][3] as number).toBeCloseTo((1 + 0.5) / 2, 10); // ink fraction of class 0
  });
});

describe('EDA figures', () => {
  const dist = classDistribution({ train: set, test: set });

  it('bar and pie show the counts', () => {
    const bar = classDistributionBarFigure(dist);
    expect(bar.data[0].y).toEqual(dist.train);
    expect(bar.data[1].y).toEqual(dist.test);
    const pie = classDistributionPieFigure(dist);
    expect(pie.data[0].values).toEqual(dist.all);
    expect((pie.data[0].labels as string[])[9]).toBe('Ankle boot');
    // captions state balance only when it holds
    expect(bar.caption).toContain('training and');
    expect(bar.caption).not.toContain('same count');
    const even = { train: new Array(10).fill(6), test: new Array(10).fill(1), all: new Array(10).fill(7) };
    expect(classDistributionBarFigure(even).caption).toContain('every class has the same count');
  });

  it('mosaic places tiles with gaps and nulls between them', () => {
    const tiles = [new Uint8Array(784).fill(1), new Uint8Array(784).fill(2), new Uint8Array(784).fill(3)];
    const { z, rows } = mosaicMatrix(tiles, 2, 2);
    expect(rows).toBe(2);
    expect(z).toHaveLength(58);
    expect(z[0]).toHaveLength(58);
    expect(z[0][0]).toBe(1);
    expect(z[0][28]).toBeNull();
    expect(z[0][30]).toBe(2);
    expect(z[30][0]).toBe(3);
    expect(z[30][30]).toBeNull(); // no fourth tile
  });

  it('sample grid has one row per class; mean images and histogram carry their data', () => {
    const big = makeSet(Array.from({ length: 100 }, (_, i) => i % 10), new Array(100).fill(9), new Array(100).fill(784));
    const grid = sampleGridFigure(big, 4, 1);
    expect((grid.data[0].z as unknown[]).length).toBe(10 * 28 + 9 * 2);
    expect(((grid.data[0].z as unknown[][])[0]).length).toBe(4 * 28 + 3 * 2);
    const means = meanImagesFigure(meanImageByClass(big));
    expect((means.layout.annotations as unknown[]).length).toBe(10);
    const hist = intensityHistogramFigure(intensityHistogram(set));
    expect(hist.data[0].y).toEqual(intensityHistogram(set));
    expect(hist.caption).toMatch(/% of pixels are background/);
  });
});
