import { describe, expect, it } from 'vitest';
import { accuracy, classificationMetrics, confusionMatrix } from '../src/evaluation/metrics';

describe('classification metrics, hand-worked', () => {
  // 3 classes, 8 examples.
  //   true: 0 0 0 1 1 1 2 2
  //   pred: 0 0 1 1 1 0 2 1
  const yTrue = [0, 0, 0, 1, 1, 1, 2, 2];
  const yPred = [0, 0, 1, 1, 1, 0, 2, 1];

  it('confusion matrix: rows are true classes, columns predicted', () => {
    expect(confusionMatrix(yTrue, yPred, 3)).toEqual([
      [2, 1, 0],
      [1, 2, 0],
      [0, 1, 1],
    ]);
  });

  it('accuracy, precision, recall, F1, support, macro and weighted F1', () => {
    const m = classificationMetrics(yTrue, yPred, 3);
    expect(m.accuracy).toBeCloseTo(5 / 8, 12);
    expect(accuracy(yTrue, yPred)).toBeCloseTo(5 / 8, 12);
    // class 0: tp 2, predicted 3 (col), support 3 → P = 2/3, R = 2/3, F1 = 2/3
    // class 1: tp 2, predicted 4, support 3 → P = 1/2, R = 2/3, F1 = 2·(1/2·2/3)/(1/2+2/3) = (2/3)/(7/6) = 4/7
    // class 2: tp 1, predicted 1, support 2 → P = 1, R = 1/2, F1 = 2·(1/2)/(3/2) = 2/3
    const expected = [
      { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
      { precision: 1 / 2, recall: 2 / 3, f1: 4 / 7, support: 3 },
      { precision: 1, recall: 1 / 2, f1: 2 / 3, support: 2 },
    ];
    m.perClass.forEach((c, k) => {
      expect(c.precision).toBeCloseTo(expected[k].precision, 12);
      expect(c.recall).toBeCloseTo(expected[k].recall, 12);
      expect(c.f1).toBeCloseTo(expected[k].f1, 12);
      expect(c.support).toBe(expected[k].support);
    });
    expect(m.macroF1).toBeCloseTo((2 / 3 + 4 / 7 + 2 / 3) / 3, 12); // 0.634920…
    expect(m.weightedF1).toBeCloseTo((3 * (2 / 3) + 3 * (4 / 7) + 2 * (2 / 3)) / 8, 12); // 0.630952…
    expect(m.macroPrecision).toBeCloseTo((2 / 3 + 1 / 2 + 1) / 3, 12);
    expect(m.count).toBe(8);
  });

  it('a class never predicted gets precision 0 (not NaN) and F1 0', () => {
    // class 2 is never predicted: true 0 1 2 2, pred 0 1 0 1
    const m = classificationMetrics([0, 1, 2, 2], [0, 1, 0, 1], 3);
    expect(m.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.perClass[0]).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expect(Number.isNaN(m.macroF1)).toBe(false);
    expect(m.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 0) / 3, 12);
  });

  it('a class absent from the labels has recall 0 and support 0; its wrong predictions still cost precision', () => {
    const m = classificationMetrics([0, 0, 1], [0, 2, 1], 3);
    expect(m.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.perClass[0].recall).toBe(0.5);
    expect(m.weightedF1).toBeCloseTo((2 * (2 / 3) + 1 * 1) / 3, 12);
  });

  it('perfect predictions give 1 everywhere; bad input is rejected', () => {
    const m = classificationMetrics([0, 1, 2], [0, 1, 2], 3);
    expect([m.accuracy, m.macroF1, m.weightedF1]).toEqual([1, 1, 1]);
    expect(() => classificationMetrics([0, 1], [0], 3)).toThrow(/length/);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/not a class/);
  });
});
