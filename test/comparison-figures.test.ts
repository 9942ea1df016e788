import { describe, expect, it } from 'vitest';
import {
  benchmarkComparisonFigure,
  comparisonFigures,
  comparisonRows,
  comparisonTable,
  comparisonTableFigure,
  f1AcrossModelsFigure,
  GALLERY_GAP,
  misclassifiedGalleryFigure,
  selectMisclassified,
} from '../src/figures/comparison-figures';
import { PAPER_REPORTED } from '../src/cited/paper';
import { PUBLISHED_BENCHMARKS } from '../src/cited/benchmarks';
import { CLASS_NAMES } from '../src/data/classes';
import { PIXELS } from '../src/data/types';

// Made-up reports with values chosen so every derived number is easy to check by hand.
function report(model: string, testAccuracy: number, trainAccuracy: number, macroF1: number, params: number, trainSeconds: number, protocol = 'paper') {
  return {
    model,
    protocol,
    params,
    trainSeconds,
    train: { accuracy: trainAccuracy },
    test: {
      accuracy: testAccuracy,
      macroF1,
      perClass: CLASS_NAMES.map((_, k) => ({ precision: 0.5, recall: 0.5, f1: macroF1 - k / 100, support: 10 })),
    },
  };
}
const reports = [
  report('ann', 0.88, 0.9, 0.879, 109386, 10),
  report('cnn1', 0.91, 0.96, 0.909, 693962, 20),
  report('cnn2', 0.905, 0.975, 0.904, 693962, 21),
  report('cnn3', 0.92, 0.94, 0.918, 225034, 30),
];
// The same models under the official protocol (other numbers, so a mix-up shows).
const official = [
  report('ann', 0.87, 0.9, 0.869, 109386, 10, 'official'),
  report('cnn1', 0.9, 0.96, 0.899, 693962, 20, 'official'),
  report('cnn2', 0.895, 0.975, 0.894, 693962, 21, 'official'),
  report('cnn3', 0.915, 0.94, 0.913, 225034, 30, 'official'),
];

describe('comparisonRows and the table', () => {
  it('computes the train–test gap and carries every other value through', () => {
    const rows = comparisonRows(reports);
    expect(rows.map((r) => r.model)).toEqual(['ann', 'cnn1', 'cnn2', 'cnn3']);
    expect(rows[1]).toMatchObject({ testAccuracy: 0.91, trainAccuracy: 0.96, macroF1: 0.909, params: 693962, trainSeconds: 20 });
    expect(rows[1].gap).toBeCloseTo(0.05, 12);
    expect(rows[2].gap).toBeCloseTo(0.07, 12);
  });

  it('renders a table whose cells show those values', () => {
    const spec = comparisonTableFigure(comparisonRows(reports));
    expect(spec.id).toBe('fig-comparison-table');
    const cells = (spec.data[0] as { cells: { values: string[][] } }).cells.values;
    expect(cells[0]).toEqual(['ANN', 'CNN 1', 'CNN 2', 'CNN 3']);
    expect(cells[1][0]).toBe('88.00%');
    expect(cells[2][3]).toBe('0.918');
    expect(cells[4][2]).toBe('+7.0 pts');
    expect(cells[5][1]).toBe('693,962');
    expect(cells[6][3]).toBe('0.5 min');
  });
});

describe('f1AcrossModelsFigure', () => {
  it('has one trace per model over the class names, with the per-class F1 values', () => {
    const spec = f1AcrossModelsFigure(reports);
    const traces = spec.data as Array<{ name: string; x: number[]; y: string[] }>;
    expect(traces.map((t) => t.name)).toEqual(['ANN', 'CNN 1', 'CNN 2', 'CNN 3']);
    for (const t of traces) expect(t.y).toEqual([...CLASS_NAMES]);
    expect(traces[3].x).toEqual(reports[3].test.perClass.map((c) => c.f1));
  });

  it('rejects reports with the wrong number of classes', () => {
    expect(() => f1AcrossModelsFigure(reports, ['a'])).toThrow(/ann: perClass has 10 classes but 1/);
  });
});

describe('selectMisclassified', () => {
  it('takes errors round-robin over true classes, in test order', () => {
    //              0  1  2  3  4  5  6  7
    const labels = [0, 0, 0, 1, 1, 2, 2, 2];
    const preds = [1, 0, 2, 0, 0, 2, 0, 1];
    // Errors: class 0 → [0, 2]; class 1 → [3, 4]; class 2 → [6, 7].
    expect(selectMisclassified(labels, preds, 10).map((m) => m.index)).toEqual([0, 3, 6, 2, 4, 7]);
    expect(selectMisclassified(labels, preds, 4).map((m) => m.index)).toEqual([0, 3, 6, 2]);
    expect(selectMisclassified(labels, preds, 1)[0]).toEqual({ index: 0, trueLabel: 0, predicted: 1 });
  });

  it('returns nothing when every prediction is right, and refuses mismatched lengths', () => {
    expect(selectMisclassified([1, 2, 3], [1, 2, 3], 5)).toEqual([]);
    expect(() => selectMisclassified([1, 2], [1], 5)).toThrow(/2 labels but 1 predictions/);
  });
});

describe('misclassifiedGalleryFigure', () => {
  // Three images, each filled with a distinct value, so a tile's pixels identify its source image.
  const images = new Uint8Array(3 * PIXELS);
  images.fill(10, 0, PIXELS);
  images.fill(20, PIXELS, 2 * PIXELS);
  images.fill(30, 2 * PIXELS, 3 * PIXELS);
  images[2 * PIXELS + 5 * 28 + 7] = 255; // one marked pixel (row 5, column 7) of image 2

  it('tiles the chosen images in order and labels each with true and predicted class', () => {
    const examples = [
      { index: 2, trueLabel: 6, predicted: 0 },
      { index: 0, trueLabel: 4, predicted: 2 },
      { index: 1, trueLabel: 9, predicted: 7 },
    ];
    const spec = misclassifiedGalleryFigure('cnn3', images, examples, { columns: 2 });
    expect(spec.id).toBe('fig-cnn3-misclassified');
    const z = (spec.data[0] as { z: (number | null)[][] }).z;
    const columnStep = 28 + GALLERY_GAP;
    expect(z[0]).toHaveLength(2 * 28 + GALLERY_GAP);
    expect(z).toHaveLength(2 * 28 + GALLERY_GAP);
    // First tile (top left) is image 2, including its marked pixel at the same position.
    expect(z[0][0]).toBe(30);
    expect(z[5][7]).toBe(255);
    // Second tile (top right) is image 0; the gap between tiles is empty.
    expect(z[0][columnStep]).toBe(10);
    expect(z[0][28]).toBeNull();
    // Third tile starts a second row.
    expect(z[columnStep][0]).toBe(20);
    expect(z[columnStep][columnStep]).toBeNull();
    const notes = (spec.layout as { annotations: Array<{ text: string }> }).annotations.map((a) => a.text);
    expect(notes).toEqual([
      `true: ${CLASS_NAMES[6]}<br>pred: ${CLASS_NAMES[0]}`,
      `true: ${CLASS_NAMES[4]}<br>pred: ${CLASS_NAMES[2]}`,
      `true: ${CLASS_NAMES[9]}<br>pred: ${CLASS_NAMES[7]}`,
    ]);
  });

  it('refuses an index beyond the images given', () => {
    expect(() => misclassifiedGalleryFigure('cnn3', images, [{ index: 3, trueLabel: 0, predicted: 1 }])).toThrow(/index 3 is outside the 3 images/);
  });
});

describe('comparison with the paper', () => {
  it('cites the paper numbers the brief names', () => {
    const find = (model: string, metric: string) => PAPER_REPORTED.filter((p) => p.model === model && p.metric === metric).map((p) => p.value);
    expect(find('cnn3', 'f1')).toEqual([0.9030001359566023]);
    expect(find('cnn2', 'trainAccuracy')).toEqual([0.974]);
    expect(find('cnn2', 'testAccuracy')).toContain(0.906);
    for (const m of ['ann', 'cnn1', 'cnn2', 'cnn3']) expect(find(m, 'testAccuracy')).toContain(0.9);
  });

});

describe('benchmarkComparisonFigure', () => {
  it("marks our runs trained with flips as augmented, and leaves the faithful condition's unmarked", () => {
    const improved = comparisonRows(official.map((r) => ({ ...r, profile: 'paper' as const })));
    const faithful = comparisonRows(official.map((r) => ({ ...r, profile: 'faithful' as const })));
    expect(improved.every((r) => r.augmented)).toBe(true);
    expect(faithful.every((r) => !r.augmented)).toBe(true);
    const names = (rows: typeof improved) => (benchmarkComparisonFigure(rows).data as Array<{ y: string[] }>)[1].y;
    expect(names(improved)).toContain('ours: CNN 3 (augmented: flips)');
    expect(names(faithful)).toContain('ours: CNN 3');
  });

  it('places our official-split models among all published results, sorted by accuracy', () => {
    const spec = benchmarkComparisonFigure(comparisonRows(official));
    const [published, ours] = spec.data as Array<{ x: number[]; y: string[]; name: string; error_x?: { array: number[] } }>;
    expect(published.y).toHaveLength(PUBLISHED_BENCHMARKS.length);
    expect(ours.name).toBe('ours (official split)');
    expect(ours.y).toEqual(['ours: ANN', 'ours: CNN 2', 'ours: CNN 1', 'ours: CNN 3']);
    expect(ours.x).toEqual([0.87, 0.895, 0.9, 0.915]);
    expect(spec.provenance).toMatchObject({ protocol: 'official' });
    const yaxis = (spec.layout as { yaxis: { categoryarray: string[]; tickmode: string; tickvals: string[] } }).yaxis;
    const order = yaxis.categoryarray;
    // Every row is labelled, whatever size the chart is shown at.
    expect(yaxis).toMatchObject({ tickmode: 'array', tickvals: order });
    expect(order).toHaveLength(PUBLISHED_BENCHMARKS.length + 4);
    expect(order[0]).toBe('Human performance');
    expect(order[order.length - 1]).toBe('WRN-40-4 (augmented)');
    // The 2 Conv + pooling range 0.876–0.916 is an error bar of 0.04 above its low end.
    const i = published.y.indexOf('2 Conv + pooling');
    expect(published.x[i]).toBe(0.876);
    expect(published.error_x!.array[i]).toBeCloseTo(0.04, 12);
  });

  it('refuses results of the paper split, whose test images are not the benchmarks\' (even one model)', () => {
    expect(() => benchmarkComparisonFigure(comparisonRows(reports))).toThrow(/scored on the official test set, but ann \(paper\), cnn1 \(paper\), cnn2 \(paper\), cnn3 \(paper\) come from another protocol/);
    expect(() => benchmarkComparisonFigure(comparisonRows([...official.slice(0, 3), reports[3]]))).toThrow(/but cnn3 \(paper\) come from/);
  });

  it('comparisonFigures takes its benchmark figure from the official reports', () => {
    const spec = comparisonFigures(reports, official).find((s) => s.id === 'fig-comparison-benchmarks')!;
    expect((spec.data[1] as { x: number[] }).x).toEqual([0.87, 0.895, 0.9, 0.915]);
  });

  it('all comparison ids are Quarto labels and distinct', () => {
    const ids = comparisonFigures(reports, official).map((s) => s.id);
    for (const id of ids) expect(id).toMatch(/^fig-[a-z0-9-]+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('comparison tables', () => {
  it('tbl-comparison has one row per model with the same numbers as the rows', () => {
    const rows = comparisonRows(reports);
    const table = comparisonTable(rows);
    expect(table.id).toBe('tbl-comparison');
    expect(table.rows.map((r) => r[0])).toEqual(['ANN', 'CNN 1', 'CNN 2', 'CNN 3']);
    // One unit convention: %, signed points, minutes.
    expect(table.rows[2][1]).toBe('90.50%');
    expect(table.rows[2][4]).toBe('+7.0 pts');
    expect(table.rows[3][6]).toBe('0.5 min');
    for (const row of table.rows) expect(row).toHaveLength(table.columns.length);
  });

});
