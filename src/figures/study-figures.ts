import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES } from '../models/architectures';
import { formatImages, formatLevel, formatP, formatPercentMeanSd, formatPoints } from '../study/format';
import { STUDY_SEEDS } from '../study/seeds';
import { ALPHA, type Comparison, type StudySummary } from '../study/summary';
import { minutes } from '../util/units';
import type { TableSpec } from './show';
import type { FigureSpec } from './spec';
import { modelTitle } from './model-figure-text';
import { MODEL_COLOURS } from '../models/registry';

/**
 * The seed study in notebook 07 and the article: a table of mean ± sd and interval per model and
 * protocol, a figure of the per-seed accuracies with mean and interval, and the pairwise tables of
 * test accuracy and of the train − test gap with their tests. Pure builders over a study summary
 * (results/study/summary.json, or results/<profile>/study/summary.json for another condition).
 */

const PROTOCOL_TITLE: Record<SplitProtocol, string> = { paper: "paper's split (60:20:20)", official: 'official split' };
const pct = (x: number) => (100 * x).toFixed(2);

// Captions are static (Quarto reads them from the cell metadata): they name the planned seeds, and
// the table rows and the figure title show how many the saved study has (it may still be incomplete).
const N = STUDY_SEEDS.length;
const SEEDS = `the seed study's ${N} training seeds (${STUDY_SEEDS.join(', ')})`;
const MIN_WILCOXON = 2 / 2 ** N;
const PAIRS = (MODEL_NAMES.length * (MODEL_NAMES.length - 1)) / 2;
const HOLM_LEVELS = `1 − ${ALPHA}/(${PAIRS} − j + 1) at step j, ${formatLevel(1 - ALPHA / PAIRS)}% down to ${formatLevel(1 - ALPHA)}%; pairs after the step where the procedure stopped take that step's level`;
const WILCOXON = `the exact Wilcoxon signed-rank test on integer counts, ties kept, shown as a check only: with ${N} seeds or fewer it cannot go below ${MIN_WILCOXON}, so it can never reach ${ALPHA}`;

/** The captions and alt texts of the study's figure and tables (the notebook cells' metadata must match). */
export const STUDY_FIGURE_TEXT = {
  table: {
    id: 'tbl-study',
    caption:
      `Test accuracy (%) over ${SEEDS} per model and protocol: mean ± standard deviation, 95% confidence interval of the mean (t distribution, one degree of freedom fewer than seeds), range, ` +
      `the train − test gap (training minus test accuracy, percentage points: mean ± standard deviation), macro F1, and the median training time over the seeds. The split is the same for every seed.`,
  },
  pairs: {
    id: 'tbl-study-pairs',
    caption:
      `Pairwise differences in test accuracy (more accurate model on the mean minus the other, paired by seed), in percentage points and, in brackets, in test images. ` +
      `Each interval is at the level at which Holm's step-down procedure judged that pair (${HOLM_LEVELS}), so it excludes zero exactly when the Holm-adjusted p-value of the paired t-test over seeds is below ${ALPHA}: ` +
      `that test, Holm-adjusted over the ${PAIRS} pairs of a protocol, decides every statement of the article. Beside it, ${WILCOXON}; ` +
      `and McNemar's exact test on every seed's test predictions, Holm-adjusted over the ${PAIRS} pairs within each seed: in how many seeds it is significant, and the images only the first / only the second model gets right, summed over the seeds. ` +
      `McNemar's test sees only which images happen to be in the test set, for two trained networks; the seed test also sees how much a model varies between training seeds. So McNemar can be significant where the seed test is not; the verdicts use the seed test.`,
  },
  gapPairs: {
    id: 'tbl-study-gap-pairs',
    caption:
      `Pairwise differences in the train − test gap (training minus test accuracy; wider gap on the mean minus the other, paired by seed), in percentage points and, in brackets, in test images' worth (the difference times the test images). ` +
      `Intervals at the level at which Holm's step-down procedure judged each pair (${HOLM_LEVELS}), so an interval excludes zero exactly when the Holm-adjusted p-value is below ${ALPHA}; ` +
      `p-values of the paired t-test over seeds and the same Holm-adjusted over the ${PAIRS} pairs of a protocol (what the article's gap rankings use), and ${WILCOXON}.`,
  },
  seeds: {
    id: 'fig-study-seeds',
    caption: `Test accuracy of each model over ${SEEDS} on both protocols: one small point per seed, the bar marks the mean and the whiskers its 95% confidence interval (t distribution). The test images are the same for every seed of a protocol.`,
    alt: `Two panels, the paper's split and the official split; in each, for ANN, CNN 1, CNN 2 and CNN 3, one point per seed for its test accuracy and a marker for the mean with whiskers for the 95% interval.`,
  },
} as const;

/** The summary file as the project names it: results/study/summary.json for the improved condition, results/<profile>/study/summary.json for another. */
function provenance(s: StudySummary): FigureSpec['provenance'] {
  return { results: [s.profile === 'paper' ? 'results/study/summary.json' : `results/${s.profile}/study/summary.json`], seeds: s.seeds, backend: s.compute.backends.join(', ') };
}

/** tbl-study: per protocol and model, test accuracy over the seeds (mean ± sd, 95% t interval, min–max), the gap, mean macro F1 and the median training time. */
export function studyTable(s: StudySummary): TableSpec {
  const rows: Array<Array<string | number>> = [];
  for (const protocol of s.protocols) {
    for (const model of MODEL_NAMES.filter((m) => s.models.includes(m))) {
      const r = s.runs[`${protocol}/${model}`];
      const a = r.testAccuracy;
      rows.push([
        protocol,
        modelTitle(model),
        formatPercentMeanSd(a),
        a.ci95 ? `[${pct(a.ci95[0])}, ${pct(a.ci95[1])}]` : 'n/a',
        `${pct(a.min)}–${pct(a.max)}`,
        formatPercentMeanSd(r.gap),
        `${r.macroF1.mean.toFixed(4)} ± ${r.macroF1.sd === null ? 'n/a' : r.macroF1.sd.toFixed(4)}`,
        minutes(r.trainSeconds.median),
      ]);
    }
  }
  return {
    ...STUDY_FIGURE_TEXT.table,
    columns: ['protocol', 'model', 'accuracy mean ± sd', '95% CI', 'min–max', 'gap (pts) mean ± sd', 'macro F1 mean ± sd', 'training time (median)'],
    rows,
    provenance: provenance(s),
  };
}

/** One row per pair, read as "larger on the mean − the other", so differences are positive. */
function pairRow(c: Comparison): { hi: string; lo: string; cells: string[] } {
  const flip = c.meanDiff < 0;
  const [hi, lo] = flip ? [c.b, c.a] : [c.a, c.b];
  const ci = c.ciHolm ? (flip ? [-c.ciHolm[1], -c.ciHolm[0]] : c.ciHolm) : null;
  return {
    hi: modelTitle(hi),
    lo: modelTitle(lo),
    cells: [
      `${formatPoints(Math.abs(c.meanDiff))} (${formatImages(Math.abs(c.meanDiffImages))})`,
      // The level in the same cell: a column of its own made the table wider than the article's column.
      ci ? `[${formatPoints(ci[0])}, ${formatPoints(ci[1])}]${c.ciHolmLevel === null ? '' : ` (${formatLevel(c.ciHolmLevel)}%)`}` : 'n/a',
    ],
  };
}

/** tbl-study-pairs: per protocol and pair, the mean paired difference in points and images, its interval at Holm's level, the tests, and McNemar over every seed. */
export function studyPairsTable(s: StudySummary): TableSpec {
  const rows = s.comparisons.map((c) => {
    const r = pairRow(c);
    const flip = c.meanDiff < 0;
    const m = c.mcnemar;
    const only = m ? (flip ? [m.pooled.c, m.pooled.b] : [m.pooled.b, m.pooled.c]) : null;
    return [
      c.protocol,
      `${r.hi} − ${r.lo}`,
      ...r.cells,
      formatP(c.pHolm),
      formatP(c.wilcoxon.p),
      m ? `${m.significantSeeds} of ${m.perSeed.length}` : 'n/a',
      only ? `${only[0]} / ${only[1]}` : 'n/a',
    ];
  });
  return {
    ...STUDY_FIGURE_TEXT.pairs,
    // Nine columns at most: a tenth made the table wider than the article's column at 820 px.
    columns: ['protocol', 'pair', 'diff, pts (images)', "CI (Holm's level)", 'Holm p', 'Wilcoxon p', `McNemar: seeds p < ${s.alpha}`, 'McNemar b / c'],
    rows,
    provenance: provenance(s),
  };
}

/** tbl-study-gap-pairs: the same for the train − test gap (no McNemar: it compares test predictions only). */
export function studyGapPairsTable(s: StudySummary): TableSpec {
  const rows = s.gapComparisons.map((c) => {
    const r = pairRow(c);
    return [c.protocol, `${r.hi} − ${r.lo}`, ...r.cells, formatP(c.pairedT.p), formatP(c.pHolm), formatP(c.wilcoxon.p)];
  });
  return {
    ...STUDY_FIGURE_TEXT.gapPairs,
    columns: ['protocol', 'pair (wider − narrower)', 'diff, pts (images)', "CI (Holm's level)", 't-test p', 'Holm p', 'Wilcoxon p'],
    rows,
    provenance: provenance(s),
  };
}

/** fig-study-seeds: every seed's test accuracy as a point, with the mean and its 95% interval, one panel per protocol. */
export function studySeedFigure(s: StudySummary): FigureSpec {
  const models = MODEL_NAMES.filter((m) => s.models.includes(m));
  const data: Array<Record<string, unknown>> = [];
  s.protocols.forEach((protocol, k) => {
    const axis = k === 0 ? '' : String(k + 1);
    for (const model of models) {
      const r = s.runs[`${protocol}/${model}`];
      const colour = MODEL_COLOURS[model];
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: modelTitle(model),
        legendgroup: model,
        showlegend: false,
        x: r.perSeed.map(() => modelTitle(model)),
        y: r.perSeed.map((p) => 100 * p.testAccuracy),
        text: r.perSeed.map((p) => `seed ${p.seed}`),
        marker: { color: colour, size: 8, opacity: 0.55 },
        hovertemplate: `${modelTitle(model)}, %{text}: %{y:.2f}%<extra></extra>`,
        xaxis: `x${axis}`,
        yaxis: `y${axis}`,
      });
      const a = r.testAccuracy;
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: modelTitle(model),
        legendgroup: model,
        showlegend: k === 0,
        x: [modelTitle(model)],
        y: [100 * a.mean],
        ...(a.ci95 ? { error_y: { type: 'data', symmetric: false, array: [100 * (a.ci95[1] - a.mean)], arrayminus: [100 * (a.mean - a.ci95[0])], color: colour, thickness: 2, width: 12 } } : {}),
        marker: { color: colour, size: 16, symbol: 'line-ew-open', line: { width: 3, color: colour } },
        hovertemplate: `${modelTitle(model)}: mean %{y:.2f}%${a.ci95 ? `, 95% CI [${pct(a.ci95[0])}, ${pct(a.ci95[1])}]` : ''}<extra></extra>`,
        xaxis: `x${axis}`,
        yaxis: `y${axis}`,
      });
    }
  });
  const layout: Record<string, unknown> = {
    title: { text: `Seeds ${s.seeds.join(', ')}` },
    grid: { rows: 1, columns: s.protocols.length, pattern: 'independent' },
    // No legend: the tick labels name the models (and below the plot it ran into them in a narrow column).
    showlegend: false,
    margin: { l: 70, r: 20, t: 90, b: 60 },
    // Each panel's title above its own plot area, so it moves with the panel when a narrow screen stacks them.
    annotations: s.protocols.map((p, k) => ({ text: PROTOCOL_TITLE[p], showarrow: false, xref: `x${k === 0 ? '' : k + 1} domain`, yref: `y${k === 0 ? '' : k + 1} domain`, x: 0.5, y: 1, yanchor: 'bottom', font: { size: 14 } })),
  };
  s.protocols.forEach((_, k) => {
    const suffix = k === 0 ? '' : String(k + 1);
    layout[`xaxis${suffix}`] = {}; // the tick labels name the models
    layout[`yaxis${suffix}`] = { title: { text: k === 0 ? 'test accuracy (%)' : '' } };
  });
  return {
    ...STUDY_FIGURE_TEXT.seeds,
    data,
    layout,
    width: 960,
    height: 480,
    provenance: provenance(s),
  };
}
