import { NUM_CLASSES } from '../data/types';

/** Scores of one class, as sklearn's classification_report prints them. */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** How many examples truly belong to the class. */
  support: number;
}

export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  /** Unweighted mean of the per-class F1 over all classes. */
  macroF1: number;
  /** Per-class F1 weighted by support. */
  weightedF1: number;
  macroPrecision: number;
  macroRecall: number;
  /** Index k = class label k. */
  perClass: ClassScores[];
  /** confusion[t][p] = how many examples of true class t were predicted as p (rows true, columns predicted). */
  confusion: number[][];
}

function checkSameLength(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  if (yTrue.length !== yPred.length) throw new Error(`labels and predictions differ in length (${yTrue.length} vs ${yPred.length})`);
}

/** Fraction of positions where the prediction equals the label (0 for empty input). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength(yTrue, yPred);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return yTrue.length === 0 ? 0 : hits / yTrue.length;
}

/** Rows = true class, columns = predicted class. Labels outside 0..numClasses-1 are an error. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses = NUM_CLASSES): number[][] {
  checkSameLength(yTrue, yPred);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses && Number.isInteger(t) && Number.isInteger(p))) {
      throw new Error(`label ${t} or prediction ${p} at position ${i} is not a class in 0..${numClasses - 1}`);
    }
    m[t][p]++;
  }
  return m;
}

/**
 * Accuracy, per-class precision/recall/F1/support, macro and weighted F1 and the confusion matrix.
 *
 * Zero-division convention (sklearn's `zero_division=0`): a class that is never predicted has
 * precision 0 (not NaN); a class with no true examples has recall 0; F1 is 0 when precision and
 * recall are both 0. Macro averages run over all `numClasses` classes, present or not.
 */
export function classificationMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses = NUM_CLASSES): ClassificationMetrics {
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const count = yTrue.length;
  const perClass: ClassScores[] = [];
  let hits = 0;
  for (let k = 0; k < numClasses; k++) {
    const tp = confusion[k][k];
    hits += tp;
    let predicted = 0; // column sum
    let support = 0; // row sum
    for (let j = 0; j < numClasses; j++) {
      predicted += confusion[j][k];
      support += confusion[k][j];
    }
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ precision, recall, f1, support });
  }
  const mean = (f: (c: ClassScores) => number) => perClass.reduce((s, c) => s + f(c), 0) / numClasses;
  return {
    count,
    accuracy: count === 0 ? 0 : hits / count,
    macroF1: mean((c) => c.f1),
    weightedF1: count === 0 ? 0 : perClass.reduce((s, c) => s + c.f1 * c.support, 0) / count,
    macroPrecision: mean((c) => c.precision),
    macroRecall: mean((c) => c.recall),
    perClass,
    confusion,
  };
}
