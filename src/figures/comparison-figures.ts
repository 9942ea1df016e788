/**
 * Figures that compare the models with each other and with the published Fashion-MNIST benchmarks
 * (cited in src/cited/), plus a gallery of misclassified test images.
 * All builders are pure: saved results in, FigureSpec out.
 */
import { classScoreDotsLayout, DOT_SYMBOLS, LEGEND_ABOVE_PLOT, TOP_MARGIN_WITH_LEGEND, type FigureSpec } from './spec';
import type { TableSpec } from './show';
import { CLASS_NAMES } from '../data/classes';
import { PIXELS } from '../data/types';
import { imageMosaic } from './image-mosaic';
import type { ClassScoresLike } from './model-figures';
import { COMPARISON_FIGURE_TEXT as TEXT, modelFigureText, modelTitle } from './model-figure-text';
import { MODEL_COLOURS as REGISTRY_COLOURS } from '../models/registry';
import { BENCHMARK_PROTOCOL, PUBLISHED_BENCHMARKS, type Benchmark } from '../cited/benchmarks';
import { trainingConfig, type ProfileName } from '../training/profiles';
import { minutes, percent, points, signed } from '../util/units';

/** The fields of one model's saved report that the comparison reads. */
export interface ComparisonReportLike {
  model: string;
  /** The split protocol the model was trained and tested under ('paper' or 'official'). */
  protocol: string;
  params: number;
  trainSeconds: number;
  train: { accuracy: number };
  test: { accuracy: number; macroF1: number; perClass: readonly ClassScoresLike[] };
  /** The training condition: it says whether the run saw augmented images. */
  profile?: ProfileName;
}

/** One line of the comparison table. `gap` is train minus test accuracy: large means overfitting. */
export interface ComparisonRow {
  model: string;
  protocol: string;
  testAccuracy: number;
  macroF1: number;
  trainAccuracy: number;
  gap: number;
  params: number;
  trainSeconds: number;
  /** Trained on augmented images (the improved condition's flips): compared only with augmented published results. */
  augmented: boolean;
}

export function comparisonRows(reports: readonly ComparisonReportLike[]): ComparisonRow[] {
  return reports.map((r) => ({
    model: r.model,
    protocol: r.protocol,
    testAccuracy: r.test.accuracy,
    macroF1: r.test.macroF1,
    trainAccuracy: r.train.accuracy,
    gap: r.train.accuracy - r.test.accuracy,
    params: r.params,
    trainSeconds: r.trainSeconds,
    augmented: r.profile !== undefined && trainingConfig(r.profile).augmentation !== 'none',
  }));
}

/** The comparison as a text/HTML table (`tbl-comparison`): the numbers behind fig-comparison-table. */
export function comparisonTable(rows: readonly ComparisonRow[]): TableSpec {
  return {
    ...TEXT.tableText,
    columns: ['model', 'test accuracy', 'macro F1', 'training accuracy', 'train − test gap', 'parameters', 'training time'],
    rows: rows.map((r) => [modelTitle(r.model), percent(r.testAccuracy), r.macroF1.toFixed(3), percent(r.trainAccuracy), points(r.gap, 1), r.params, minutes(r.trainSeconds)]),
  };
}

// One colour per model, the same in every comparison figure.
const MODEL_COLOURS: Record<string, string> = REGISTRY_COLOURS;
const colourOf = (model: string, i: number) => MODEL_COLOURS[model] ?? ['#9467bd', '#8c564b', '#e377c2'][i % 3];

/** The table of all models: accuracy, macro F1, the train–test gap, size and training time. */
export function comparisonTableFigure(rows: readonly ComparisonRow[]): FigureSpec {
  const cells = [
    rows.map((r) => modelTitle(r.model)),
    rows.map((r) => percent(r.testAccuracy)),
    rows.map((r) => r.macroF1.toFixed(3)),
    rows.map((r) => percent(r.trainAccuracy)),
    rows.map((r) => points(r.gap, 1)),
    rows.map((r) => r.params.toLocaleString('en-US')),
    rows.map((r) => minutes(r.trainSeconds)),
  ];
  return {
    ...TEXT.table,
    data: [
      {
        type: 'table',
        header: {
          values: ['Model', 'Test accuracy', 'Macro F1', 'Training accuracy', 'Train − test gap', 'Parameters', 'Training time'],
          align: ['left', 'right'],
          fill: { color: '#e8eef7' },
          font: { size: 14 },
        },
        cells: { values: cells, align: ['left', 'right'], height: 28 },
      },
    ],
    layout: { title: { text: 'Model comparison' }, margin: { l: 20, r: 20, t: 50, b: 10 } },
    width: 980,
    height: 140 + 32 * rows.length,
  };
}

/** F1 of every class, one bar per model: shows which garments every model finds hard. */
export function f1AcrossModelsFigure(reports: readonly ComparisonReportLike[], classNames: readonly string[] = CLASS_NAMES): FigureSpec {
  for (const r of reports) {
    if (r.test.perClass.length !== classNames.length) {
      throw new Error(`${r.model}: perClass has ${r.test.perClass.length} classes but ${classNames.length} class names were given`);
    }
  }
  return {
    ...TEXT.f1PerClass,
    data: reports.map((r, i) => ({
      type: 'scatter',
      mode: 'markers',
      name: modelTitle(r.model),
      x: r.test.perClass.map((c) => c.f1),
      y: [...classNames],
      marker: { color: colourOf(r.model, i), symbol: DOT_SYMBOLS[i % DOT_SYMBOLS.length], size: 10, opacity: 0.85 },
      hovertemplate: `${modelTitle(r.model)}<br>%{y}: F1 %{x:.3f}<extra></extra>`,
    })),
    layout: classScoreDotsLayout('F1 per class across models (test)', 'F1', reports.flatMap((r) => r.test.perClass.map((c) => c.f1))),
    width: 960,
    height: 520,
  };
}

/** A test image the model got wrong. */
export interface Misclassified {
  /** Position in the test set. */
  index: number;
  trueLabel: number;
  predicted: number;
}

/**
 * Up to `count` misclassified test images, taken round-robin over the true classes (first error of
 * class 0, of class 1, …, then the second of each) so the gallery shows the variety of mistakes
 * instead of many images of the hardest class. Deterministic: same inputs, same selection.
 */
export function selectMisclassified(labels: ArrayLike<number>, predictions: ArrayLike<number>, count: number): Misclassified[] {
  if (labels.length !== predictions.length) {
    throw new Error(`selectMisclassified: ${labels.length} labels but ${predictions.length} predictions; they must be for the same images`);
  }
  const byClass = new Map<number, Misclassified[]>();
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === predictions[i]) continue;
    const list = byClass.get(labels[i]) ?? [];
    list.push({ index: i, trueLabel: labels[i], predicted: predictions[i] });
    byClass.set(labels[i], list);
  }
  const queues = [...byClass.keys()].sort((a, b) => a - b).map((k) => byClass.get(k)!);
  const picked: Misclassified[] = [];
  for (let round = 0; picked.length < count && queues.some((q) => round < q.length); round++) {
    for (const q of queues) {
      if (round < q.length && picked.length < count) picked.push(q[round]);
    }
  }
  return picked;
}

/** Blank pixels between gallery tiles: room for the two label lines above each image. */
export const GALLERY_GAP = 12;

/**
 * A grid of misclassified test images, each titled with its true and predicted label, drawn as one
 * heatmap mosaic (see image-mosaic.ts). `images` holds the whole test set (count × 784 bytes).
 */
export function misclassifiedGalleryFigure(
  model: string,
  images: Uint8Array,
  examples: readonly Misclassified[],
  options: { columns?: number; classNames?: readonly string[] } = {},
): FigureSpec {
  const classNames = options.classNames ?? CLASS_NAMES;
  const columns = Math.max(1, Math.min(options.columns ?? 6, examples.length || 1));
  const rows = Math.max(1, Math.ceil(examples.length / columns));
  const tiles = examples.map((ex) => {
    if ((ex.index + 1) * PIXELS > images.length) {
      throw new Error(`misclassifiedGalleryFigure: image index ${ex.index} is outside the ${images.length / PIXELS} images given`);
    }
    return images.subarray(ex.index * PIXELS, (ex.index + 1) * PIXELS);
  });
  const mosaic = imageMosaic(tiles, {
    columns,
    gap: GALLERY_GAP,
    valueName: 'pixel',
    tileTitles: examples.map((ex) => `true: ${classNames[ex.trueLabel]}<br>pred: ${classNames[ex.predicted]}`),
  });
  return {
    ...modelFigureText(model, 'misclassified'),
    data: mosaic.data,
    layout: {
      ...mosaic.layout,
      title: { text: `${modelTitle(model)}: misclassified test images` },
      // The first row's titles sit above the plot area, in the top margin.
      margin: { l: 10, r: 10, t: 100, b: 10 },
    },
    width: 150 * columns + 20,
    height: 110 + 160 * rows,
  };
}

// ---------------------------------------------------------------------------------------------------
// Our models among the published benchmarks (cited in src/cited/benchmarks.ts).

/**
 * Our models placed among the published results, sorted by test accuracy; ranges drawn as error
 * bars. The published numbers are scores on the official test set, so `rows` must come from the
 * official protocol: a paper-split row (14,000 other test images) throws rather than being plotted.
 */
export function benchmarkComparisonFigure(rows: readonly ComparisonRow[], benchmarks: readonly Benchmark[] = PUBLISHED_BENCHMARKS): FigureSpec {
  const foreign = rows.filter((r) => r.protocol !== BENCHMARK_PROTOCOL);
  if (foreign.length) {
    throw new Error(
      `benchmarkComparisonFigure: the published benchmarks are scored on the official test set, but ${foreign.map((r) => `${r.model} (${r.protocol})`).join(', ')} ` +
        `come from another protocol; pass the official protocol's results (officialSplitReports(settings, reports) in a notebook)`,
    );
  }
  const entries = [
    ...benchmarks.map((b) => ({ name: b.name, accuracy: b.accuracy, high: b.accuracyHigh, ours: false })),
    ...rows.map((r) => ({ name: `ours: ${modelTitle(r.model)}${r.augmented ? ' (augmented: flips)' : ''}`, accuracy: r.testAccuracy, high: undefined, ours: true })),
  ].sort((a, b) => a.accuracy - b.accuracy);
  return {
    ...TEXT.benchmarks,
    data: [
      {
        type: 'scatter',
        mode: 'markers',
        name: 'published',
        y: entries.filter((e) => !e.ours).map((e) => e.name),
        x: entries.filter((e) => !e.ours).map((e) => e.accuracy),
        error_x: {
          type: 'data',
          symmetric: false,
          array: entries.filter((e) => !e.ours).map((e) => (e.high === undefined ? 0 : e.high - e.accuracy)),
          arrayminus: entries.filter((e) => !e.ours).map(() => 0),
          color: '#7f7f7f',
        },
        marker: { color: '#7f7f7f', size: 11 },
        hovertemplate: '%{y}: %{x:.3f}<extra></extra>',
      },
      {
        type: 'scatter',
        mode: 'markers',
        name: 'ours (official split)',
        y: entries.filter((e) => e.ours).map((e) => e.name),
        x: entries.filter((e) => e.ours).map((e) => e.accuracy),
        marker: { color: '#d62728', size: 13, symbol: 'diamond' },
        hovertemplate: '%{y}: %{x:.4f}<extra></extra>',
      },
    ],
    layout: {
      title: { text: 'Test accuracy vs. published Fashion-MNIST benchmarks' },
      xaxis: { title: { text: 'test accuracy' } },
      // Keep the sorted order (plotly would otherwise order categories by trace), and label every row:
      // on a chart shown smaller than its design plotly otherwise drops every other name, ours included.
      yaxis: { categoryorder: 'array', categoryarray: entries.map((e) => e.name), tickmode: 'array', tickvals: entries.map((e) => e.name), automargin: true },
      // Above the plot: below it, the legend (placed in plot fractions) ran into the axis title
      // (placed in pixels) once the page scaled the figure down.
      legend: { ...LEGEND_ABOVE_PLOT },
      margin: { l: 20, r: 30, t: TOP_MARGIN_WITH_LEGEND, b: 60 },
    },
    // Narrower than the other charts: shown in a 550-650 px column, it keeps about 20 px per row.
    width: 760,
    height: 160 + 32 * entries.length,
    provenance: { protocol: BENCHMARK_PROTOCOL },
  };
}

/**
 * Everything 07-comparison shows except the gallery (which needs the test images and predictions):
 * `reports` are the notebook's protocol, `official` the official protocol's (for the benchmarks).
 */
export function comparisonFigures(
  reports: readonly ComparisonReportLike[],
  official: readonly ComparisonReportLike[],
  classNames: readonly string[] = CLASS_NAMES,
): FigureSpec[] {
  const rows = comparisonRows(reports);
  return [
    comparisonTableFigure(rows),
    f1AcrossModelsFigure(reports, classNames),
    benchmarkComparisonFigure(comparisonRows(official)),
  ];
}
