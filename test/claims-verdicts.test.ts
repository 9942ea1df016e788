import { describe, expect, it } from 'vitest';
import { MODEL_NAMES, type ModelName } from '../src/models/architectures';
import type { ConditionEvidence, ModelEvidence, PairEvidence } from '../src/claims/evidence';
import { PAPER_CLAIMS, type Verdict } from '../src/claims/paper-claims';
import { assessClaims, formatClaimsTable } from '../src/claims/verdicts';

/** Made-up evidence: per model test accuracy, train accuracy, macro F1 and train seconds; comparisons from the means. */
function evidence(
  over: Partial<Record<ModelName, Partial<{ test: number; train: number; f1: number; seconds: number; cpu: string }>>> = {},
  significant: (metric: 'accuracy' | 'gap', a: ModelName, b: ModelName) => boolean = () => true,
): ConditionEvidence {
  const base: Record<ModelName, { test: number; train: number; f1: number; seconds: number; cpu: string }> = {
    ann: { test: 0.882, train: 0.899, f1: 0.881, seconds: 90, cpu: 'X' },
    cnn1: { test: 0.913, train: 0.942, f1: 0.913, seconds: 400, cpu: 'X' },
    cnn2: { test: 0.914, train: 0.940, f1: 0.914, seconds: 400, cpu: 'X' },
    cnn3: { test: 0.918, train: 0.941, f1: 0.917, seconds: 600, cpu: 'X' },
  };
  const stat = (mean: number) => ({ n: 5, mean, sd: 0.001 });
  const models = Object.fromEntries(
    MODEL_NAMES.map((m) => {
      const v = { ...base[m], ...over[m] };
      const e: ModelEvidence = {
        testAccuracy: stat(v.test),
        trainAccuracy: stat(v.train),
        gap: stat(v.train - v.test),
        macroF1: stat(v.f1),
        trainSecondsMedian: v.seconds * 1.3,
        trainCpuSecondsMedian: v.seconds,
        cpuModels: [v.cpu],
        commits: ['a'.repeat(40)],
      };
      return [m, e];
    }),
  ) as Record<ModelName, ModelEvidence>;
  const pairs = (metric: 'accuracy' | 'gap', value: (m: ModelName) => number): PairEvidence[] =>
    MODEL_NAMES.flatMap((a, i) =>
      MODEL_NAMES.slice(i + 1).map((b) => {
        const sig = significant(metric, a, b);
        return { a, b, meanDiff: value(a) - value(b), pHolm: sig ? 0.01 : 0.3, significant: sig };
      }),
    );
  return {
    condition: 'faithful',
    protocol: 'paper',
    seeds: [42, 1, 2, 3, 4],
    models,
    accuracy: pairs('accuracy', (m) => models[m].testAccuracy.mean),
    gap: pairs('gap', (m) => models[m].gap.mean),
  };
}

const verdictOf = (id: string, e: ConditionEvidence): Verdict => {
  const claim = PAPER_CLAIMS.find((c) => c.id === id);
  if (!claim) throw new Error(`no claim ${id}`);
  return claim.assess(e).verdict;
};

describe('the verdict on each claim follows the numbers', () => {
  it('has at least 7 testable claims, each with a tolerance, and unique ids', () => {
    expect(PAPER_CLAIMS.length).toBeGreaterThanOrEqual(7);
    expect(new Set(PAPER_CLAIMS.map((c) => c.id)).size).toBe(PAPER_CLAIMS.length);
    for (const c of PAPER_CLAIMS) expect(c.tolerance.length).toBeGreaterThan(5);
  });

  it('"about 90%": reproduced within ±2 points for every model, partly when some are off, not when all are', () => {
    expect(verdictOf('about-90', evidence())).toBe('reproduced');
    expect(verdictOf('about-90', evidence({ ann: { test: 0.879 } }))).toBe('partly reproduced');
    expect(verdictOf('about-90', evidence({ ann: { test: 0.95 }, cnn1: { test: 0.95 }, cnn2: { test: 0.95 }, cnn3: { test: 0.95 } }))).toBe('not reproduced');
  });

  it('CNN 2 overfits: reproduced at a 6.8 ± 2 point gap, partly from 3.4 points, not below', () => {
    expect(verdictOf('cnn2-overfits', evidence({ cnn2: { train: 0.974, test: 0.906 } }))).toBe('reproduced');
    expect(verdictOf('cnn2-overfits', evidence({ cnn2: { train: 0.974, test: 0.926 } }))).toBe('partly reproduced'); // 4.8 points
    expect(verdictOf('cnn2-overfits', evidence({ cnn2: { train: 0.940, test: 0.914 } }))).toBe('not reproduced'); // 2.6 points
  });

  it('numbers the paper reports: within the tolerance, within twice it, or beyond', () => {
    expect(verdictOf('cnn2-train-accuracy', evidence({ cnn2: { train: 0.97 } }))).toBe('reproduced');
    expect(verdictOf('cnn2-train-accuracy', evidence({ cnn2: { train: 0.958 } }))).toBe('partly reproduced');
    expect(verdictOf('cnn2-train-accuracy', evidence({ cnn2: { train: 0.94 } }))).toBe('not reproduced');
    expect(verdictOf('cnn3-f1', evidence({ cnn3: { f1: 0.905 } }))).toBe('reproduced');
    expect(verdictOf('cnn3-f1', evidence({ cnn3: { f1: 0.9161 } }))).toBe('partly reproduced');
    expect(verdictOf('cnn3-f1', evidence({ cnn3: { f1: 0.93 } }))).toBe('not reproduced');
  });

  it('CNN 3 overfits less than CNN 2: significance decides between reproduced and partly; a larger gap is not reproduced', () => {
    const smaller = { cnn3: { train: 0.935, test: 0.918 } }; // gap 1.7 vs CNN 2's 2.6
    expect(verdictOf('cnn3-less-overfitting', evidence(smaller))).toBe('reproduced');
    expect(verdictOf('cnn3-less-overfitting', evidence(smaller, (metric) => metric !== 'gap'))).toBe('partly reproduced');
    expect(verdictOf('cnn3-less-overfitting', evidence({ cnn3: { train: 0.95, test: 0.918 } }))).toBe('not reproduced');
  });

  it('CNN 1 wider gap: significantly wider than both other CNNs, than one (or on average), or not at all', () => {
    const wide = { cnn1: { train: 0.96, test: 0.913 } };
    expect(verdictOf('cnn1-wider-gap', evidence(wide))).toBe('reproduced');
    expect(verdictOf('cnn1-wider-gap', evidence(wide, (metric, a, b) => !(metric === 'gap' && a === 'cnn1' && b === 'cnn3')))).toBe('partly reproduced');
    expect(verdictOf('cnn1-wider-gap', evidence({ cnn1: { train: 0.93, test: 0.913 } }))).toBe('not reproduced');
  });

  it('CNN 3 best: needs a higher mean than every model and significance against each', () => {
    expect(verdictOf('cnn3-best', evidence())).toBe('reproduced');
    expect(verdictOf('cnn3-best', evidence({}, (metric, a, b) => !(metric === 'accuracy' && a === 'cnn2' && b === 'cnn3')))).toBe('partly reproduced');
    expect(verdictOf('cnn3-best', evidence({ cnn1: { test: 0.92 } }))).toBe('not reproduced');
  });

  it('CNN 2 and CNN 3 superior: all four comparisons, some, or none significant', () => {
    expect(verdictOf('cnn2-cnn3-superior', evidence())).toBe('reproduced');
    // CNN 2 no better than CNN 1 (the same architecture): partly
    expect(verdictOf('cnn2-cnn3-superior', evidence({}, (metric, a, b) => !(a === 'cnn1' && b === 'cnn2')))).toBe('partly reproduced');
    expect(verdictOf('cnn2-cnn3-superior', evidence({}, () => false))).toBe('not reproduced');
  });

  it('CNN 2 faster: by median training time on one processor; different processors make it not testable', () => {
    expect(verdictOf('cnn2-faster', evidence())).toBe('reproduced');
    expect(verdictOf('cnn2-faster', evidence({ cnn2: { seconds: 590 } }))).toBe('not reproduced');
    expect(verdictOf('cnn2-faster', evidence({ cnn3: { cpu: 'Y' } }))).toBe('not testable');
    const noCpu = evidence();
    noCpu.models.cnn3.trainCpuSecondsMedian = null;
    expect(verdictOf('cnn2-faster', noCpu)).toBe('not testable');
    // Times compare only from one commit's code (the issue: same commit, same machine load).
    const otherCode = evidence();
    otherCode.models.cnn3.commits = ['b'.repeat(40)];
    expect(verdictOf('cnn2-faster', otherCode)).toBe('not testable');
    const dirty = evidence();
    dirty.models.cnn2.commits = ['unrecorded'];
    expect(verdictOf('cnn2-faster', dirty)).toBe('not testable');
  });

  it('the ANN neither overfits nor underfits: both, one, or neither', () => {
    expect(verdictOf('ann-fits-well', evidence({ ann: { train: 0.93, test: 0.92 } }))).toBe('reproduced');
    expect(verdictOf('ann-fits-well', evidence())).toBe('partly reproduced'); // 4.3 points behind the best training accuracy
    expect(verdictOf('ann-fits-well', evidence({ ann: { train: 0.91, test: 0.85 } }))).toBe('not reproduced');
  });
});

describe('assessClaims', () => {
  it("takes each row's verdict from the faithful condition, shows both, and counts verdicts", () => {
    const faithful = evidence({ cnn2: { train: 0.974, test: 0.906 } });
    const improved = { ...evidence(), condition: 'paper' as const };
    const t = assessClaims({ faithful, paper: improved });
    const row = t.rows.find((r) => r.id === 'cnn2-overfits')!;
    expect(row.byCondition.faithful?.verdict).toBe('reproduced');
    expect(row.byCondition.paper?.verdict).toBe('not reproduced');
    expect(row.verdict).toBe('reproduced');
    expect(Object.values(t.counts).reduce((a, b) => a + b, 0)).toBe(PAPER_CLAIMS.length);
    expect(formatClaimsTable(t)).toMatch(/\[REPRODUCED\] CNN 2 overfits/);
  });

  it('without the faithful runs every row is not testable, and the improved verdicts still show', () => {
    const t = assessClaims({ paper: { ...evidence(), condition: 'paper' } });
    expect(t.rows.every((r) => r.verdict === 'not testable')).toBe(true);
    expect(t.rows[0].byCondition.paper).toBeDefined();
  });
});
