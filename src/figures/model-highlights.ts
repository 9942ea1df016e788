/**
 * A few sentences that read a model's results for the notebook narrative (best and worst class, the most
 * frequent confusion, the train–test gap), computed from the results so the markdown never hard-codes
 * a number that a rerun would change.
 */
import { CLASS_NAMES } from '../data/classes';
import type { ClassScoresLike } from './model-figures';
import { modelTitle } from './model-figure-text';

export interface HighlightsReportLike {
  train: { accuracy: number };
  test: { accuracy: number; macroF1: number; perClass: readonly ClassScoresLike[]; confusion: readonly (readonly number[])[] };
}

/** The largest off-diagonal cell: which true class is most often predicted as which other class. */
export function topConfusion(confusion: readonly (readonly number[])[]): { trueLabel: number; predicted: number; count: number } | undefined {
  let best: { trueLabel: number; predicted: number; count: number } | undefined;
  confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t !== p && count > 0 && (best === undefined || count > best.count)) best = { trueLabel: t, predicted: p, count };
    }),
  );
  return best;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function modelHighlights(model: string, report: HighlightsReportLike, classNames: readonly string[] = CLASS_NAMES): string[] {
  const t = modelTitle(model);
  const { test } = report;
  const gap = report.train.accuracy - test.accuracy;
  const lines = [
    `${t}: test accuracy ${pct(test.accuracy)}, macro F1 ${test.macroF1.toFixed(3)}; ` +
      `training-split accuracy ${pct(report.train.accuracy)}, a gap of ${(gap * 100).toFixed(1)} percentage points.`,
  ];
  if (test.perClass.length > 0) {
    const order = test.perClass.map((c, k) => ({ k, f1: c.f1 })).sort((a, b) => b.f1 - a.f1 || a.k - b.k);
    const best = order[0];
    const worst = order[order.length - 1];
    lines.push(
      `Best-recognised class: ${classNames[best.k]} (F1 ${best.f1.toFixed(3)}); hardest: ${classNames[worst.k]} (F1 ${worst.f1.toFixed(3)}).`,
    );
  }
  const top = topConfusion(test.confusion);
  lines.push(
    top
      ? `Most frequent mistake: ${top.count} test images of ${classNames[top.trueLabel]} predicted as ${classNames[top.predicted]}.`
      : 'No test image was misclassified.',
  );
  return lines;
}
