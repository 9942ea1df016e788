import type { ModelName } from '../models/architectures';
import { modelTitle } from '../models/registry';
import { paperFigure, type PaperFigure } from '../cited/paper';
import { modelsOf, pair, type ConditionEvidence, type Stat } from './evidence';
import { minutes } from '../util/units';

/**
 * The paper's claims, each written as a statement that a result can confirm or refute, with its
 * tolerance fixed here, in code, before any result is read. A verdict is computed per training
 * condition (the paper's own recipe first, then our improved one) on the paper's 60:20:20 split.
 */
export const VERDICTS = ['reproduced', 'partly reproduced', 'not reproduced', 'not testable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Assessment {
  verdict: Verdict;
  /** Our number(s), as the claims table prints them. */
  ours: string;
  /** Why this verdict, from the numbers. */
  reason: string;
}

export interface PaperClaim {
  id: string;
  /** The claim as a testable statement. */
  statement: string;
  /** Where the paper makes it. */
  source: string;
  /** The paper's number, as the claims table prints it. */
  paper: string;
  /** What counts as reproduced, fixed before the results were read. */
  tolerance: string;
  assess(e: ConditionEvidence): Assessment;
}

const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;
const pts = (x: number, digits = 1) => `${(100 * x).toFixed(digits)} points`;
/** A difference in points, signed, short ("+0.26 pts"), for lists inside one table cell. */
const signedPts = (x: number) => `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(2)} pts`;
const sdText = (x: number | null, digits = 1) => (x === null ? '' : ` ± ${(100 * x).toFixed(digits)}`);
const title = modelTitle;

/**
 * A number the paper reports: reproduced within the tolerance, partly within twice the tolerance,
 * otherwise not. `tol` and values are fractions.
 */
function numberVerdict(ours: number, paper: number, tol: number): Verdict {
  const d = Math.abs(ours - paper);
  return d <= tol ? 'reproduced' : d <= 2 * tol ? 'partly reproduced' : 'not reproduced';
}

function withinText(ours: number, paper: number, tol: number, unit: (x: number) => string): string {
  const d = ours - paper;
  return `ours is ${unit(Math.abs(d))} ${d >= 0 ? 'above' : 'below'} the paper's (tolerance ±${unit(tol)}, partly within ±${unit(2 * tol)})`;
}

const TOL_ACCURACY = 0.01;
const TOL_ABOUT_90 = 0.02;
const TOL_F1 = 0.01;
const TOL_GAP = 0.02;
/** "Overfits" at all: a gap of at least half the paper's 6.8 points. */
const MIN_OVERFIT_GAP = 0.034;
/** The ANN "does not overfit": a gap of at most 2 points; "does not underfit": training accuracy within 2 points of the best model's. */
const TOL_ANN = 0.02;
/** "Faster": a median training time at least this much lower (run-to-run timing noise is a few percent). */
const FASTER_BY = 0.05;

/** The paper's own numbers the claims test, from the one place that cites them (src/cited/paper.ts). */
function cited(model: ModelName, metric: PaperFigure['metric']): number {
  const f = paperFigure(model, metric);
  if (!f) throw new Error(`src/cited/paper.ts has no ${metric} for ${model}, which a paper claim tests`);
  return f.value;
}
const PAPER_CNN2_TRAIN = cited('cnn2', 'trainAccuracy');
const PAPER_CNN2_TEST = cited('cnn2', 'testAccuracy');
const PAPER_CNN3_F1 = cited('cnn3', 'f1');

/** An accuracy the paper reports in Sec. IV, reproduced within ±1 point (partly within ±2). */
function reportedNumber(id: string, statement: string, paper: string, value: number, stat: (e: ConditionEvidence) => Stat): PaperClaim {
  return {
    id,
    statement,
    source: 'Sec. IV (results)',
    paper,
    tolerance: '± 1 point',
    assess(e) {
      const s = stat(e);
      return { verdict: numberVerdict(s.mean, value, TOL_ACCURACY), ours: `${pct(s.mean)}${sdText(s.sd)}`, reason: withinText(s.mean, value, TOL_ACCURACY, (x) => pts(x)) };
    },
  };
}

export const PAPER_CLAIMS: readonly PaperClaim[] = [
  {
    id: 'about-90',
    statement: 'Every model reaches about 90% test accuracy.',
    source: 'Sec. V (conclusion)',
    paper: 'about 90%',
    tolerance: 'each model within 90% ± 2 points',
    assess(e) {
      const models = modelsOf(e);
      const off = models.filter((m) => Math.abs(e.models[m].testAccuracy.mean - 0.9) > TOL_ABOUT_90);
      const ours = models.map((m) => `${title(m)} ${pct(e.models[m].testAccuracy.mean)}`).join(', ');
      if (off.length === 0) return { verdict: 'reproduced', ours, reason: 'every model is within 2 points of 90%' };
      const verdict: Verdict = off.length < models.length ? 'partly reproduced' : 'not reproduced';
      return { verdict, ours, reason: `${off.map(title).join(', ')} ${off.length === 1 ? 'is' : 'are'} more than 2 points from 90%` };
    },
  },
  reportedNumber('cnn2-train-accuracy', 'CNN 2 reaches 97.4% training accuracy.', '97.4%', PAPER_CNN2_TRAIN, (e) => e.models.cnn2.trainAccuracy),
  reportedNumber('cnn2-test-accuracy', 'CNN 2 reaches 90.6% test accuracy.', '90.6%', PAPER_CNN2_TEST, (e) => e.models.cnn2.testAccuracy),
  {
    id: 'cnn2-overfits',
    statement: 'CNN 2 overfits: its training accuracy exceeds its test accuracy by about 7 points.',
    source: 'Sec. IV (results)',
    paper: '6.8 points (97.4% − 90.6%)',
    tolerance: 'gap within 6.8 ± 2 points; partly: at least 3.4 points (half the paper\'s)',
    assess(e) {
      const g = e.models.cnn2.gap;
      const paperGap = PAPER_CNN2_TRAIN - PAPER_CNN2_TEST;
      const ours = `${pts(g.mean)}${sdText(g.sd)}`;
      if (Math.abs(g.mean - paperGap) <= TOL_GAP) return { verdict: 'reproduced', ours, reason: `the gap is within 2 points of the paper's ${pts(paperGap)}` };
      if (g.mean >= MIN_OVERFIT_GAP) return { verdict: 'partly reproduced', ours, reason: `CNN 2 overfits, but its gap is more than 2 points from the paper's ${pts(paperGap)}` };
      return { verdict: 'not reproduced', ours, reason: `the gap is below half the paper's ${pts(paperGap)}: no overfitting of the size the paper reports` };
    },
  },
  {
    id: 'cnn3-less-overfitting',
    statement: 'CNN 3, with dropout, overfits less than CNN 2: its train–test gap is smaller.',
    source: 'Sec. IV (results), Sec. III (Model 3)',
    paper: '— ("the better option")',
    tolerance: 'CNN 3\'s gap smaller than CNN 2\'s, significantly (paired t-test over seeds, Holm, at the 0.05 level); partly: smaller on average only',
    assess(e) {
      const c = pair(e.gap, 'cnn3', 'cnn2');
      const ours = `CNN 3 ${pts(e.models.cnn3.gap.mean)}, CNN 2 ${pts(e.models.cnn2.gap.mean)}`;
      const p = c.pHolm === null ? 'n/a' : c.pHolm.toPrecision(2);
      if (c.meanDiff < 0 && c.significant) return { verdict: 'reproduced', ours, reason: `CNN 3's gap is ${pts(-c.meanDiff, 2)} smaller (Holm p = ${p})` };
      if (c.meanDiff < 0) return { verdict: 'partly reproduced', ours, reason: `CNN 3's gap is ${pts(-c.meanDiff, 2)} smaller on average, not significantly (Holm p = ${p})` };
      return { verdict: 'not reproduced', ours, reason: `CNN 3's gap is ${pts(c.meanDiff, 2)} larger than CNN 2's` };
    },
  },
  {
    id: 'cnn1-wider-gap',
    statement: 'CNN 1 shows a wider train–test gap than the other CNNs.',
    source: 'Sec. IV (results, Fig. 10)',
    paper: '—',
    tolerance: 'CNN 1\'s gap larger than both CNN 2\'s and CNN 3\'s, significantly (paired t-test over seeds, Holm, at the 0.05 level); partly: larger on average than both, or significantly larger than one',
    assess(e) {
      const others: ModelName[] = ['cnn2', 'cnn3'];
      const diffs = others.map((m) => ({ m, c: pair(e.gap, 'cnn1', m) }));
      const ours = `${pts(e.models.cnn1.gap.mean)}; ${diffs.map(({ m, c }) => `${signedPts(c.meanDiff)}${c.significant ? '*' : ''} vs ${title(m)}`).join(', ')}`;
      const sigWider = diffs.filter(({ c }) => c.meanDiff > 0 && c.significant);
      if (sigWider.length === others.length) return { verdict: 'reproduced', ours, reason: 'significantly wider than both' };
      if (sigWider.length > 0 || diffs.every(({ c }) => c.meanDiff > 0)) {
        const not = diffs.filter((d) => !sigWider.includes(d)).map(({ m }) => title(m));
        return { verdict: 'partly reproduced', ours, reason: `not significantly wider than ${not.join(' and ')}` };
      }
      return { verdict: 'not reproduced', ours, reason: 'not wider than the other CNNs\' gaps, even on average' };
    },
  },
  {
    id: 'cnn3-best',
    statement: 'CNN 3 performs best overall: it has the highest test accuracy.',
    source: 'Sec. IV (results), Sec. V',
    paper: '—',
    tolerance: 'CNN 3 significantly more accurate than every other model (paired t-test over seeds, Holm, at the 0.05 level); partly: highest mean only',
    assess(e) {
      const others = modelsOf(e).filter((m) => m !== 'cnn3');
      const diffs = others.map((m) => ({ m, c: pair(e.accuracy, 'cnn3', m) }));
      const ours = `${pct(e.models.cnn3.testAccuracy.mean, 2)}; ${diffs.map(({ m, c }) => `${signedPts(c.meanDiff)}${c.significant ? '*' : ''} vs ${title(m)}`).join(', ')}`;
      const below = diffs.filter(({ c }) => c.meanDiff <= 0);
      if (below.length) return { verdict: 'not reproduced', ours, reason: `${below.map(({ m }) => title(m)).join(' and ')} ${below.length === 1 ? 'is' : 'are'} at least as accurate` };
      const notSig = diffs.filter(({ c }) => !c.significant);
      if (notSig.length) return { verdict: 'partly reproduced', ours, reason: `highest on average, but not significantly above ${notSig.map(({ m }) => title(m)).join(' and ')}` };
      return { verdict: 'reproduced', ours, reason: 'significantly more accurate than every other model' };
    },
  },
  {
    id: 'cnn2-cnn3-superior',
    statement: 'CNN 2 and CNN 3 outperform CNN 1 and the ANN.',
    source: 'Sec. IV (results): "superior performance ... by CNN Models 2 and 3"',
    paper: '—',
    tolerance: 'all four comparisons (CNN 2 and CNN 3 each against CNN 1 and the ANN) significantly positive in test accuracy (paired t-test over seeds, Holm); partly: some of them',
    assess(e) {
      const checks: Array<[ModelName, ModelName]> = [
        ['cnn2', 'cnn1'],
        ['cnn2', 'ann'],
        ['cnn3', 'cnn1'],
        ['cnn3', 'ann'],
      ];
      const results = checks.map(([a, b]) => ({ a, b, c: pair(e.accuracy, a, b) }));
      const won = results.filter(({ c }) => c.meanDiff > 0 && c.significant);
      const ours = results.map(({ a, b, c }) => `${title(a)} − ${title(b)} ${signedPts(c.meanDiff)}${c.significant ? '*' : ''}`).join('; ');
      const lost = results.filter((r) => !won.includes(r)).map(({ a, b }) => `${title(a)} over ${title(b)}`);
      if (won.length === checks.length) return { verdict: 'reproduced', ours, reason: 'all four differences are significant' };
      return { verdict: won.length ? 'partly reproduced' : 'not reproduced', ours, reason: `not significant: ${lost.join(', ')}` };
    },
  },
  {
    id: 'cnn3-f1',
    statement: 'CNN 3 reaches an F1 score of 0.903.',
    source: 'Fig. 11',
    paper: '0.903',
    tolerance: '± 0.01 (macro F1; the paper does not say which average)',
    assess(e) {
      const s = e.models.cnn3.macroF1;
      const d = s.mean - PAPER_CNN3_F1;
      const sds = s.sd ? ` (${Math.abs(d / s.sd).toFixed(0)} seed standard deviations)` : '';
      return {
        verdict: numberVerdict(s.mean, PAPER_CNN3_F1, TOL_F1),
        ours: `${s.mean.toFixed(4)}${s.sd === null ? '' : ` ± ${s.sd.toFixed(4)}`}`,
        reason: `ours is ${Math.abs(d).toFixed(4)} ${d >= 0 ? 'above' : 'below'} the paper's${sds}; tolerance ±${TOL_F1}`,
      };
    },
  },
  {
    id: 'cnn2-faster',
    statement: 'CNN 2 is faster to train than CNN 3 (the paper says "faster compilation time").',
    source: 'Sec. IV (results)',
    paper: 'no number',
    tolerance:
      `median training CPU time over seeds at least ${FASTER_BY * 100}% lower, on one processor model and from one commit's code; CPU time, not wall time, because wall time moves with ` +
      "whatever else the machine runs. Keras' compile step itself takes milliseconds, so training time is what can differ",
    assess(e) {
      const [a, b] = [e.models.cnn2, e.models.cnn3];
      const cpus = new Set([...a.cpuModels, ...b.cpuModels]);
      const wall = `wall: CNN 2 ${minutes(a.trainSecondsMedian)}, CNN 3 ${minutes(b.trainSecondsMedian)}`;
      if (a.trainCpuSecondsMedian === null || b.trainCpuSecondsMedian === null) {
        return { verdict: 'not testable', ours: `${wall} (median)`, reason: 'some runs did not record their CPU time, and their wall times were taken under different machine load' };
      }
      const ours = `CPU: CNN 2 ${minutes(a.trainCpuSecondsMedian)}, CNN 3 ${minutes(b.trainCpuSecondsMedian)} (median; ${wall})`;
      if (cpus.size !== 1) return { verdict: 'not testable', ours, reason: `the runs trained on different processors (${[...cpus].join('; ')}), so their times do not compare` };
      const commits = new Set([...a.commits, ...b.commits]);
      if (commits.size !== 1 || commits.has('unrecorded')) {
        const list = [...commits].map((c) => (c === 'unrecorded' ? 'unrecorded or with uncommitted changes' : c.slice(0, 7)));
        return { verdict: 'not testable', ours, reason: `the runs were trained from different code (commits ${list.join(', ')}), so their times do not compare` };
      }
      const ratio = a.trainCpuSecondsMedian / b.trainCpuSecondsMedian;
      if (ratio <= 1 - FASTER_BY) return { verdict: 'reproduced', ours, reason: `CNN 2 trains in ${(ratio * 100).toFixed(0)}% of CNN 3's CPU time` };
      return { verdict: 'not reproduced', ours, reason: `CNN 2 needs ${(ratio * 100).toFixed(0)}% of CNN 3's CPU time` };
    },
  },
  {
    id: 'ann-fits-well',
    statement: 'The ANN neither overfits nor underfits.',
    source: 'Sec. IV (Fig. 6)',
    paper: 'no number',
    tolerance: 'not overfitting: gap at most 2 points; not underfitting: training accuracy within 2 points of the best model\'s',
    assess(e) {
      const ann = e.models.ann;
      const best = Math.max(...modelsOf(e).map((m) => e.models[m].trainAccuracy.mean));
      const behind = best - ann.trainAccuracy.mean;
      const overfits = ann.gap.mean > TOL_ANN;
      const underfits = behind > TOL_ANN;
      const ours = `gap ${pts(ann.gap.mean)}; training accuracy ${pts(behind)} below the best`;
      if (!overfits && !underfits) return { verdict: 'reproduced', ours, reason: 'small gap, and it fits the training set about as well as the CNNs' };
      if (overfits && underfits) return { verdict: 'not reproduced', ours, reason: 'it both overfits and fits the training set worse than the CNNs' };
      return {
        verdict: 'partly reproduced',
        ours,
        reason: overfits ? 'it fits the training set well but overfits' : 'it does not overfit, but it fits the training set worse than the CNNs: it is limited by its capacity',
      };
    },
  },
  {
    id: 'interpretability',
    statement: 'The authors examined how interpretable the models are.',
    source: 'abstract',
    paper: 'no analysis shown',
    tolerance: 'an analysis in the paper to compare ours with',
    assess: () => ({ verdict: 'not testable', ours: '—', reason: 'the paper names interpretability as an aim but shows no analysis of it, so there is nothing to reproduce' }),
  },
];
