/**
 * How well a two-dimensional projection keeps the classes apart, measured the same way for every
 * projection: leave-one-out k-nearest-neighbour accuracy (each point classified by the majority of
 * its k nearest other points) and the silhouette (Rousseeuw, 1987) per class, both in Euclidean distance.
 */
import { NUM_CLASSES } from '../data/types';

export interface Separation {
  k: number;
  /** Share of points whose k nearest neighbours vote for their own class. */
  knnAccuracy: number;
  /** Per class: the share of its points the vote gets right (recall). */
  knnRecall: number[];
  /** knnConfusion[true][voted]: counts. */
  knnConfusion: number[][];
  /** Mean silhouette over all points, and per class. */
  silhouette: number;
  silhouetteByClass: number[];
  count: number;
}

function squaredDistances(points: number[][]): Float64Array {
  const n = points.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < points[i].length; c++) {
        const t = points[i][c] - points[j][c];
        s += t * t;
      }
      d[i * n + j] = s;
      d[j * n + i] = s;
    }
  }
  return d;
}

/** The label the k nearest other points vote for; a tie goes to the tied class with the nearest member. */
function vote(order: number[], labels: ArrayLike<number>, k: number): number {
  const votes = new Array<number>(NUM_CLASSES).fill(0);
  for (let j = 0; j < k; j++) votes[labels[order[j]]]++;
  const best = Math.max(...votes);
  for (const j of order.slice(0, k)) if (votes[labels[j]] === best) return labels[j];
  return labels[order[0]];
}

export function separation(points: number[][], labels: ArrayLike<number>, k = 10): Separation {
  const n = points.length;
  if (labels.length !== n) throw new Error(`separation: ${n} points, ${labels.length} labels`);
  if (n <= k) throw new Error(`separation: ${n} points are too few for k = ${k}`);
  const d = squaredDistances(points);
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  const sil = new Float64Array(n);
  const sizes = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  const others = Array.from({ length: n - 1 }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    const row = d.subarray(i * n, (i + 1) * n);
    // k nearest others: a partial selection would be faster; a sort of n keeps it obvious and is fast enough at n = 3,000.
    const order = others.map((j) => (j < i ? j : j + 1)).sort((a, b) => row[a] - row[b] || a - b);
    confusion[labels[i]][vote(order, labels, k)]++;
    // Silhouette: a = mean distance to its own class, b = smallest mean distance to another class.
    const sums = new Array<number>(NUM_CLASSES).fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j]] += Math.sqrt(row[j]);
    const own = labels[i];
    if (sizes[own] < 2) continue; // a point alone in its class has silhouette 0
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < NUM_CLASSES; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    sil[i] = Number.isFinite(b) && Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
  }
  const correct = confusion.reduce((s, row, c) => s + row[c], 0);
  const byClass = (f: (c: number) => number) => Array.from({ length: NUM_CLASSES }, (_, c) => (sizes[c] > 0 ? f(c) : NaN));
  const silSums = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < n; i++) silSums[labels[i]] += sil[i];
  return {
    k,
    knnAccuracy: correct / n,
    knnRecall: byClass((c) => confusion[c][c] / sizes[c]),
    knnConfusion: confusion,
    silhouette: sil.reduce((s, v) => s + v, 0) / n,
    silhouetteByClass: byClass((c) => silSums[c] / sizes[c]),
    count: n,
  };
}
