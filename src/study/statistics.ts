import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { jStat } from 'jstat';

/**
 * The statistics of the seed study: summaries with t intervals, paired comparisons over seeds
 * (paired t-test, exact Wilcoxon signed-rank test), McNemar's exact test on two models' per-image
 * predictions, and Holm's step-down adjustment with intervals at the level each step used. The t
 * distribution comes from stdlib (a port of Boost's incomplete beta: about 1e-15 relative; jStat's
 * quantile was off by 2.5e-9); the exact tests are counted here. test/study-statistics.test.ts
 * checks every function against scipy / statsmodels / mpmath values stored in
 * test/data/statistics-reference.json.
 *
 * Undefined quantities (an sd of one value, an interval with no degrees of freedom) are `null`
 * rather than NaN, so they survive JSON.
 */

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null for n < 2. */
  sd: number | null;
  min: number;
  max: number;
  /** 95% confidence interval of the mean from the t distribution with n − 1 degrees of freedom; null for n < 2. */
  ci95: [number, number] | null;
}

function checkValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new Error(`${what}: no values`);
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`${what}: ${v} is not a finite number`);
}

export function mean(values: readonly number[]): number {
  checkValues(values, 'mean');
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (ddof = 1); null for fewer than two values. */
export function sampleSd(values: readonly number[]): number | null {
  checkValues(values, 'sd');
  if (values.length < 2) return null;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** The two-sided critical value t such that P(|T_df| ≤ t) = level. */
export function tCritical(df: number, level = 0.95): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be positive, got ${df}`);
  if (!(level > 0 && level < 1)) throw new Error(`confidence level must be between 0 and 1, got ${level}`);
  return tQuantile(1 - (1 - level) / 2, df);
}

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export function tTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`degrees of freedom must be positive, got ${df}`);
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** Mean ± t interval of the mean, sd, min, max. */
export function summarize(values: readonly number[], level = 0.95): Summary {
  checkValues(values, 'summarize');
  const n = values.length;
  const m = mean(values);
  const sd = sampleSd(values);
  let ci95: [number, number] | null = null;
  if (sd !== null) {
    const half = (tCritical(n - 1, level) * sd) / Math.sqrt(n);
    ci95 = [m - half, m + half];
  }
  return { n, mean: m, sd, min: Math.min(...values), max: Math.max(...values), ci95 };
}

export interface PairedT {
  /** Mean of a − b. */
  meanDiff: number;
  /** 95% t interval of the mean difference; null for n < 2. */
  ci95: [number, number] | null;
  /** t statistic; null when undefined (n < 2, or every difference equal and non-zero: sd 0). */
  t: number | null;
  df: number;
  /** Two-sided p-value; null for n < 2. With all differences 0 it is 1; all equal and non-zero, 0. */
  p: number | null;
}

function pairedDiffs(a: readonly number[], b: readonly number[], what: string): number[] {
  if (a.length !== b.length) throw new Error(`${what}: the two samples must pair up (lengths ${a.length} and ${b.length})`);
  checkValues(a, what);
  checkValues(b, what);
  return a.map((x, i) => x - b[i]);
}

/** Paired t-test of a against b (scipy.stats.ttest_rel), with the t interval of the mean difference. */
export function pairedTTest(a: readonly number[], b: readonly number[], level = 0.95): PairedT {
  const d = pairedDiffs(a, b, 'paired t-test');
  const n = d.length;
  const s = summarize(d, level);
  if (n < 2 || s.sd === null) return { meanDiff: s.mean, ci95: null, t: null, df: n - 1, p: null };
  if (s.sd === 0) return { meanDiff: s.mean, ci95: [s.mean, s.mean], t: s.mean === 0 ? 0 : null, df: n - 1, p: s.mean === 0 ? 1 : 0 };
  const t = s.mean / (s.sd / Math.sqrt(n));
  return { meanDiff: s.mean, ci95: s.ci95, t, df: n - 1, p: tTwoSidedP(t, n - 1) };
}

export interface WilcoxonResult {
  /** Sum of the ranks of the positive differences (zero differences dropped, ties given mean ranks). */
  wPlus: number;
  /** Number of non-zero differences. */
  n: number;
  /** Exact two-sided p-value. */
  p: number;
  /** The smallest two-sided p-value any outcome could give with this n (0.0625 for n = 5). */
  minimumP: number;
}

/** Ranks 1..n of |values|, ties sharing their mean rank (scipy.stats.rankdata 'average'). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k].i] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Exact Wilcoxon signed-rank test of a − b = 0 (two-sided) on integer counts (e.g. correct test
 * images per seed). Integers because floating-point differences break ties: +30 and −30 images as
 * accuracies (30/14000 computed as two differences of doubles) come out a few ulps apart, get ranks
 * 4 and 5 instead of 4.5 each, and the p-value moves (1.00 instead of 0.875). Zero differences are
 * dropped (Wilcoxon's convention, scipy's zero_method='wilcox'); ties keep their mean ranks. The
 * null distribution of W+ counts all 2^n sign assignments of those ranks (by their sums, so it
 * stays exact with ties); for untied data it is scipy.stats.wilcoxon(method='exact').
 * p = min(1, 2 · min(P(W+ ≤ w), P(W+ ≥ w))).
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonResult {
  for (const x of [...a, ...b]) {
    if (!Number.isSafeInteger(x)) throw new Error(`Wilcoxon signed-rank test: ${x} is not an integer count; pass counts (e.g. correct test images), not fractions, so that equal differences tie exactly`);
  }
  const d = pairedDiffs(a, b, 'Wilcoxon signed-rank test').filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { wPlus: 0, n: 0, p: 1, minimumP: 1 };
  // Counts of sign assignments are exact in doubles up to 2^53.
  if (n > 50) throw new Error(`Wilcoxon signed-rank test: ${n} pairs; the exact test here is for up to 50`);
  const ranks = averageRanks(d.map(Math.abs));
  // Average ranks are multiples of 1/2: count sums of doubled ranks, which are integers.
  const doubled = ranks.map((r) => Math.round(2 * r));
  const total = doubled.reduce((s, r) => s + r, 0);
  let counts = new Float64Array(total + 1);
  counts[0] = 1;
  for (const r of doubled) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= total; s++) {
      if (counts[s] === 0) continue;
      next[s] += counts[s]; // this difference negative
      next[s + r] += counts[s]; // positive
    }
    counts = next;
  }
  const all = 2 ** n;
  const w2 = doubled.reduce((s, r, i) => s + (d[i] > 0 ? r : 0), 0);
  let lower = 0;
  let upper = 0;
  for (let s = 0; s <= total; s++) {
    if (s <= w2) lower += counts[s];
    if (s >= w2) upper += counts[s];
  }
  const p = Math.min(1, (2 * Math.min(lower, upper)) / all);
  return { wPlus: w2 / 2, n, p, minimumP: wilcoxonMinimumP(n) };
}

/**
 * The smallest two-sided p-value the exact signed-rank test can give with n non-zero differences:
 * all of one sign, 2 / 2^n (0.0625 for five seeds, so it can never reach 0.05 there).
 */
export function wilcoxonMinimumP(n: number): number {
  return n === 0 ? 1 : Math.min(1, 2 / 2 ** n);
}

/** Binomial(n, 1/2) lower tail P(X ≤ k), summed in log space (exact to rounding for any n). */
export function binomialHalfCdf(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n must be a non-negative integer, got ${n}`);
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logs: number[] = [];
  const lnFactN = jStat.gammaln(n + 1);
  for (let i = 0; i <= k; i++) logs.push(lnFactN - jStat.gammaln(i + 1) - jStat.gammaln(n - i + 1) - n * Math.LN2);
  const max = Math.max(...logs);
  return Math.min(1, Math.exp(max) * logs.reduce((s, l) => s + Math.exp(l - max), 0));
}

export interface McNemarResult {
  /** Images model a got right and model b got wrong. */
  b: number;
  /** Images model a got wrong and model b got right. */
  c: number;
  /** Exact two-sided p-value: the binomial test of b against Binomial(b + c, 1/2). */
  p: number;
}

/** McNemar's exact test from the two discordant counts (statsmodels mcnemar(exact=True)). */
export function mcnemarExactCounts(b: number, c: number): McNemarResult {
  if (!(Number.isInteger(b) && Number.isInteger(c) && b >= 0 && c >= 0)) throw new Error(`McNemar counts must be non-negative integers, got ${b} and ${c}`);
  const n = b + c;
  const p = n === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), n));
  return { b, c, p };
}

/** McNemar's exact test of two models' predictions for the same labelled images. */
export function mcnemarExact(labels: ArrayLike<number>, predA: ArrayLike<number>, predB: ArrayLike<number>): McNemarResult {
  if (labels.length !== predA.length || labels.length !== predB.length) {
    throw new Error(`McNemar: labels and the two prediction lists must have one entry per image (lengths ${labels.length}, ${predA.length}, ${predB.length})`);
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < labels.length; i++) {
    const aRight = predA[i] === labels[i];
    const bRight = predB[i] === labels[i];
    if (aRight && !bRight) b++;
    else if (!aRight && bRight) c++;
  }
  return mcnemarExactCounts(b, c);
}

/**
 * Holm's step-down adjustment (statsmodels multipletests(method='holm')): the i-th smallest of m
 * p-values is multiplied by m − i + 1, made non-decreasing, capped at 1; returned in input order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new Error(`Holm: ${p} is not a p-value`);
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p || x.i - y.i);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/**
 * The significance level at which Holm's step-down procedure judged each of m p-values (input
 * order): step j, the j-th smallest p, is tested at α/(m − j + 1). A p-value that was rejected was
 * judged at its own step; once a step fails the procedure stops and keeps every remaining
 * hypothesis, so those were judged at the level of the step where it stopped (their p is at least
 * that step's). Hence p < level exactly when holmAdjust gives a p below α, and a test's interval at
 * confidence 1 − level excludes zero exactly when Holm calls the difference significant.
 */
export function holmLevels(pValues: readonly number[], alpha: number): number[] {
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be between 0 and 1, got ${alpha}`);
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new Error(`Holm: ${p} is not a p-value`);
  const m = pValues.length;
  // The same order as holmAdjust: by p, ties by position.
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p || x.i - y.i);
  const out = new Array<number>(m);
  let stoppedAt: number | undefined;
  order.forEach(({ p, i }, rank) => {
    const own = alpha / (m - rank);
    if (stoppedAt === undefined && !(p < own)) stoppedAt = rank;
    out[i] = stoppedAt === undefined ? own : alpha / (m - stoppedAt);
  });
  return out;
}
