import type { SplitProtocol } from '../data/types';
import type { ModelName } from '../models/architectures';
import { MODEL_NAMES } from '../models/architectures';
import type { Summary } from '../study/statistics';
import type { StudySummary } from '../study/summary';
import { CLAIM_CONDITIONS, CONDITIONS, conditionTitle, type ClaimCondition } from '../training/profiles';
import { percent, points, signed } from '../util/units';
import { PAPER_REPORTED, type PaperFigure } from '../cited/paper';
import { COMPARISON_FIGURE_TEXT as TEXT, modelTitle } from './model-figure-text';
import type { TableSpec } from './show';
import { LEGEND_ABOVE_PLOT, TOP_MARGIN_WITH_LEGEND, type FigureSpec } from './spec';

/**
 * Every number the paper reports beside ours, over the seeds of both training conditions (issue 22:
 * the comparison showed one seed of the improved recipe and left out the paper's headline number,
 * CNN 2's train–test gap). The gap is not printed in the paper as a number of its own; it is its
 * two CNN 2 accuracies' difference, and the claims (src/claims/paper-claims.ts) test it.
 */
export type PaperNumberMetric = PaperFigure['metric'] | 'gap';

export interface OursOverSeeds {
  seeds: number[];
  /** One value per seed, in the order of `seeds` (fractions; F1 as a score). */
  values: number[];
  summary: Summary;
}

export interface PaperNumber {
  model: ModelName;
  metric: PaperNumberMetric;
  /** The paper's value (a fraction; F1 a score). */
  paper: number;
  approximate: boolean;
  source: string;
  /** Ours under each condition whose study summary covers the model; absent where it does not. */
  ours: Partial<Record<ClaimCondition, OursOverSeeds>>;
}

const METRIC_ORDER: readonly PaperNumberMetric[] = ['testAccuracy', 'trainAccuracy', 'gap', 'f1'];

export const PAPER_NUMBER_LABELS: Record<PaperNumberMetric, string> = {
  testAccuracy: 'test accuracy',
  trainAccuracy: 'training accuracy',
  gap: 'train–test gap',
  f1: 'F1',
};

const SUMMARY_FIELD = { testAccuracy: 'testAccuracy', trainAccuracy: 'trainAccuracy', gap: 'gap', f1: 'macroF1' } as const;

/**
 * The paper's numbers, each paired with ours per condition. An approximate number is dropped where the
 * paper gives an exact one for the same model and metric; a model with an exact training and test
 * accuracy gets its gap too. Ordered by model, then test accuracy, training accuracy, gap, F1.
 */
export function paperNumbers(
  summaries: Partial<Record<ClaimCondition, StudySummary>>,
  protocol: SplitProtocol = 'paper',
  paper: readonly PaperFigure[] = PAPER_REPORTED,
): PaperNumber[] {
  const exact = paper.filter((p) => !p.approximate);
  const kept = paper.filter((p) => !(p.approximate && exact.some((e) => e.model === p.model && e.metric === p.metric)));
  const cited: Array<Omit<PaperNumber, 'ours'>> = kept.map((p) => ({ model: p.model as ModelName, metric: p.metric, paper: p.value, approximate: p.approximate, source: p.source }));
  for (const train of exact.filter((p) => p.metric === 'trainAccuracy')) {
    const test = exact.find((p) => p.model === train.model && p.metric === 'testAccuracy');
    if (!test) continue;
    cited.push({
      model: train.model as ModelName,
      metric: 'gap',
      paper: train.value - test.value,
      approximate: false,
      source: `${where(train.source)} (${percent(train.value, 1)} − ${percent(test.value, 1)})`,
    });
  }
  for (const c of cited) {
    if (!MODEL_NAMES.includes(c.model)) throw new Error(`the paper's numbers name a model we do not have: ${c.model}`);
  }
  const rank = (c: Omit<PaperNumber, 'ours'>) => MODEL_NAMES.indexOf(c.model) * METRIC_ORDER.length + METRIC_ORDER.indexOf(c.metric);
  return cited
    .sort((a, b) => rank(a) - rank(b))
    .map((c) => {
      const ours: PaperNumber['ours'] = {};
      for (const cond of CLAIM_CONDITIONS) {
        const s = summaries[cond];
        const run = s?.runs[`${protocol}/${c.model}`];
        if (!s || !run) continue;
        const field = SUMMARY_FIELD[c.metric];
        ours[cond] = { seeds: run.perSeed.map((r) => r.seed), values: run.perSeed.map((r) => r[field]), summary: run[field] };
      }
      return { ...c, ours };
    });
}

/** Where in the paper, without the quotation ("Sec. IV.C: Model 2 testing accuracy 90.6%" → "Sec. IV.C"): the table's column stays narrow. */
function where(source: string): string {
  return source.split(':')[0]!.trim();
}

/** A value of a metric as the report prints it: accuracies in %, the gap in points, F1 as a score. */
function value(metric: PaperNumberMetric, x: number, digits: number): string {
  if (metric === 'f1') return x.toFixed(digits + 2);
  if (metric === 'gap') return `${(100 * x).toFixed(digits)} pts`;
  return percent(x, digits);
}

/** Mean ± sd over the seeds in the metric's unit ("91.0% ± 0.1", "6.5 pts ± 0.2", "0.910 ± 0.002"). */
export function formatOurs(metric: PaperNumberMetric, o: OursOverSeeds | undefined): string {
  if (!o) return 'not run';
  const { mean, sd } = o.summary;
  if (sd === null) return value(metric, mean, 1);
  return `${value(metric, mean, 1)} ± ${metric === 'f1' ? sd.toFixed(3) : (100 * sd).toFixed(1)}`;
}

/** Ours (mean over the seeds) minus the paper's, in points for accuracies and gaps. */
export function formatDifference(n: PaperNumber, cond: ClaimCondition): string {
  const o = n.ours[cond];
  if (!o) return '';
  const d = o.summary.mean - n.paper;
  return n.metric === 'f1' ? signed(d, 3) : points(d, 1);
}

/** tbl-comparison-paper: one line per number the paper reports, ours as mean ± sd under both conditions. */
export function paperComparisonTable(numbers: readonly PaperNumber[]): TableSpec {
  const seeds = describeSeeds(numbers);
  return {
    ...TEXT.paperText,
    columns: ['model', 'number', 'paper', ...CLAIM_CONDITIONS.map((c) => `ours, ${conditionTitle(c)}`), `${conditionTitle('faithful')} − paper`, 'where the paper says so'],
    rows: numbers.map((n) => [
      modelTitle(n.model),
      PAPER_NUMBER_LABELS[n.metric],
      (n.approximate ? '≈ ' : '') + value(n.metric, n.paper, n.approximate ? 0 : 1),
      ...CLAIM_CONDITIONS.map((c) => formatOurs(n.metric, n.ours[c])),
      formatDifference(n, 'faithful'),
      where(n.source),
    ]),
    provenance: { conditions: seeds },
  };
}

function describeSeeds(numbers: readonly PaperNumber[]): string[] {
  return CLAIM_CONDITIONS.flatMap((c) => {
    const o = numbers.find((n) => n.ours[c])?.ours[c];
    return o ? [`${c}: seeds ${o.seeds.join(', ')}`] : [];
  });
}

/** The panels of the figure: every model's test accuracy together, then one panel per other number. */
function panelsOf(numbers: readonly PaperNumber[]): PaperNumber[][] {
  const shared = numbers.filter((n) => n.metric === 'testAccuracy');
  const rest = numbers.filter((n) => !shared.includes(n));
  return [...(shared.length ? [shared] : []), ...rest.map((n) => [n])];
}

/** The paper's number as a dashed line across its panel, labelled. */
const PAPER_LINE = { color: '#555555', width: 2, dash: 'dash' } as const;

const COLUMNS = 2;

/** Where a condition's dots sit beside a model's tick in the shared panel (two conditions side by side). */
const DODGE = 0.2;

/**
 * fig-comparison-paper: every seed as a point and the mean with its 95% interval, per condition, in a
 * panel per number the paper reports (the paper's value the dashed line). A panel's axis spans its own
 * numbers: a point on a scale, not a bar, so no axis needs to start at zero, and a 0.3-point
 * difference stays visible beside a 7-point gap. Each panel is named under its plot (x-axis title),
 * so the legend above the plots never meets a panel's name when a phone stacks them.
 */
export function paperComparisonFigure(numbers: readonly PaperNumber[]): FigureSpec {
  const panels = panelsOf(numbers);
  const data: Array<Record<string, unknown>> = [];
  const layout: Record<string, unknown> = {};
  const shapes: Array<Record<string, unknown>> = [];
  const annotations: Array<Record<string, unknown>> = [];
  const scale = (metric: PaperNumberMetric) => (metric === 'f1' ? 1 : 100);
  panels.forEach((panel, k) => {
    const suffix = k === 0 ? '' : String(k + 1);
    const metric = panel[0]!.metric;
    const s = scale(metric);
    const digits = metric === 'f1' ? 4 : 2;
    const shared = panel.length > 1;
    // Shared panel: models at 0, 1, 2..., each condition dodged beside them; else one condition per tick.
    const xOf = (n: PaperNumber, cond: ClaimCondition) => {
      const c = CLAIM_CONDITIONS.indexOf(cond);
      return shared ? panel.indexOf(n) + (c - (CLAIM_CONDITIONS.length - 1) / 2) * 2 * DODGE : c;
    };
    CLAIM_CONDITIONS.forEach((cond) => {
      const colour = CONDITIONS[cond].colour;
      const withOurs = panel.filter((n) => n.ours[cond]);
      if (withOurs.length === 0) return;
      const title = (n: PaperNumber) => `${modelTitle(n.model)}, ${conditionTitle(cond)}`;
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: conditionTitle(cond),
        legendgroup: cond,
        showlegend: false,
        x: withOurs.flatMap((n) => n.ours[cond]!.values.map(() => xOf(n, cond))),
        y: withOurs.flatMap((n) => n.ours[cond]!.values.map((v) => s * v)),
        text: withOurs.flatMap((n) => n.ours[cond]!.seeds.map((seed) => `${title(n)}, seed ${seed}`)),
        marker: { color: colour, size: 7, opacity: 0.5 },
        hovertemplate: `%{text}: %{y:.${digits}f}<extra></extra>`,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
      });
      const summary = (n: PaperNumber) => n.ours[cond]!.summary;
      data.push({
        type: 'scatter',
        mode: 'markers',
        name: conditionTitle(cond),
        legendgroup: cond,
        showlegend: k === 0,
        x: withOurs.map((n) => xOf(n, cond)),
        y: withOurs.map((n) => s * summary(n).mean),
        text: withOurs.map(title),
        error_y: {
          type: 'data',
          symmetric: false,
          array: withOurs.map((n) => s * ((summary(n).ci95?.[1] ?? summary(n).mean) - summary(n).mean)),
          arrayminus: withOurs.map((n) => s * (summary(n).mean - (summary(n).ci95?.[0] ?? summary(n).mean))),
          color: colour,
          thickness: 2,
          width: 8,
        },
        marker: { color: colour, size: 14, symbol: 'line-ew-open', line: { width: 3, color: colour } },
        hovertemplate: `%{text}: mean %{y:.${digits}f}<extra></extra>`,
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
      });
    });
    // The paper's number(s) as dashed lines: across the panel, or per model in the shared panel
    // (about 90% for most, exactly 90.6% for CNN 2). Rounded past float noise (97.39999999999999 → 97.4).
    const shown = (n: PaperNumber) => Math.round(s * n.paper * 1e9) / 1e9;
    for (const n of panel) {
      const k = panel.indexOf(n);
      const across = shared ? { xref: `x${suffix}`, x0: k - 0.45, x1: k + 0.45 } : { xref: `x${suffix} domain`, x0: 0, x1: 1 };
      shapes.push({ type: 'line', ...across, yref: `y${suffix}`, y0: shown(n), y1: shown(n), line: PAPER_LINE });
    }
    // Every value the panel shows, the paper's included, with a margin: the axis fits them all.
    const all = [...panel.map((n) => s * n.paper), ...panel.flatMap((n) => CLAIM_CONDITIONS.flatMap((c) => n.ours[c]?.values.map((v) => s * v) ?? []))];
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const pad = Math.max((hi - lo) * 0.25, metric === 'f1' ? 0.005 : 0.5);
    if (!shared) {
      const n = panel[0]!;
      annotations.push({
        text: `paper: ${n.approximate ? '≈ ' : ''}${value(metric, n.paper, n.approximate ? 0 : 1)}`,
        showarrow: false,
        xref: `x${suffix} domain`,
        yref: `y${suffix}`,
        x: 1,
        xanchor: 'right',
        y: shown(n),
        // Below the line when the dots sit above it, and the reverse: the label never covers a dot.
        yanchor: shown(n) > (lo + hi) / 2 ? 'top' : 'bottom',
        font: { size: 11, color: '#555555' },
      });
    }
    const unit = metric === 'f1' ? '' : metric === 'gap' ? ' (points)' : ' (%)';
    const name = shared ? `${PAPER_NUMBER_LABELS[metric]}${unit}, every model` : `${modelTitle(panel[0]!.model)} ${PAPER_NUMBER_LABELS[metric]}${unit}`;
    layout[`xaxis${suffix}`] = {
      title: { text: wrapWords(name, 16) },
      tickmode: 'array',
      tickvals: shared ? panel.map((_, i) => i) : CLAIM_CONDITIONS.map((_, i) => i),
      ticktext: shared ? panel.map((n) => modelTitle(n.model)) : CLAIM_CONDITIONS.map(conditionTitle),
      range: shared ? [-0.6, panel.length - 0.4] : [-0.5, CLAIM_CONDITIONS.length - 0.5],
      zeroline: false,
      showgrid: false,
    };
    layout[`yaxis${suffix}`] = { range: [lo - pad, hi + pad], zeroline: false };
  });
  // A legend entry for the dashed lines (shapes have none).
  data.push({ type: 'scatter', mode: 'lines', name: 'paper', x: [null], y: [null], line: PAPER_LINE, hoverinfo: 'skip', showlegend: true });
  return {
    ...TEXT.paper,
    data,
    layout: {
      title: { text: 'Our results vs. the paper' },
      // Two panels a row: five in one row left each about 90 px in the article's column (render test).
      grid: { rows: Math.ceil(panels.length / COLUMNS), columns: Math.min(COLUMNS, panels.length), pattern: 'independent', xgap: 0.2, ygap: 0.4 },
      legend: { ...LEGEND_ABOVE_PLOT },
      margin: { l: 60, r: 20, t: TOP_MARGIN_WITH_LEGEND, b: 90 },
      shapes,
      annotations,
      ...layout,
    },
    width: 900,
    height: 360 * Math.ceil(panels.length / COLUMNS) + 60,
    provenance: { conditions: describeSeeds(numbers) },
  };
}

/** Breaks a title into lines of about `width` characters at spaces (plotly has no wrapping of its own). */
function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('<br>');
}
