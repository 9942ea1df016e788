import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { STUDY_FIGURE_TEXT, studyPairsTable, studySeedFigure, studyTable } from '../src/figures/study-figures';
import { cellSource, findLabelledCell, readNotebook } from '../src/pipeline/notebook-file';
import { CLEAR_ORDER, syntheticStudy } from './study-fixtures';

const study = syntheticStudy(CLEAR_ORDER);

describe('seed-study figure and tables', () => {
  it('tbl-study: mean ± sd, interval and range per protocol and model, from the summary', () => {
    const t = studyTable(study);
    expect(t.id).toBe('tbl-study');
    expect(t.rows).toHaveLength(8);
    const cnn3 = t.rows.find((r) => r[0] === 'paper' && r[1] === 'CNN 3')!;
    const a = study.runs['paper/cnn3'].testAccuracy;
    expect(cnn3[2]).toBe(`${(100 * a.mean).toFixed(2)} ± ${(100 * a.sd!).toFixed(2)}`);
    expect(cnn3[3]).toBe(`[${(100 * a.ci95![0]).toFixed(2)}, ${(100 * a.ci95![1]).toFixed(2)}]`);
    expect(cnn3[4]).toBe('91.98–92.31');
  });

  it('tbl-study-pairs: every pair as "more accurate − other", positive difference, with the tests and the Holm decision', () => {
    const t = studyPairsTable(study);
    expect(t.rows).toHaveLength(12);
    const row = t.rows.find((r) => r[0] === 'paper' && r[1] === 'CNN 3 − CNN 1')!;
    expect(row[2]).toBe('+0.70');
    expect(row[3]).toBe('[+0.39, +1.01]');
    expect(row[6]).toBe('0.063'); // exact Wilcoxon, all five differences positive: 2/32 = 0.0625
    expect(Number(row[5])).toBeLessThan(0.05); // Holm-adjusted: the column the caption says decides
    expect(row).toHaveLength(9);
    const c = study.comparisons.find((k) => k.protocol === 'paper' && k.a === 'cnn1' && k.b === 'cnn3')!;
    expect(row[7]).toBe(`${c.mcnemar.c} / ${c.mcnemar.b}`); // flipped with the pair
    expect(Number(t.rows.find((r) => r[0] === 'official' && r[1] === 'CNN 1 − CNN 2')![5])).toBeGreaterThan(0.05);
  });

  it('fig-study-seeds: one point per seed and a mean with its interval per model, in two panels', () => {
    const f = studySeedFigure(study);
    expect(f.data).toHaveLength(16);
    const points = f.data.filter((d) => d.showlegend === false && Array.isArray(d.y) && (d.y as number[]).length === 5);
    expect(points).toHaveLength(8);
    const mean = f.data.find((d) => d.name === 'CNN 3' && d.xaxis === 'x2' && (d.y as number[]).length === 1)!;
    const a = study.runs['official/cnn3'].testAccuracy;
    expect((mean.y as number[])[0]).toBeCloseTo(100 * a.mean, 10);
    expect((mean.error_y as { array: number[] }).array[0]).toBeCloseTo(100 * (a.ci95![1] - a.mean), 10);
  });

  it('notebook 07 shows them in cells whose label, caption and alt text are the builders\'', () => {
    const nb = readNotebook(path.join(__dirname, '..', 'notebooks', '07-comparison.ipynb'));
    const builds: Record<string, string> = { 'tbl-study': 'studyTable(study)', 'fig-study-seeds': 'studySeedFigure(study)', 'tbl-study-pairs': 'studyPairsTable(study)' };
    for (const text of Object.values(STUDY_FIGURE_TEXT)) {
      const found = findLabelledCell(nb, text.id);
      expect(found, `07-comparison has no cell labelled ${text.id}`).toBeDefined();
      const m = found!.cell.metadata!;
      expect(m[text.id.startsWith('fig-') ? 'fig-cap' : 'tbl-cap']).toBe(text.caption);
      if ('alt' in text) expect(m['fig-alt']).toBe(text.alt);
      expect(cellSource(found!.cell)).toContain(builds[text.id]);
    }
  });
});
