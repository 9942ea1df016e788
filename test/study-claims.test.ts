import { describe, expect, it } from 'vitest';
import { checkStudyFindings, mostAccurate, pairSentence, rankingSentence, studySentences } from '../src/report/study-claims';
import { studyVariablesFrom } from '../src/report/study-variables';
import { CLEAR_ORDER, syntheticStudy } from './study-fixtures';

describe('ranking sentences generated from the seed study', () => {
  const clear = syntheticStudy(CLEAR_ORDER);

  it('name the more accurate model with its mean difference, interval and Holm p, or say that two models do not differ', () => {
    expect(pairSentence(clear, 'paper', 'cnn1', 'cnn3').text).toMatch(/^CNN 3 is more accurate than CNN 1 \(mean difference \+0\.70 points, 95% CI \[\+0\.39, \+1\.01\], Holm-adjusted p = 0\.0063\)$/);
    expect(pairSentence(clear, 'paper', 'cnn1', 'cnn2').text).toMatch(/^CNN 1 and CNN 2 do not differ significantly \(mean difference \+0\.06 points, 95% CI \[−0\.\d\d, \+0\.\d\d\], Holm-adjusted p = 0\.\d+\)$/);
    const r = rankingSentence(clear, 'paper');
    expect(r.text).toMatch(/^On the paper's split, over 5 training seeds, CNN 3 is the most accurate model, more accurate than each of the other three \(Holm-adjusted p ≤ 0\.0063\); every convolutional model is more accurate than the ANN \(Holm-adjusted p < 0\.0001\); and CNN 1 and CNN 2 do not differ significantly \(mean difference \+0\.06 points, 95% CI \[−0\.12, \+0\.23\], Holm-adjusted p = 0\.41\)\.$/);
    expect(pairSentence(clear, 'paper', 'ann', 'cnn2').text).toMatch(/^CNN 2 is more accurate than the ANN \(mean difference \+2\.79 points, 95% CI \[\+2\.61, \+2\.97\], Holm-adjusted p < 0\.0001\)$/);
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
});
