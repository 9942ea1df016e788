import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  averageRanks,
  binomialHalfCdf,
  holmAdjust,
  mcnemarExact,
  mcnemarExactCounts,
  pairedTTest,
  summarize,
  tCritical,
  tTwoSidedP,
  wilcoxonSignedRank,
} from '../src/study/statistics';

/** Values computed with scipy 1.17 / statsmodels 0.15 by test/data/statistics-reference.py. */
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'data', 'statistics-reference.json'), 'utf8'));

// Exact tests are rational numbers summed in doubles: they must agree to ~1e-12. jStat's t
// distribution is accurate to a few 1e-8, so values from it must agree to 1e-6: the report prints
// p-values to two significant figures and intervals to 0.01 accuracy points (1e-4).
const close = (actual: number | null, expected: number, digits = 12) => expect(actual).toBeCloseTo(expected, digits);
const T_DIGITS = 6;

describe('t distribution (jStat) against scipy.stats.t', () => {
  for (const { df, t } of ref.tCritical) it(`t(0.975, ${df}) = ${t.toFixed(6)}`, () => close(tCritical(df), t, T_DIGITS));
  for (const { t, df, p } of ref.tTwoSidedP) it(`two-sided p of t = ${t} on ${df} df`, () => close(tTwoSidedP(t, df), p, T_DIGITS));
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

describe('exact Wilcoxon signed-rank test against scipy.stats.wilcoxon', () => {
  for (const c of ref.wilcoxon) {
    it(`${c.n} non-zero differences, W+ = ${c.wPlus}`, () => {
      const got = wilcoxonSignedRank(c.a, c.b);
      expect(got.n).toBe(c.n);
      expect(got.wPlus).toBe(c.wPlus);
      close(got.p, c.p);
    });
  }
  it('with five seeds no outcome goes below p = 2/32 = 0.0625', () => {
    const w = wilcoxonSignedRank([5, 6, 7, 8, 9], [0, 0, 0, 0, 0]);
    expect(w.p).toBe(0.0625);
    expect(w.minimumP).toBe(0.0625);
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
