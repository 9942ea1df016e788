import { describe, it, expect } from 'vitest';
import { paperComparisonFigure, paperComparisonTable, paperNumbers, type PaperNumber } from '../src/figures/paper-comparison';
import { PAPER_REPORTED, type PaperFigure } from '../src/cited/paper';
import { CONDITIONS } from '../src/training/profiles';
import { CLEAR_ORDER, syntheticStudy } from './study-fixtures';

// Two made-up conditions on the paper's split: the faithful one half a point below the improved one.
const improved = syntheticStudy(CLEAR_ORDER, ['paper']);
const faithful = syntheticStudy(Object.fromEntries(Object.entries(CLEAR_ORDER).map(([k, v]) => [k, v.map((x) => x - 0.005)])), ['paper']);
const numbers = paperNumbers({ faithful, paper: improved });
const find = (model: string, metric: string) => numbers.find((n) => n.model === model && n.metric === metric)!;

describe('paperNumbers', () => {
  it('pairs every number the paper reports with ours, the exact value replacing "about 90%", plus CNN 2\'s gap', () => {
    expect(numbers.map((n) => `${n.model}/${n.metric}`)).toEqual([
      'ann/testAccuracy',
      'cnn1/testAccuracy',
      'cnn2/testAccuracy',
      'cnn2/trainAccuracy',
      'cnn2/gap',
      'cnn3/testAccuracy',
      'cnn3/f1',
    ]);
    expect(find('cnn2', 'testAccuracy')).toMatchObject({ paper: 0.906, approximate: false });
    expect(find('ann', 'testAccuracy')).toMatchObject({ paper: 0.9, approximate: true });
    // The paper's headline number (issue 22: the comparison left it out): 97.4% − 90.6%.
    expect(find('cnn2', 'gap').paper).toBeCloseTo(0.068, 12);
  });

  it('takes ours over every seed of each condition, the same values as the study summary', () => {
    const cnn2 = find('cnn2', 'testAccuracy');
    expect(cnn2.ours.paper!.seeds).toEqual([42, 1, 2, 3, 4]);
    expect(cnn2.ours.paper!.values).toEqual(improved.runs['paper/cnn2'].perSeed.map((r) => r.testAccuracy));
    expect(cnn2.ours.paper!.summary).toEqual(improved.runs['paper/cnn2'].testAccuracy);
    expect(cnn2.ours.faithful!.summary.mean).toBeCloseTo(improved.runs['paper/cnn2'].testAccuracy.mean - 0.005, 4);
    // A second method: the gap's mean is the mean of training minus test accuracy seed by seed.
    const gap = find('cnn2', 'gap').ours.faithful!;
    const runs = faithful.runs['paper/cnn2'].perSeed;
    expect(gap.summary.mean).toBeCloseTo(runs.reduce((s, r) => s + r.trainAccuracy - r.testAccuracy, 0) / runs.length, 12);
    expect(find('cnn3', 'f1').ours.paper!.values).toEqual(improved.runs['paper/cnn3'].perSeed.map((r) => r.macroF1));
  });

  it('leaves a condition out where its study is missing', () => {
    const only = paperNumbers({ paper: improved });
    expect(only.every((n) => n.ours.faithful === undefined && n.ours.paper !== undefined)).toBe(true);
  });

  it('refuses a paper number for a model we do not have', () => {
    // PaperFigure's model is a ModelName, so the compiler refuses this already; the cast stands for untyped data.
    const vgg = { model: 'vgg', metric: 'f1', value: 0.9, approximate: false, source: 'x' } as unknown as PaperFigure;
    expect(() => paperNumbers({ paper: improved }, 'paper', [...PAPER_REPORTED, vgg])).toThrow(/vgg/);
  });
});

describe('tbl-comparison-paper', () => {
  const table = paperComparisonTable(numbers);
  const row = (model: string, what: string) => table.rows.find((r) => r[0] === model && r[1] === what)!;

  it('gives ours as mean ± sd under both conditions, in % and points, and the faithful difference', () => {
    expect(table.columns).toEqual(['model', 'number', 'paper', 'ours, faithful', 'ours, improved', 'faithful − paper', 'where the paper says so']);
    const s = improved.runs['paper/cnn2'].testAccuracy;
    expect(row('CNN 2', 'test accuracy')[4]).toBe(`${(100 * s.mean).toFixed(1)}% ± ${(100 * s.sd!).toFixed(1)}`);
    const f = faithful.runs['paper/cnn2'].testAccuracy.mean;
    expect(row('CNN 2', 'test accuracy')[5]).toBe(`${f - 0.906 >= 0 ? '+' : '−'}${Math.abs(100 * (f - 0.906)).toFixed(1)} pts`);
    expect(row('CNN 2', 'train–test gap')[2]).toBe('6.8 pts');
    expect(row('CNN 2', 'train–test gap')[3]).toMatch(/^\d+\.\d pts ± \d+\.\d$/);
    expect(row('ANN', 'test accuracy')[2]).toBe('≈ 90%');
    expect(row('CNN 3', 'F1')[2]).toBe('0.903');
    // Where the paper says so, without the quotation: a narrow column.
    expect(row('CNN 3', 'F1')[6]).toBe('Fig. 11');
    expect(row('CNN 2', 'train–test gap')[6]).toBe('Sec. IV.C (97.4% − 90.6%)');
    expect(row('CNN 3', 'F1')[3]).toMatch(/^0\.\d{3} ± 0\.\d{3}$/);
    for (const r of table.rows) expect(r).toHaveLength(table.columns.length);
  });

  it('says "not run" for a condition without a study', () => {
    const t = paperComparisonTable(paperNumbers({ paper: improved }));
    expect(t.rows.every((r) => r[3] === 'not run' && r[5] === '')).toBe(true);
  });
});

describe('fig-comparison-paper', () => {
  const spec = paperComparisonFigure(numbers);
  type Trace = { x: string[]; y: number[]; xaxis: string; name: string; marker: { color: string }; error_y?: { array: number[]; arrayminus: number[] } };
  const traces = spec.data as Trace[];
  const layout = spec.layout as Record<string, unknown> & { shapes: Array<{ y0: number; yref: string }>; grid: { columns: number } };

  it("has a panel for every model's test accuracy and one per other number, two a row, each paper number a dashed line", () => {
    // Test accuracy of all four models; CNN 2 training accuracy and gap; CNN 3 F1.
    expect(layout.grid).toMatchObject({ rows: 2, columns: 2 });
    expect(layout.shapes.map((s) => [s.yref, s.y0])).toEqual([
      ['y', 90],
      ['y', 90],
      ['y', 90.6],
      ['y', 90],
      ['y2', 97.4],
      ['y3', expect.closeTo(6.8, 10)],
      ['y4', expect.closeTo(0.903, 6)],
    ]);
    // The legend explains the dashed line.
    expect(traces.filter((t) => t.name === 'paper')).toHaveLength(1);
  });

  it('shows every seed of both conditions, in its condition\'s colour, and means that equal the summaries', () => {
    const panel2 = traces.filter((t) => t.xaxis === 'x3'); // CNN 2's gap
    const seedsTrace = panel2.find((t) => t.name === 'faithful' && !t.error_y)!;
    expect(seedsTrace.y).toEqual(faithful.runs['paper/cnn2'].perSeed.map((r) => 100 * r.gap));
    expect(seedsTrace.marker.color).toBe(CONDITIONS.faithful.colour);
    const mean = panel2.find((t) => t.name === 'improved' && t.error_y)!;
    const s = improved.runs['paper/cnn2'].gap;
    expect(mean.y[0]).toBeCloseTo(100 * s.mean, 10);
    expect(mean.y[0] + mean.error_y!.array[0]).toBeCloseTo(100 * s.ci95![1], 10);
    expect(mean.y[0] - mean.error_y!.arrayminus[0]).toBeCloseTo(100 * s.ci95![0], 10);
    // The test-accuracy panel: every model, five seeds each.
    const panel1 = traces.filter((t) => t.xaxis === 'x' && !t.error_y && t.name !== 'paper');
    expect((layout.xaxis as { ticktext: string[] }).ticktext).toEqual(['ANN', 'CNN 1', 'CNN 2', 'CNN 3']);
    // Side by side, not on top of each other: faithful left of each model's tick, improved right.
    expect([...new Set(panel1[0].x as unknown as number[])].map((x) => Math.round(x * 10) / 10)).toEqual([-0.2, 0.8, 1.8, 2.8]);
    expect([...new Set(panel1[1].x as unknown as number[])].map((x) => Math.round(x * 10) / 10)).toEqual([0.2, 1.2, 2.2, 3.2]);
    expect(panel1[0].y).toHaveLength(20);
  });

  it("fits each panel's axis to the paper's number and every seed", () => {
    for (const [k, n] of [[2, find('cnn2', 'trainAccuracy')], [3, find('cnn2', 'gap')]] as Array<[number, PaperNumber]>) {
      const range = (layout[`yaxis${k}`] as { range: [number, number] }).range;
      const values = [n.paper, ...n.ours.faithful!.values, ...n.ours.paper!.values].map((v) => 100 * v);
      expect(range[0]).toBeLessThan(Math.min(...values));
      expect(range[1]).toBeGreaterThan(Math.max(...values));
      // Zoomed: a panel spans its numbers, not 0–100 (half a point must stay visible).
      expect(range[1] - range[0]).toBeLessThan(20);
    }
  });
});
