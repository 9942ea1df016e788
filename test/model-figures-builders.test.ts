import { describe, expect, it } from 'vitest';
import {
  architectureTable,
  confusionFigure,
  formatShape,
  historyFigure,
  epochTicks,
  keyMetricsTable,
  modelFigures,
  perClassMetricsFigure,
  rowNormalise,
} from '../src/figures/model-figures';
import { figureId } from '../src/figures/model-figure-text';
import { renderTable } from '../src/figures/show';
import { CLASS_NAMES } from '../src/data/classes';

const QUARTO_LABEL = /^fig-[a-z0-9-]+$/;

// A tiny, made-up model summary with a known total.
const summary = {
  rows: [
    { layer: 'flatten', type: 'Flatten', outputShape: [null, 784], params: 0 },
    { layer: 'dense', type: 'Dense', outputShape: [null, 64], params: 50240 },
    { layer: 'dense_1', type: 'Dense', outputShape: [null, 10], params: 650 },
  ],
  total: 50890,
};

const history = [
  { epoch: 1, loss: 0.9, accuracy: 0.7, valLoss: 1.0, valAccuracy: 0.65, seconds: 1 },
  { epoch: 2, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.78, seconds: 1 },
  { epoch: 3, loss: 0.3, accuracy: 0.9, valLoss: 0.45, valAccuracy: 0.85, seconds: 1 },
];

const perClass = CLASS_NAMES.map((_, k) => ({ precision: k / 10, recall: 1 - k / 10, f1: 0.5 + k / 100, support: 100 + k }));

// Class k is predicted correctly k+1 times and confused with class (k+1)%10 once; class 9 has no images at all.
const confusion = CLASS_NAMES.map((_, k) => CLASS_NAMES.map((__, j) => (k === 9 ? 0 : j === k ? k + 1 : j === (k + 1) % 10 ? 1 : 0)));

describe('figure ids', () => {
  it('are lowercase fig- labels that Quarto accepts', () => {
    expect(figureId('cnn1', 'history')).toBe('fig-cnn1-history');
    expect(figureId('CNN_2', 'Confusion Normalised')).toBe('fig-cnn-2-confusion-normalised');
    for (const spec of modelFigures('cnn3', summary, { history, test: { perClass, confusion } })) {
      expect(spec.id).toMatch(QUARTO_LABEL);
      expect(spec.caption.length).toBeGreaterThan(20);
      expect(spec.alt.length).toBeGreaterThan(20);
    }
  });

  it('are distinct across the figures of one model and across models', () => {
    const ids = ['ann', 'cnn1'].flatMap((m) => modelFigures(m, summary, { history, test: { perClass, confusion } }).map((s) => s.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('fig-cnn1-history');
    expect(ids).toContain('fig-ann-confusion-normalised');
  });
});

describe('architectureTable', () => {
  it('lists every layer, its settings, shape and parameters, then the total, as a real table (issue 22: an image in the PDF)', () => {
    const spec = architectureTable('ann', summary);
    expect(spec.id).toBe('tbl-ann-architecture');
    expect(spec.columns).toEqual(['layer', 'type', 'settings', 'output shape', 'parameters']);
    expect(spec.rows.map((r) => r[0])).toEqual(['flatten', 'dense', 'dense_1', 'total']);
    expect(spec.rows.slice(0, 3).map((r) => r[1])).toEqual(['Flatten', 'Dense', 'Dense']);
    expect(spec.rows.slice(0, 3).map((r) => r[3])).toEqual(['(None, 784)', '(None, 64)', '(None, 10)']);
    expect(spec.rows.map((r) => r[4])).toEqual([0, 50240, 650, 50890]);
    // Shown with thousands separators and the count column right-aligned.
    const html = renderTable(spec).html;
    expect(html).toContain('50,890');
    expect(html).toMatch(/text-align: ?right/);
  });

  it('formats shapes like Keras and passes strings through', () => {
    expect(formatShape([null, 13, 13, 32])).toBe('(None, 13, 13, 32)');
    expect(formatShape([-1, 10])).toBe('(None, 10)');
    expect(formatShape('(None, 5)')).toBe('(None, 5)');
  });
});

describe('historyFigure', () => {
  it('draws accuracy in the left panel and loss in the right, with the input values', () => {
    const spec = historyFigure('cnn1', history);
    expect(spec.id).toBe('fig-cnn1-history');
    const traces = spec.data as Array<{ x: number[]; y: number[]; xaxis: string; yaxis: string; name: string }>;
    expect(traces).toHaveLength(4);
    const left = traces.filter((t) => t.xaxis === 'x');
    const right = traces.filter((t) => t.xaxis === 'x2' && t.yaxis === 'y2');
    expect(left.map((t) => t.y)).toEqual([[0.7, 0.8, 0.9], [0.65, 0.78, 0.85]]);
    expect(right.map((t) => t.y)).toEqual([[0.9, 0.5, 0.3], [1.0, 0.6, 0.45]]);
    for (const t of traces) expect(t.x).toEqual([1, 2, 3]);
    expect(left.map((t) => t.name)).toEqual(['training', 'validation']);
    const layout = spec.layout as { yaxis: { title: { text: string } }; yaxis2: { title: { text: string } } };
    expect(layout.yaxis.title.text).toBe('accuracy');
    expect(layout.yaxis2.title.text).toBe('loss');
  });

  it('ticks whole epochs from 1, at most ten of them, and hovers in words (issue 22)', () => {
    const spec = historyFigure('cnn1', history);
    const x = (spec.layout as { xaxis: { tick0: number; dtick: number; range: number[] } }).xaxis;
    expect(x).toMatchObject({ tick0: 1, dtick: 1, range: [0.5, 3.5] });
    expect(epochTicks(15)).toEqual({ tick0: 1, dtick: 2, range: [0.5, 15.5] });
    expect(epochTicks(60)).toEqual({ tick0: 0, dtick: 10, range: [0.5, 60.5] });
    const hover = (spec.data as Array<{ hovertemplate: string }>).map((t) => t.hovertemplate);
    expect(hover[0]).toBe('epoch %{x}<br>training accuracy %{y:.2%}<extra></extra>');
    expect(hover[3]).toBe('epoch %{x}<br>validation loss %{y:.4f}<extra></extra>');
  });
});

describe('perClassMetricsFigure', () => {
  it('has one row of dots per class with precision, recall and F1 values as given, on an axis zoomed to them', () => {
    const spec = perClassMetricsFigure('cnn2', perClass, CLASS_NAMES);
    const traces = spec.data as Array<{ x: number[]; y: string[]; name: string; mode: string }>;
    expect(traces.map((t) => t.name)).toEqual(['precision', 'recall', 'F1']);
    for (const t of traces) expect(t.y).toEqual([...CLASS_NAMES]);
    for (const t of traces) expect(t.mode).toBe('markers');
    expect(traces[0].x).toEqual(perClass.map((c) => c.precision));
    expect(traces[1].x).toEqual(perClass.map((c) => c.recall));
    expect(traces[2].x).toEqual(perClass.map((c) => c.f1));
    const axis = (spec.layout as { xaxis: { range: number[]; title: { text: string } } }).xaxis;
    const values = perClass.flatMap((c) => [c.precision, c.recall, c.f1]);
    expect(axis.range[0]).toBeLessThanOrEqual(Math.min(...values));
    expect(axis.range[1]).toBeGreaterThanOrEqual(Math.max(...values));
    expect(axis.title.text).toContain(`axis from ${axis.range[0].toFixed(2)}`);
  });

  it('rejects a class-name list of the wrong length with a clear message', () => {
    expect(() => perClassMetricsFigure('cnn2', perClass, ['a', 'b'])).toThrow(/10 classes but 2 class names/);
  });
});

describe('confusion matrix', () => {
  it('shows the counts unchanged, labelled by class name on both axes', () => {
    const spec = confusionFigure('cnn3', confusion, CLASS_NAMES);
    const heat = spec.data[0] as { z: number[][]; x: string[]; y: string[]; type: string };
    expect(heat.type).toBe('heatmap');
    expect(heat.z).toEqual(confusion);
    expect(heat.x).toEqual([...CLASS_NAMES]);
    expect(heat.y).toEqual([...CLASS_NAMES]);
    expect(spec.id).toBe('fig-cnn3-confusion');
  });

  it('row-normalised: each non-empty row sums to 1, an empty row is zeros (not NaN)', () => {
    const spec = confusionFigure('cnn3', confusion, CLASS_NAMES, { normalise: true });
    expect(spec.id).toBe('fig-cnn3-confusion-normalised');
    const z = (spec.data[0] as { z: number[][] }).z;
    for (let k = 0; k < 9; k++) expect(z[k].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(z[9]).toEqual(new Array(10).fill(0));
    // Class 0: 1 correct, 1 confused with class 1 → 0.5 / 0.5.
    expect(z[0][0]).toBeCloseTo(0.5);
    expect(z[0][1]).toBeCloseTo(0.5);
    // Class 3: 4 correct out of 5.
    expect(z[3][3]).toBeCloseTo(0.8);
  });

  it('rowNormalise works on a hand-worked 2×2 example', () => {
    expect(rowNormalise([[3, 1], [0, 0]])).toEqual([[0.75, 0.25], [0, 0]]);
  });

  it('rejects a non-square or wrongly sized matrix', () => {
    expect(() => confusionFigure('cnn3', [[1, 2], [3, 4]], CLASS_NAMES)).toThrow(/2 classes but 10/);
    expect(() => confusionFigure('cnn3', confusion.map((r) => r.slice(1)), CLASS_NAMES)).toThrow(/row 0/);
  });
});

describe('keyMetricsTable', () => {
  it('prints the report numbers with the gap computed, under a tbl- label', () => {
    const table = keyMetricsTable('cnn2', {
      params: 693962,
      trainSeconds: 12.345,
      history,
      train: { accuracy: 0.974 },
      test: { accuracy: 0.906, macroF1: 0.905, weightedF1: 0.9051 },
    });
    expect(table.id).toBe('tbl-cnn2-metrics');
    const byMetric = Object.fromEntries(table.rows.map(([k, v]) => [k, v]));
    expect(byMetric['test accuracy']).toBe(0.906);
    expect(byMetric['test macro F1']).toBe(0.905);
    expect(byMetric['test weighted F1']).toBe(0.9051);
    expect(byMetric['train accuracy']).toBe(0.974);
    expect(byMetric['train − test accuracy gap'] as number).toBeCloseTo(0.068, 12);
    expect(byMetric['trainable parameters']).toBe(693962);
    expect(byMetric['epochs']).toBe(3);
    expect(byMetric['training time (s)']).toBe('12.3');
    for (const row of table.rows) expect(row).toHaveLength(table.columns.length);
  });
});
