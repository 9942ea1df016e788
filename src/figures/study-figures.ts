import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES } from '../models/architectures';
import { formatP, formatPoints } from '../study/format';
import { COMMITTED_SEED, STUDY_SEEDS } from '../study/seeds';
import { ALPHA, type StudySummary } from '../study/summary';
import type { TableSpec } from './show';
import type { FigureSpec } from './spec';
import { modelTitle } from './model-figure-text';
import { MODEL_COLOURS as REGISTRY_COLOURS } from '../models/registry';

/**
 * The seed study in notebook 07 and the article: a table of mean ± sd and interval per model and
 * protocol, a figure of the per-seed accuracies with mean and interval, and the pairwise table with
 * p-values. Pure builders over results/study/summary.json.
 */

const PROTOCOL_TITLE: Record<SplitProtocol, string> = { paper: "paper's split (60:20:20)", official: 'official split' };
const MODEL_COLOURS: Record<string, string> = REGISTRY_COLOURS;
const pct = (x: number) => (100 * x).toFixed(2);

// Captions are static (Quarto reads them from the cell metadata): they name the planned seeds, and
// the table rows and the figure title show how many the saved study has (it may still be incomplete).
const N = STUDY_SEEDS.length;
const SEEDS = `the seed study's training seeds (${N} planned: ${STUDY_SEEDS.join(', ')}; the article says how many are done)`;
const MIN_WILCOXON = 2 / 2 ** N;

/** The captions and alt texts of the study's figure and tables (the notebook cells' metadata must match). */
export const STUDY_FIGURE_TEXT = {
  table: {
    id: 'tbl-study',
    caption: `Test accuracy (%) over ${SEEDS} per model and protocol: mean ± standard deviation, 95% confidence interval of the mean (t distribution, one degree of freedom fewer than seeds; n/a with one seed), range, and macro F1. The split is the same for every seed.`,
  },
  pairs: {
    id: 'tbl-study-pairs',
    caption:
      `Pairwise differences in test accuracy (percentage points, more accurate model on the mean minus the other, paired by seed) with 95% t intervals; ` +
      `p-values of the paired t-test, the same Holm-adjusted over the six pairs of a protocol (the test the article's statements use: a Holm p below ${ALPHA} is a significant difference), ` +
      `the exact Wilcoxon signed-rank test (with ${N} seeds or fewer it cannot go below ${MIN_WILCOXON}), and McNemar's exact test on seed ${COMMITTED_SEED}'s test predictions ` +
      `(images only the first model gets right / only the second gets right).`,
  },
  seeds: {
    id: 'fig-study-seeds',
    caption: `Test accuracy of each model over ${SEEDS} on both protocols: one small point per seed, the bar marks the mean and the whiskers its 95% confidence interval (t distribution). The test images are the same for every seed of a protocol.`,
    alt: `Two panels, the paper's split and the official split; in each, for ANN, CNN 1, CNN 2 and CNN 3, one point per seed for its test accuracy and a marker for the mean with whiskers for the 95% interval.`,
  },
} as const;

function provenance(s: StudySummary): FigureSpec['provenance'] {
  return { results: ['results/study/summary.json'], seeds: s.seeds, backend: s.compute.backends.join(', ') };
}

/** tbl-study: per protocol and model, test accuracy over the seeds (mean ± sd, 95% t interval, min–max) and mean macro F1. */
export function studyTable(s: StudySummary): TableSpec {
  const rows: Array<Array<string | number>> = [];
  for (const protocol of s.protocols) {
    for (const model of MODEL_NAMES.filter((m) => s.models.includes(m))) {
      const r = s.runs[`${protocol}/${model}`];
      const a = r.testAccuracy;
      rows.push([
        protocol,
        modelTitle(model),
        `${pct(a.mean)} ± ${a.sd === null ? 'n/a' : pct(a.sd)}`,
        a.ci95 ? `[${pct(a.ci95[0])}, ${pct(a.ci95[1])}]` : 'n/a',
        `${pct(a.min)}–${pct(a.max)}`,
        `${r.macroF1.mean.toFixed(4)} ± ${r.macroF1.sd === null ? 'n/a' : r.macroF1.sd.toFixed(4)}`,
      ]);
    }
  }
  return {
    ...STUDY_FIGURE_TEXT.table,
    columns: ['protocol', 'model', 'accuracy mean ± sd', '95% CI', 'min–max', 'macro F1 mean ± sd'],
    rows,
    provenance: provenance(s),
  };
}

/** tbl-study-pairs: per protocol and pair, the mean paired difference with its interval and every test's p-value. */
export function studyPairsTable(s: StudySummary): TableSpec {
  const rows = s.comparisons.map((c) => {
    // Each pair reads "more accurate on the mean − the other", so differences are positive points.
    const flip = c.meanDiff < 0;
    const [hi, lo] = flip ? [c.b, c.a] : [c.a, c.b];
    const ci = c.ci95 ? (flip ? [-c.ci95[1], -c.ci95[0]] : c.ci95) : null;
    const only = flip ? [c.mcnemar.c, c.mcnemar.b] : [c.mcnemar.b, c.mcnemar.c];
    return [
      c.protocol,
      `${modelTitle(hi)} − ${modelTitle(lo)}`,
      formatPoints(Math.abs(c.meanDiff)),
      ci ? `[${formatPoints(ci[0])}, ${formatPoints(ci[1])}]` : 'n/a',
      formatP(c.pairedT.p),
      formatP(c.pHolm),
      formatP(c.wilcoxon.p),
      `${only[0]} / ${only[1]}`,
      formatP(c.mcnemar.p),
    ];
  });
  return {
    ...STUDY_FIGURE_TEXT.pairs,
    // Nine columns at most: a tenth (a yes/no for significance) made the table wider than the article's column at 820 px.
    columns: ['protocol', 'pair', 'mean diff (pts)', '95% CI', 'paired t p', 'Holm p', 'Wilcoxon p', `McNemar (seed ${s.committedSeed})`, 'McNemar p'],
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
    annotations: s.protocols.map((p, k) => ({ text: PROTOCOL_TITLE[p], showarrow: false, xref: `x${k === 0 ? '' : k + 1} domain`, yref: 'paper', x: 0.5, y: 1.04, font: { size: 14 } })),
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
