/**
 * Per-model figures: architecture table, learning curves, per-class scores and the confusion matrix.
 * Every builder is pure (summary or evaluation report in, FigureSpec out), so tests check the numbers
 * a figure shows without a browser. Ids follow `fig-<model>-<what>` and double as Quarto cell labels.
 *
 * The input types below are structural: they name only the fields a figure reads, so the full objects
 * from the models and training modules (which carry more) fit them directly.
 */
import { classScoreDotsLayout, DOT_SYMBOLS, LEGEND_ABOVE_PLOT, TOP_MARGIN_WITH_LEGEND, type FigureSpec } from './spec';
import type { TableSpec } from './show';
import { CLASS_NAMES } from '../data/classes';
import { architectureTableText, keyMetricsTableText, modelFigureText, modelTitle } from './model-figure-text';

/** One row of a model summary (what Keras' `model.summary()` prints). */
export interface SummaryRowLike {
  layer: string;
  type: string;
  outputShape: ReadonlyArray<number | null> | string;
  params: number;
  /** Kernel, stride, padding, activation, units or dropout rate in words (older summaries lack it). */
  settings?: string;
}

export interface ModelSummaryLike {
  rows: readonly SummaryRowLike[];
  total: number;
}

export interface EpochLike {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
}

export interface ClassScoresLike {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The parts of a training/evaluation report the per-model figures need. */
export interface ModelReportLike {
  history: readonly EpochLike[];
  test: { perClass: readonly ClassScoresLike[]; confusion: readonly (readonly number[])[] };
}

// One palette for all model figures so train/validation and precision/recall/F1 keep their colours everywhere.
const COLOURS = { train: '#1f77b4', val: '#ff7f0e', precision: '#4c78a8', recall: '#f58518', f1: '#54a24b' };

/** Keras writes output shapes as `(None, 13, 13, 32)`; the batch dimension is shown as None the same way. */
export function formatShape(shape: SummaryRowLike['outputShape']): string {
  if (typeof shape === 'string') return shape;
  return `(${shape.map((d) => (d === null || d < 0 ? 'None' : String(d))).join(', ')})`;
}

/** The architecture as a table: one row per layer with its settings, output shape and parameter count, then the total. */
export function architectureTable(model: string, summary: ModelSummaryLike): TableSpec {
  return {
    ...architectureTableText(model),
    columns: ['layer', 'type', 'settings', 'output shape', 'parameters'],
    rows: [...summary.rows.map((r) => [r.layer, r.type, r.settings ?? '', formatShape(r.outputShape), r.params]), ['total', '', '', '', summary.total]],
  };
}

/**
 * Ticks on whole epochs: a step of 1, 2, 5, 10, ... that gives at most `maxTicks` ticks, starting at
 * epoch 1 (the first epoch is 1, not 0).
 */
export function epochTicks(epochs: number, maxTicks = 10): { tick0: number; dtick: number; range: [number, number] } {
  let dtick = 1;
  for (const step of [1, 2, 5, 10, 20, 50, 100, 200, 500]) {
    dtick = step;
    if (Math.ceil(epochs / step) <= maxTicks) break;
  }
  return { tick0: dtick <= 2 ? 1 : 0, dtick, range: [0.5, Math.max(1, epochs) + 0.5] };
}

/** Learning curves in two panels: accuracy (left) and loss (right), training and validation per epoch. */
export function historyFigure(model: string, history: readonly EpochLike[]): FigureSpec {
  const epochs = history.map((h) => h.epoch);
  const line = (y: number[], name: string, colour: string, dash: string, axes: 1 | 2, showlegend: boolean) => ({
    type: 'scatter',
    mode: 'lines+markers',
    x: epochs,
    y,
    name,
    legendgroup: name,
    showlegend,
    line: { color: colour, dash },
    xaxis: axes === 1 ? 'x' : 'x2',
    yaxis: axes === 1 ? 'y' : 'y2',
    hovertemplate: axes === 1 ? `epoch %{x}<br>${name} accuracy %{y:.2%}<extra></extra>` : `epoch %{x}<br>${name} loss %{y:.4f}<extra></extra>`,
  });
  const ticks = epochTicks(history.length);
  const epochAxis = { title: { text: 'epoch' }, tickmode: 'linear', ...ticks };
  const title = modelTitle(model);
  return {
    ...modelFigureText(model, 'history'),
    data: [
      line(history.map((h) => h.accuracy), 'training', COLOURS.train, 'solid', 1, true),
      line(history.map((h) => h.valAccuracy), 'validation', COLOURS.val, 'dash', 1, true),
      line(history.map((h) => h.loss), 'training', COLOURS.train, 'solid', 2, false),
      line(history.map((h) => h.valLoss), 'validation', COLOURS.val, 'dash', 2, false),
    ],
    layout: {
      title: { text: `${title}: training history` },
      // Two panels side by side; on a narrow screen the report stacks them (report/responsive-figures.js).
      grid: { rows: 1, columns: 2, pattern: 'independent', xgap: 0.15 },
      xaxis: { ...epochAxis },
      yaxis: { title: { text: 'accuracy' }, tickformat: '.0%' },
      xaxis2: { ...epochAxis },
      yaxis2: { title: { text: 'loss' } },
      legend: { ...LEGEND_ABOVE_PLOT },
      margin: { l: 60, r: 20, t: TOP_MARGIN_WITH_LEGEND, b: 60 },
    },
    width: 900,
    height: 440,
  };
}

function requireClassCount(what: string, got: number, classNames: readonly string[]): void {
  if (got !== classNames.length) {
    throw new Error(`${what} has ${got} classes but ${classNames.length} class names were given; pass one name per class`);
  }
}

/** Precision, recall and F1 of every class side by side: where the model is weak shows at a glance. */
export function perClassMetricsFigure(model: string, perClass: readonly ClassScoresLike[], classNames: readonly string[] = CLASS_NAMES): FigureSpec {
  requireClassCount('perClass', perClass.length, classNames);
  const dots = (key: 'precision' | 'recall' | 'f1', name: string, i: number) => ({
    type: 'scatter',
    mode: 'markers',
    name,
    x: perClass.map((c) => c[key]),
    y: [...classNames],
    marker: { color: COLOURS[key], symbol: DOT_SYMBOLS[i], size: 10, opacity: 0.85 },
    hovertemplate: `%{y}<br>${name} %{x:.3f}<extra></extra>`,
  });
  const title = modelTitle(model);
  const values = perClass.flatMap((c) => [c.precision, c.recall, c.f1]);
  return {
    ...modelFigureText(model, 'per-class'),
    data: [dots('precision', 'precision', 0), dots('recall', 'recall', 1), dots('f1', 'F1', 2)],
    layout: classScoreDotsLayout(`${title}: per-class precision, recall and F1 (test)`, 'score', values),
    width: 900,
    height: 520,
  };
}

/**
 * Each row divided by its sum, so a cell reads "share of this true class predicted as that class"
 * (the diagonal is then each class's recall). A class with no test images gives a row of zeros, not NaN.
 */
export function rowNormalise(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total === 0 ? 0 : v / total));
  });
}

/** Confusion matrix heatmap, rows = true class, columns = predicted class; counts or row-normalised shares. */
export function confusionFigure(
  model: string,
  confusion: readonly (readonly number[])[],
  classNames: readonly string[] = CLASS_NAMES,
  options: { normalise?: boolean } = {},
): FigureSpec {
  requireClassCount('confusion', confusion.length, classNames);
  confusion.forEach((row, i) => requireClassCount(`confusion row ${i}`, row.length, classNames));
  const normalise = options.normalise ?? false;
  const z = normalise ? rowNormalise(confusion) : confusion.map((row) => [...row]);
  const text = z.map((row) => row.map((v) => (normalise ? v.toFixed(2) : String(v))));
  const title = modelTitle(model);
  return {
    ...modelFigureText(model, normalise ? 'confusion-normalised' : 'confusion'),
    data: [
      {
        type: 'heatmap',
        z,
        x: [...classNames],
        y: [...classNames],
        text,
        texttemplate: '%{text}',
        // plotly's 'Blues' runs dark→light; reversed, an empty cell is light and the diagonal dark.
        colorscale: 'Blues',
        reversescale: true,
        zmin: 0,
        ...(normalise ? { zmax: 1 } : {}),
        colorbar: { title: { text: normalise ? 'share' : 'count' } },
        hovertemplate: `true %{y}<br>predicted %{x}<br>${normalise ? 'share %{z:.3f}' : 'count %{z}'}<extra></extra>`,
      },
    ],
    layout: {
      title: { text: `${title}: confusion matrix${normalise ? ' (row-normalised)' : ''}` },
      xaxis: { title: { text: 'predicted class' }, tickangle: -30, side: 'bottom' },
      // True classes read top to bottom in label order, as in a printed confusion matrix.
      yaxis: { title: { text: 'true class' }, autorange: 'reversed' },
      margin: { l: 110, r: 20, t: 60, b: 110 },
    },
    width: 760,
    height: 680,
  };
}

/** All per-model figures in the order the notebooks show them. */
export function modelFigures(
  model: string,
  summary: ModelSummaryLike,
  report: ModelReportLike,
  classNames: readonly string[] = CLASS_NAMES,
): FigureSpec[] {
  return [
    historyFigure(model, report.history),
    perClassMetricsFigure(model, report.test.perClass, classNames),
    confusionFigure(model, report.test.confusion, classNames),
    confusionFigure(model, report.test.confusion, classNames, { normalise: true }),
  ];
}

/** The parts of a report the key-metrics table prints. */
export interface KeyMetricsReportLike {
  params: number;
  trainSeconds: number;
  history: readonly unknown[];
  train: { accuracy: number };
  test: { accuracy: number; macroF1: number; weightedF1: number };
}

/**
 * The model's headline numbers as a small text/HTML table (`tbl-<model>-metrics`), so the report can
 * quote them from the notebook output instead of anyone retyping them.
 */
export function keyMetricsTable(model: string, report: KeyMetricsReportLike): TableSpec {
  return {
    ...keyMetricsTableText(model),
    columns: ['metric', 'value'],
    rows: [
      ['test accuracy', report.test.accuracy],
      ['test macro F1', report.test.macroF1],
      ['test weighted F1', report.test.weightedF1],
      ['train accuracy', report.train.accuracy],
      ['train − test accuracy gap', report.train.accuracy - report.test.accuracy],
      ['trainable parameters', report.params],
      ['epochs', report.history.length],
      ['training time (s)', report.trainSeconds.toFixed(1)],
    ],
  };
}
