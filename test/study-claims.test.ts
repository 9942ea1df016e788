import { describe, expect, it } from 'vitest';
import { checkStudyFindings, gapRankingSentence, gapTiers, mcnemarSentence, mostAccurate, pairSentence, rankingSentence, studySentences } from '../src/report/study-claims';
import { studyVariablesFrom } from '../src/report/study-variables';
import { CLEAR_GAPS, CLEAR_ORDER, N_TEST, N_TRAIN, syntheticRun, syntheticStudy } from './study-fixtures';
import { summarizeStudy } from '../src/study/summary';

/** CLEAR_GAPS with the paper split's gaps of some models replaced. */
const gapsWith = (paper: Record<string, number[]>) => ({ ...CLEAR_GAPS, ...Object.fromEntries(Object.entries(paper).map(([m, v]) => [`paper/${m}`, v])) });

describe('ranking sentences generated from the seed study', () => {
  const clear = syntheticStudy(CLEAR_ORDER);

  it('name the more accurate model with its mean difference, interval and Holm p, or say that two models do not differ', () => {
    // CNN 3 − CNN 1 has the fifth smallest of six p-values (0.0031) and is rejected at step 5: its interval is at 1 − 0.05/2 = 97.5%.
    expect(pairSentence(clear, 'paper', 'cnn1', 'cnn3').text).toBe(
      "CNN 3 is more accurate than CNN 1 (mean difference +0.70 points, that is +70 of the 10,000 test images; 97.5% CI at Holm's level [+0.32, +1.08]; Holm-adjusted p = 0.0063)",
    );
    // CNN 1 − CNN 2 (p = 0.41) fails step 6, where the procedure stops: 95%.
    expect(pairSentence(clear, 'paper', 'cnn1', 'cnn2').text).toMatch(/^CNN 1 and CNN 2 do not differ significantly \(mean difference \+0\.06 points, that is \+6 of the 10,000 test images; 95% CI at Holm's level \[−0\.\d\d, \+0\.\d\d\]; Holm-adjusted p = 0\.\d+\)$/);
    const r = rankingSentence(clear, 'paper');
    expect(r.text).toMatch(/^On the paper's split, over 5 training seeds, CNN 3 is the most accurate model, more accurate than each of the other three \(Holm-adjusted p ≤ 0\.0063\); every convolutional model is more accurate than the ANN \(Holm-adjusted p < 0\.0001\); and CNN 1 and CNN 2 do not differ significantly \(mean difference \+0\.06 points, that is \+6 of the 10,000 test images; 95% CI at Holm's level \[−0\.12, \+0\.23\]; Holm-adjusted p = 0\.41\)\.$/);
    // The ANN pairs have the three smallest p-values: CNN 2 − ANN is step 2, 1 − 0.05/5 = 99%.
    expect(pairSentence(clear, 'paper', 'ann', 'cnn2').text).toBe("CNN 2 is more accurate than the ANN (mean difference +2.79 points, that is +279 of the 10,000 test images; 99% CI at Holm's level [+2.49, +3.09]; Holm-adjusted p < 0.0001)");
    expect(mostAccurate(clear, 'official')).toBe('cnn3');
    const all = studySentences(clear);
    expect(all.abstract.text).toBe(
      'Over 5 training seeds per model, every convolutional model is more accurate than the fully connected baseline on both protocols; CNN 3 is the most accurate model on both protocols; and CNN 1 and CNN 2 do not differ significantly on either protocol (paired t-tests over seeds, Holm-adjusted over the six pairs of each protocol, at the 0.05 level).',
    );
    expect(checkStudyFindings(clear)).toEqual([]);
  });

  it('say that no model is the most accurate when the top two do not differ', () => {
    const close = syntheticStudy({ ...CLEAR_ORDER, 'paper/cnn3': [0.9141, 0.9155, 0.9126, 0.9158, 0.9149] });
    expect(mostAccurate(close, 'paper')).toBeUndefined();
    const r = rankingSentence(close, 'paper');
    expect(r.text).toMatch(/no model is more accurate than all the others: CNN 3 has the highest mean accuracy, but it does not differ significantly from/);
    expect(r.text).toMatch(/every convolutional model is more accurate than the ANN/);
    expect(studySentences(close).abstract.text).toMatch(/on the paper's split no model is significantly more accurate than all the others, while CNN 3 is the most accurate model on the official split/);
    expect(checkStudyFindings(close)).toEqual([]);
  });

  it('group the pairs that do not differ by protocol, naming a shared model once', () => {
    // Official split: CNN 3 level with CNN 1 and CNN 2 (as in the committed study); paper split as CLEAR_ORDER.
    const study = syntheticStudy({ ...CLEAR_ORDER, 'official/cnn3': [0.9141, 0.9155, 0.9126, 0.9158, 0.9149] });
    const text = studySentences(study).conclusion.text;
    expect(text).toBe(
      "Every convolutional model is more accurate than the fully connected baseline on both protocols; CNN 3 is the most accurate model on the paper's split, while on the official split no model is significantly more accurate than all the others; and CNN 1 and CNN 2 do not differ significantly on either protocol, and neither CNN 1 nor CNN 2 differs significantly from CNN 3 on the official split.",
    );
    expect(checkStudyFindings(study)).toEqual([]);
  });

  it('the short form states every significant difference once, grouped across protocols', () => {
    // No model beats all others, but CNN 1 and CNN 2 both beat CNN 3 by 0.4 points on both protocols.
    const lower = (m: string) => CLEAR_ORDER[m].map((x, i) => x - 0.004 + [0.0001, -0.0002, 0.0001, 0, -0.0001][i]);
    const study = syntheticStudy({ ...CLEAR_ORDER, 'paper/cnn3': lower('paper/cnn2'), 'official/cnn3': lower('official/cnn2') });
    const o = studySentences(study);
    expect(o.conclusion.text).toMatch(/^Every convolutional model is more accurate than the fully connected baseline on both protocols; no model is significantly more accurate than all the others on either protocol; CNN 1 is more accurate than CNN 3 on both protocols, and CNN 2 is more accurate than CNN 3 on both protocols; and CNN 1 and CNN 2 do not differ significantly on either protocol\.$/);
    expect(checkStudyFindings(study)).toEqual([]);
    // Without the "wins" clause the conclusion would leave those differences out: the findings name them.
    expect(o.conclusion.findings).toContainEqual({ kind: 'more-accurate', protocol: 'paper', better: 'cnn2', worse: 'cnn3' });
  });

  it('a generated claim that the study no longer supports is reported, naming the sentence', () => {
    const sentences = studySentences(clear);
    // The same sentences judged against a study in which CNN 3 and CNN 1 do not differ on the paper split.
    const changed = structuredClone(clear);
    const c = changed.comparisons.find((k) => k.protocol === 'paper' && k.a === 'cnn1' && k.b === 'cnn3')!;
    c.pHolm = 0.2;
    c.significant = false;
    const problems = checkStudyFindings(changed, sentences);
    expect(problems.some((p) => /^study\.ranking\.paper says cnn3 is more accurate than cnn1 \(paper\), but the study gives a mean difference of \+0\.70 points with Holm p = 0\.20$/.test(p))).toBe(true);
    expect(problems.some((p) => p.startsWith('study.abstract says cnn3 is more accurate than cnn1'))).toBe(true);
    // And a claimed tie that became a difference.
    const tie = structuredClone(clear);
    const t = tie.comparisons.find((k) => k.protocol === 'official' && k.a === 'cnn1' && k.b === 'cnn2')!;
    t.pHolm = 0.01;
    t.significant = true;
    expect(checkStudyFindings(tie, sentences)).toContain('study.pairs.official.cnn1_cnn2 says cnn1 and cnn2 do not differ (official), but the study gives Holm p = 0.010 < 0.05');
  });

  it('become _variables.yml entries with the means, intervals and seeds', () => {
    const v = studyVariablesFrom(clear, '/nonexistent/summary.json') as Record<string, any>;
    expect(v.n_seeds).toBe('5');
    expect(v.seed_list).toBe('42, 1, 2, 3, 4');
    expect(v.cnn3.paper.mean).toBe('92.15');
    expect(v.wilcoxon_min_p).toBe('0.0625');
    expect(v.ranking.paper).toBe(rankingSentence(clear, 'paper').text);
    expect(v.pairs.official.cnn1_cnn2).toMatch(/do not differ significantly/);
    expect(v.training_time).toMatch(/^The seed study's training time was not recorded \(timings\.json is missing\)\.$/);
  });

  it('carry the gap statistics, the test notes and the McNemar sentence into _variables.yml', () => {
    const v = studyVariablesFrom(clear, '/nonexistent/summary.json') as Record<string, any>;
    expect(v.cnn1.paper.gap).toMatchObject({ mean: '2.97', sd: '0.09' });
    expect(v.ann.official.train_accuracy_mean).toBe('89.11');
    expect(v.gap_ranking.paper).toBe(gapRankingSentence(clear, 'paper').text);
    expect(v.mcnemar.official).toBe(mcnemarSentence(clear, 'official').text);
    expect(v.wilcoxon_note).toBe('With 5 seeds the exact Wilcoxon signed-rank test cannot go below p = 0.0625, so it can never reach 0.05 here: it is shown as a check on the direction of a difference, not as a verdict.');
    expect(v.interval_note).toMatch(/^Each interval is at the level at which Holm's step-down procedure judged that pair: 1 − 0\.05\/\(6 − j \+ 1\) at step j, from 99\.17% for the smallest of the 6 p-values/);
    expect(v.mcnemar_note).toMatch(/The verdicts use the seed test/);
  });
});

describe('gap rankings generated from the paired comparisons of the gap', () => {
  const clear = syntheticStudy(CLEAR_ORDER);

  it('group models whose gaps do not differ, and name the tests', () => {
    expect(gapTiers(clear, 'paper')).toEqual([['cnn1', 'cnn2'], ['cnn3'], ['ann']]);
    expect(gapRankingSentence(clear, 'paper').text).toBe(
      "On the paper's split, over 5 training seeds, the train − test gap is widest for CNN 1 (2.97 points) and CNN 2 (2.90 points), which do not differ significantly, then CNN 3 (2.09 points), then the ANN (0.51 points); " +
        'each gap is significantly wider than every gap named after it (paired t-tests over seeds on the gap, Holm-adjusted over the six pairs of the split, at the 0.05 level: p ≤ 0.00022).',
    );
    expect(checkStudyFindings(clear)).toEqual([]);
  });

  it('follow the numbers when the ranking flips: CNN 3 widest, CNN 1 and CNN 2 level with the ANN', () => {
    const flipped = syntheticStudy(CLEAR_ORDER, undefined, undefined, gapsWith({ cnn3: [0.0405, 0.0418, 0.0399, 0.0411, 0.0414], cnn1: [0.0052, 0.0049, 0.0054, 0.0047, 0.0051], cnn2: [0.0049, 0.0053, 0.005, 0.0052, 0.0048] }));
    const text = gapRankingSentence(flipped, 'paper').text;
    expect(gapTiers(flipped, 'paper')[0]).toEqual(['cnn3']);
    expect(text).toMatch(/^On the paper's split, over 5 training seeds, the train − test gap is widest for CNN 3 \(4\.09 points\), then /);
    expect(text).toMatch(/no two of which differ significantly/); // CNN 1, CNN 2 and the ANN in one tier
    expect(checkStudyFindings(flipped)).toEqual([]);
    // The old sentence judged against the flipped study: every claim it made about CNN 3 now fails.
    const stale = checkStudyFindings(flipped, { 'gap_ranking.paper': gapRankingSentence(clear, 'paper') });
    expect(stale).toContain("study.gap_ranking.paper says cnn1's gap is wider than cnn3's (paper), but the study gives a mean gap difference of −3.59 points with Holm p < 0.0001");
    expect(stale.some((p) => /says the gaps of cnn1 and cnn2 do not differ/.test(p))).toBe(false); // still true
    // And the official split, unchanged, keeps its sentence.
    expect(gapRankingSentence(flipped, 'official').text).toBe(gapRankingSentence(clear, 'official').text);
  });

  it('name the pairs across groups that do not differ (A level with B, B with C, A wider than C)', () => {
    // CNN 1 > CNN 2 > CNN 3 by small steps: neighbours level, the ends apart.
    const chain = syntheticStudy(CLEAR_ORDER, undefined, undefined, gapsWith({ cnn1: [0.03, 0.029, 0.0295, 0.031, 0.0292], cnn2: [0.028, 0.0295, 0.028, 0.0312, 0.028], cnn3: [0.0282, 0.0278, 0.0275, 0.0295, 0.0276] }));
    const tiers = gapTiers(chain, 'paper');
    expect(tiers[0]).toEqual(['cnn1', 'cnn2']);
    const text = gapRankingSentence(chain, 'paper').text;
    expect(text).toMatch(/, except that CNN 2 and CNN 3 do not differ significantly \(Holm-adjusted p = 0\.\d+\)\.$/);
    expect(checkStudyFindings(chain)).toEqual([]);
  });

  it('say that no gaps differ when none do', () => {
    const flat = syntheticStudy(CLEAR_ORDER, undefined, undefined, gapsWith({ ann: [0.02, 0.025, 0.018, 0.022, 0.03], cnn1: [0.021, 0.019, 0.027, 0.02, 0.024], cnn2: [0.025, 0.02, 0.019, 0.023, 0.021], cnn3: [0.019, 0.024, 0.022, 0.026, 0.02] }));
    expect(gapTiers(flat, 'paper')).toHaveLength(1);
    expect(gapRankingSentence(flat, 'paper').text).toMatch(/^On the paper's split, over 5 training seeds, no two models' train − test gaps differ significantly: they range from [\d.]+ points \([^)]+\) to [\d.]+ points \([^)]+\) \(paired t-tests over seeds on the gap, Holm-adjusted over the six pairs of the split, at the 0\.05 level: the smallest Holm-adjusted p is 1\.00\)\.$/);
    expect(gapRankingSentence(flat, 'paper').findings).toHaveLength(6);
    expect(checkStudyFindings(flat)).toEqual([]);
  });
});

describe('intervals beside the Holm verdicts', () => {
  // Made-up studies: random accuracies and gaps around the fixture's, so that some pairs are near the line.
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const noisy = (base: Record<string, number[]>, spread: number) => Object.fromEntries(Object.entries(base).map(([k, v]) => [k, v.map((x) => x + (rand() - 0.5) * spread)]));

  it('exclude zero exactly when the difference is significant, for test accuracy and for the gap', () => {
    let significant = 0;
    let kept = 0;
    for (let trial = 0; trial < 25; trial++) {
      const s = syntheticStudy(noisy(CLEAR_ORDER, 0.012), ['paper'], undefined, noisy(CLEAR_GAPS, 0.012));
      for (const c of [...s.comparisons, ...s.gapComparisons]) {
        const excludes = c.ciHolm![0] > 0 || c.ciHolm![1] < 0;
        expect(excludes, `${c.metric} ${c.a}−${c.b}: p ${c.pairedT.p}, Holm ${c.pHolm}, interval ${c.ciHolm} at ${c.ciHolmLevel}`).toBe(c.significant);
        if (c.significant) significant++;
        else kept++;
        // Never below 95%: Holm's levels run from 1 − α/m up to 1 − α.
        expect(c.ciHolmLevel!).toBeGreaterThanOrEqual(0.95);
      }
    }
    // Both outcomes occurred, so the check had something to catch.
    expect(significant).toBeGreaterThan(20);
    expect(kept).toBeGreaterThan(20);
  });

  it('the plain 95% interval can contradict Holm; the Holm-level one cannot', () => {
    let contradictions = 0;
    for (let trial = 0; trial < 30; trial++) {
      const s = syntheticStudy(noisy(CLEAR_ORDER, 0.012), ['paper']);
      for (const c of s.comparisons) if (!c.significant && (c.ci95Unadjusted![0] > 0 || c.ci95Unadjusted![1] < 0)) contradictions++;
    }
    expect(contradictions).toBeGreaterThan(0);
  });
});

describe('McNemar over every seed', () => {
  it('counts the seeds in which each pair differs and names where it disagrees with the seed test', () => {
    const clear = syntheticStudy(CLEAR_ORDER);
    const c = clear.comparisons.find((k) => k.protocol === 'paper' && k.a === 'cnn1' && k.b === 'cnn2')!;
    // The fixture's runs get the first k images right: per seed, b = max(0, k1 − k2), c = max(0, k2 − k1).
    const k1 = CLEAR_ORDER['paper/cnn1'].map((x) => Math.round(x * 10_000));
    const k2 = CLEAR_ORDER['paper/cnn2'].map((x) => Math.round(x * 10_000));
    expect(c.mcnemar!.perSeed.map((m) => [m.seed, m.b, m.c])).toEqual([42, 1, 2, 3, 4].map((seed, i) => [seed, Math.max(0, k1[i] - k2[i]), Math.max(0, k2[i] - k1[i])]));
    expect(c.mcnemar!.pooled).toEqual({ b: c.mcnemar!.perSeed.reduce((s, m) => s + m.b, 0), c: c.mcnemar!.perSeed.reduce((s, m) => s + m.c, 0) });
    expect(c.mcnemar!.significantSeeds).toBe(c.mcnemar!.perSeed.filter((m) => m.pHolm < 0.05).length);
    expect(c.significant).toBe(false);
    expect(mcnemarSentence(clear, 'paper').text).toMatch(
      new RegExp(`; where it disagrees with the paired t-test over seeds, which the verdicts use: CNN 1 and CNN 2 differ by McNemar in ${c.mcnemar!.significantSeeds} of 5 seeds but not over seeds \\(Holm-adjusted p = 0\\.41\\)\\.$`),
    );
    expect(clear.gapComparisons.every((g) => g.mcnemar === null && g.metric === 'gap')).toBe(true);
  });

  it('differences in test images: the mean difference in correct images', () => {
    const clear = syntheticStudy(CLEAR_ORDER);
    for (const c of clear.comparisons) {
      const a = clear.runs[`${c.protocol}/${c.a}`].perSeed;
      const b = clear.runs[`${c.protocol}/${c.b}`].perSeed;
      expect(c.meanDiffImages).toBeCloseTo(a.reduce((s, r, i) => s + r.testCorrect - b[i].testCorrect, 0) / a.length, 10);
      expect(c.meanDiffImages).toBeCloseTo(c.meanDiff * 10_000, 8);
    }
  });
});

describe('the Wilcoxon tests of the summary run on integer counts', () => {
  // Correct test images differing by −6, +30, +11, −19, −30 (the committed study's CNN 1 − CNN 2 on the
  // paper split, shifted to 10,000 images): the exact tie-aware p is 0.875 (test/data/statistics-reference.py).
  const seeds = [42, 1, 2, 3, 4];
  const one = [8786, 8821, 8790, 8770, 8770];
  const two = [8792, 8791, 8779, 8789, 8800];
  it('test accuracy: the tie of +30 and −30 images stays a tie', () => {
    const inputs = seeds.flatMap((seed, k) => [syntheticRun('paper', 'cnn1', seed, one[k] / N_TEST, 0.02), syntheticRun('paper', 'cnn2', seed, two[k] / N_TEST, 0.02)]);
    const s = summarizeStudy({ profile: 'paper', protocols: ['paper'], models: ['cnn1', 'cnn2'], seeds }, inputs);
    expect(s.comparisons[0].wilcoxon).toEqual({ wPlus: 6.5, n: 5, p: 0.875, minimumP: 0.0625 });
    expect(s.comparisons[0].meanDiffImages).toBeCloseTo(-2.8, 10);
  });
  it('the gap: equal test counts, training counts differing by the same steps: the same tie, the same p', () => {
    const inputs = seeds.flatMap((seed, k) => {
      const [a, b] = [syntheticRun('paper', 'cnn1', seed, 0.9, 0), syntheticRun('paper', 'cnn2', seed, 0.9, 0)];
      for (const [run, train] of [[a, 47000 + one[k] - 8700], [b, 47000 + two[k] - 8700]] as const) {
        Object.assign(run.result, { trainCorrect: train, trainAccuracy: train / N_TRAIN, gap: train / N_TRAIN - run.result.testAccuracy });
      }
      return [a, b];
    });
    const s = summarizeStudy({ profile: 'paper', protocols: ['paper'], models: ['cnn1', 'cnn2'], seeds }, inputs);
    expect(s.gapComparisons[0].wilcoxon).toEqual({ wPlus: 6.5, n: 5, p: 0.875, minimumP: 0.0625 });
  });
});

