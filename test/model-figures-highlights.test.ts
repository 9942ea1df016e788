import { describe, expect, it } from 'vitest';
import { modelHighlights, topConfusion } from '../src/figures/model-highlights';

describe('topConfusion', () => {
  it('finds the largest off-diagonal cell, ignoring the diagonal', () => {
    const m = [
      [50, 2, 9],
      [4, 60, 0],
      [11, 1, 40],
    ];
    expect(topConfusion(m)).toEqual({ trueLabel: 2, predicted: 0, count: 11 });
  });

  it('returns undefined when there is no mistake', () => {
    expect(topConfusion([[3, 0], [0, 4]])).toBeUndefined();
  });
});

describe('modelHighlights', () => {
  const names = ['Alpha', 'Beta', 'Gamma'];
  const report = {
    train: { accuracy: 0.95 },
    test: {
      accuracy: 0.9,
      macroF1: 0.8912,
      perClass: [
        { precision: 0.9, recall: 0.9, f1: 0.9, support: 10 },
        { precision: 1, recall: 1, f1: 0.97, support: 10 },
        { precision: 0.7, recall: 0.8, f1: 0.75, support: 10 },
      ],
      confusion: [
        [9, 0, 1],
        [0, 10, 0],
        [3, 0, 7],
      ],
    },
  };

  it('states accuracy, gap, best and worst class and the top confusion from the numbers given', () => {
    const lines = modelHighlights('cnn3', report, names);
    expect(lines[0]).toBe('CNN 3: test accuracy 90.0%, macro F1 0.891; training-split accuracy 95.0%, a gap of 5.0 percentage points.');
    expect(lines[1]).toBe('Best-recognised class: Beta (F1 0.970); hardest: Gamma (F1 0.750).');
    expect(lines[2]).toBe('Most frequent mistake: 3 test images of Gamma predicted as Alpha.');
  });

  it('says so when nothing was misclassified', () => {
    const perfect = { ...report, test: { ...report.test, confusion: [[10, 0, 0], [0, 10, 0], [0, 0, 10]] } };
    expect(modelHighlights('ann', perfect, names)[2]).toBe('No test image was misclassified.');
  });
});
