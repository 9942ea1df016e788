import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  averageRanks,
  binomialHalfCdf,
  holmAdjust,
  holmLevels,
  mcnemarExact,
  mcnemarExactCounts,
  pairedTTest,
  summarize,
  tCritical,
  tTwoSidedP,
  wilcoxonMinimumP,
  wilcoxonSignedRank,
} from '../src/study/statistics';

/**
 * Values computed with scipy 1.17 / statsmodels 0.15 / mpmath 1.4 by test/data/statistics-reference.py:
 * the t distribution with mpmath at 50 digits (checked there against scipy), the exact Wilcoxon
 * p-values by enumerating every sign assignment in Python (checked there against scipy).
 */
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'data', 'statistics-reference.json'), 'utf8'));

// Exact tests are rational numbers summed in doubles: they must agree to ~1e-12. Values through the
// t distribution agree to 1e-12 relative (stdlib's incomplete beta is good to about 1e-15); intervals
// and means, built from them by a few more operations, to 1e-12 absolute on accuracies.
const close = (actual: number | null, expected: number, digits = 12) => expect(actual).toBeCloseTo(expected, digits);
const relClose = (actual: number | null, expected: number, rel = 1e-12) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected), `${actual} against ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
};
const T_DIGITS = 12;

describe('t distribution (stdlib) against mpmath, to 1e-12 relative', () => {
  for (const { df, upper, t } of ref.tCritical) {
    it(`t(${upper.toFixed(5)}, ${df}) = ${t.toFixed(9)}`, () => relClose(tCritical(df, 2 * upper - 1), t));
  }
  for (const { t, df, p } of ref.tTwoSidedP) it(`two-sided p of t = ${t} on ${df} df`, () => relClose(tTwoSidedP(t, df), p));
  it('t(0.975, 4) is 2.776445105 (jStat gave 2.776445098)', () => {
    expect(tCritical(4).toFixed(9)).toBe('2.776445105');
  });
  it('rejects nonsense degrees of freedom and levels', () => {
    expect(() => tCritical(0)).toThrow(/degrees of freedom/);
    expect(() => tCritical(4, 1.5)).toThrow(/confidence level/);
  });
});

describe('summaries: mean, sd (ddof 1), min, max, t interval', () => {
  for (const s of ref.summaries) {
    it(`[${s.values.join(', ')}]`, () => {
      const got = summarize(s.values);
      expect(got.n).toBe(s.n);
      close(got.mean, s.mean);
      close(got.sd, s.sd);
      expect(got.min).toBe(s.min);
      expect(got.max).toBe(s.max);
      close(got.ci95![0], s.ci95[0], T_DIGITS);
      close(got.ci95![1], s.ci95[1], T_DIGITS);
    });
  }
  it('one value has no sd and no interval (null, which JSON keeps)', () => {
    expect(summarize([0.91])).toEqual({ n: 1, mean: 0.91, sd: null, min: 0.91, max: 0.91, ci95: null });
  });
  it('refuses empty and non-finite input', () => {
    expect(() => summarize([])).toThrow(/no values/);
    expect(() => summarize([0.9, Number.NaN])).toThrow(/not a finite number/);
  });
});

describe('paired t-test against scipy.stats.ttest_rel', () => {
  for (const c of ref.pairedT) {
    it(`${c.a.length} pairs, mean difference ${c.meanDiff.toFixed(5)}`, () => {
      const got = pairedTTest(c.a, c.b);
      close(got.meanDiff, c.meanDiff);
      close(got.t, c.t);
      expect(got.df).toBe(c.df);
      close(got.p, c.p, T_DIGITS);
      close(got.ci95![0], c.ci95[0], T_DIGITS);
      close(got.ci95![1], c.ci95[1], T_DIGITS);
    });
  }
  it('swapping the samples flips the sign and keeps the p-value', () => {
    const c = ref.pairedT[0];
    const ab = pairedTTest(c.a, c.b);
    const ba = pairedTTest(c.b, c.a);
    expect(ba.meanDiff).toBeCloseTo(-ab.meanDiff, 12);
    expect(ba.p).toBeCloseTo(ab.p!, 12);
  });
  it('identical samples: difference 0, p = 1; unequal lengths are an error', () => {
    expect(pairedTTest([0.9, 0.91, 0.92], [0.9, 0.91, 0.92])).toMatchObject({ meanDiff: 0, t: 0, p: 1 });
    expect(() => pairedTTest([1, 2], [1])).toThrow(/pair up/);
  });
});

describe('exact Wilcoxon signed-rank test on integer counts, against enumeration and scipy.stats.wilcoxon', () => {
  for (const c of ref.wilcoxon) {
    it(`${c.n} non-zero differences, W+ = ${c.wPlus}`, () => {
      const got = wilcoxonSignedRank(c.a, c.b);
      expect(got.n).toBe(c.n);
      expect(got.wPlus).toBe(c.wPlus);
      close(got.p, c.p);
    });
  }
  it('keeps the tie of +30 and −30 correct images: p = 0.875 (as accuracies in doubles the tie broke and gave 1.00)', () => {
    // CNN 1 and CNN 2 on the paper's 14,000 test images over five seeds: differences −6, +30, +11, −19, −30.
    const cnn1 = [12786, 12821, 12790, 12770, 12770];
    const cnn2 = [12792, 12791, 12779, 12789, 12800];
    const w = wilcoxonSignedRank(cnn1, cnn2);
    expect(w).toEqual({ wPlus: 6.5, n: 5, p: 0.875, minimumP: 0.0625 });
    // As accuracies (the doubles metrics.json holds) the two differences of 30 images are unequal:
    // the reason counts are required.
    const d = cnn1.map((x, i) => x / 14000 - cnn2[i] / 14000);
    expect(Math.abs(d[1])).not.toBe(Math.abs(d[4]));
    expect(averageRanks(d.map(Math.abs))).toEqual([1, 5, 2, 3, 4]);
    expect(() => wilcoxonSignedRank(cnn1.map((x) => x / 14000), cnn2.map((x) => x / 14000))).toThrow(/is not an integer count; pass counts/);
  });
  it('with five seeds no outcome goes below p = 2/32 = 0.0625, so it can never reach 0.05', () => {
    const w = wilcoxonSignedRank([5, 6, 7, 8, 9], [0, 0, 0, 0, 0]);
    expect(w.p).toBe(0.0625);
    expect(w.minimumP).toBe(0.0625);
    expect(wilcoxonMinimumP(5)).toBeGreaterThan(0.05);
    expect(wilcoxonMinimumP(6)).toBe(0.03125);
    // Zero differences are dropped (zero_method='wilcox'): four non-zero pairs, minimum 2/16.
    expect(wilcoxonSignedRank([5, 6, 7, 8, 9], [0, 0, 0, 0, 9])).toMatchObject({ n: 4, p: 0.125, minimumP: 0.125 });
  });
  it('average ranks share ties like scipy.stats.rankdata', () => {
    expect(averageRanks([3, 1, 3, 2, 3])).toEqual([4, 1, 4, 2, 4]);
  });
});

describe("McNemar's exact test against statsmodels mcnemar(exact=True)", () => {
  for (const c of ref.mcnemar) {
    it(`b = ${c.b}, c = ${c.c}`, () => {
      const got = mcnemarExactCounts(c.b, c.c);
      close(got.p, c.p, 10); // through jStat's log-gamma
      close(got.p, c.pBinom, 10); // scipy.stats.binomtest agrees
    });
  }
  it('counts the discordant images from labels and two prediction lists', () => {
    const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const a = [0, 1, 2, 3, 4, 5, 6, 0, 0, 0]; // right on 0-6
    const b = [0, 1, 2, 0, 0, 0, 0, 7, 8, 0]; // right on 0-2, 7, 8
    // a right, b wrong: 3, 4, 5, 6 → 4; a wrong, b right: 7, 8 → 2
    expect(mcnemarExact(labels, a, b)).toEqual(mcnemarExactCounts(4, 2));
    expect(mcnemarExact(labels, a, b)).toMatchObject({ b: 4, c: 2 });
    expect(() => mcnemarExact(labels, a, b.slice(1))).toThrow(/one entry per image/);
  });
  it('the binomial tail sums to one and is symmetric', () => {
    expect(binomialHalfCdf(10, 10)).toBe(1);
    expect(binomialHalfCdf(2, 5)).toBeCloseTo(0.5, 14);
    expect(binomialHalfCdf(0, 3)).toBeCloseTo(1 / 8, 14);
  });
});

describe('Holm adjustment against statsmodels multipletests(method="holm")', () => {
  for (const c of ref.holm) {
    it(`[${c.p.join(', ')}]`, () => {
      const got = holmAdjust(c.p);
      got.forEach((p, i) => close(p, c.adjusted[i]));
    });
  }
  it('never lowers a p-value and rejects non-p-values', () => {
    const p = [0.3, 0.01, 0.02];
    holmAdjust(p).forEach((q, i) => expect(q).toBeGreaterThanOrEqual(p[i]));
    expect(() => holmAdjust([0.5, 1.2])).toThrow(/not a p-value/);
  });
});

describe("intervals at the level Holm's step-down judged each pair", () => {
  it('match scipy intervals at the levels of statsmodels-Holm steps; exclude zero exactly for the rejected pairs', () => {
    const cases = ref.holmIntervals as Array<{ a: number[]; b: number[]; p: number; pHolm: number; significant: boolean; level: number; ci: [number, number] }>;
    const levels = holmLevels(cases.map((c) => c.p), 0.05);
    cases.forEach((c, k) => {
      close(1 - levels[k], c.level, 15);
      const t = pairedTTest(c.a, c.b, 1 - levels[k]);
      close(t.ci95![0], c.ci[0], T_DIGITS);
      close(t.ci95![1], c.ci[1], T_DIGITS);
      const excludes = t.ci95![0] > 0 || t.ci95![1] < 0;
      expect(excludes).toBe(c.significant);
    });
    // The third pair: p = 0.040, its plain 95% interval excludes zero, Holm keeps it (the procedure stopped at step 2).
    const third = pairedTTest(cases[2].a, cases[2].b);
    expect(third.p!).toBeLessThan(0.05);
    expect(third.ci95![0]).toBeGreaterThan(0);
    expect(cases[2].significant).toBe(false);
    expect(levels[2]).toBeCloseTo(0.05 / 3, 15);
  });
  it('p < level exactly when the Holm-adjusted p is below alpha, for random p-values', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 2000; trial++) {
      const m = 1 + (trial % 8);
      const p = Array.from({ length: m }, () => (rand() < 0.5 ? rand() * 0.05 : rand()));
      const adj = holmAdjust(p);
      const lv = holmLevels(p, 0.05);
      p.forEach((x, i) => expect(x < lv[i], `p ${p.join(', ')}`).toBe(adj[i] < 0.05));
    }
  });
});
