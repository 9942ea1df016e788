/**
 * Which test images the figures explain, chosen by rule from the predictions (never by eye): the
 * first correctly classified and the first misclassified image of each class in test order, and for
 * a pair of classes the confusions between them and the images the model is least sure about.
 */
import { NUM_CLASSES } from '../data/types';

export interface ExampleImage {
  /** Position in the test split. */
  index: number;
  label: number;
  predicted: number;
}

/** Per class, the first correct and the first misclassified test image (undefined when there is none). */
export function examplesPerClass(labels: ArrayLike<number>, predicted: ArrayLike<number>): Array<{ correct?: ExampleImage; wrong?: ExampleImage }> {
  const out = Array.from({ length: NUM_CLASSES }, () => ({}) as { correct?: ExampleImage; wrong?: ExampleImage });
  for (let i = 0; i < labels.length; i++) {
    const slot = out[labels[i]];
    const e = { index: i, label: labels[i], predicted: predicted[i] };
    if (labels[i] === predicted[i]) slot.correct ??= e;
    else slot.wrong ??= e;
  }
  return out;
}

/** The first `perClass` test images of each class, in test order (the sanity check's images). */
export function firstPerClass(labels: ArrayLike<number>, perClass: number): number[] {
  const taken = new Array<number>(NUM_CLASSES).fill(0);
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (taken[labels[i]] < perClass) (taken[labels[i]]++, out.push(i));
  return out;
}

/** Indices of test images with label `from` predicted as `to`. */
export function confusions(labels: ArrayLike<number>, predicted: ArrayLike<number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === from && predicted[i] === to) out.push(i);
  return out;
}

export interface Uncertain extends ExampleImage {
  /** Probability of the most and second most probable class, and which that second one is. */
  top: number;
  second: number;
  secondClass: number;
  margin: number;
}

/**
 * The `count` test images whose two most probable classes are exactly the pair {a, b}, with the smallest
 * margin between those two probabilities: where the model hesitates between them.
 */
export function leastSure(probabilities: Float32Array, labels: ArrayLike<number>, pair: readonly [number, number], count: number): Uncertain[] {
  const all: Uncertain[] = [];
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    let first = 0;
    for (let k = 1; k < NUM_CLASSES; k++) if (p[k] > p[first]) first = k;
    let second = first === 0 ? 1 : 0;
    for (let k = 0; k < NUM_CLASSES; k++) if (k !== first && p[k] > p[second]) second = k;
    const inPair = (c: number) => c === pair[0] || c === pair[1];
    if (inPair(first) && inPair(second)) all.push({ index: i, label: labels[i], predicted: first, top: p[first], second: p[second], secondClass: second, margin: p[first] - p[second] });
  }
  return all.sort((x, y) => x.margin - y.margin || x.index - y.index).slice(0, count);
}

/** Mean of the maps (n × size) at `rows`, or undefined for no rows. */
export function meanMap(maps: Float32Array, size: number, rows: readonly number[]): Float32Array | undefined {
  if (rows.length === 0) return undefined;
  const out = new Float32Array(size);
  for (const r of rows) for (let p = 0; p < size; p++) out[p] += maps[r * size + p] / rows.length;
  return out;
}
