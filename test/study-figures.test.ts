import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { STUDY_FIGURE_TEXT, studyGapPairsTable, studyPairsTable, studySeedFigure, studyTable } from '../src/figures/study-figures';
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
    const g = study.runs['paper/cnn3'].gap;
    expect(cnn3[5]).toBe(`${(100 * g.mean).toFixed(2)} ± ${(100 * g.sd!).toFixed(2)}`);
    expect(cnn3[7]).toBe('12.9 min'); // median of the fixture's 770 + seed seconds: seed 3 (773 s)
  });

  it('tbl-study-pairs: every pair as "more accurate − other", positive difference in points and images, the interval at Holm\'s level, the tests and McNemar over seeds', () => {
    const t = studyPairsTable(study);
    expect(t.rows).toHaveLength(12);
    const row = t.rows.find((r) => r[0] === 'paper' && r[1] === 'CNN 3 − CNN 1')!;
    expect(row[2]).toBe('+0.70 (+70)');
    expect(row[3]).toBe('[+0.32, +1.08] (97.5%)'); // step 5 of 6: 97.5%, in the interval's cell
    expect(Number(row[4])).toBeLessThan(0.05); // Holm-adjusted: the column the caption says decides
    expect(row[5]).toBe('0.063'); // exact Wilcoxon, all five differences positive: 2/32 = 0.0625
    expect(row).toHaveLength(8);
    expect(t.columns).toHaveLength(8);
    const c = study.comparisons.find((k) => k.protocol === 'paper' && k.a === 'cnn1' && k.b === 'cnn3')!;
    expect(row[6]).toBe(`${c.mcnemar!.significantSeeds} of 5`);
    expect(row[7]).toBe(`${c.mcnemar!.pooled.c} / ${c.mcnemar!.pooled.b}`); // flipped with the pair
    const tie = t.rows.find((r) => r[0] === 'official' && r[1] === 'CNN 1 − CNN 2')!;
    expect(Number(tie[4])).toBeGreaterThan(0.05);
    expect(tie[3]).toMatch(/^\[−0\.\d\d, \+0\.\d\d\] \(\d+(\.\d+)?%\)$/); // not significant: the interval holds zero
    // Every place that shows a Wilcoxon p says it cannot reach 0.05 with five seeds.
    expect(t.caption).toMatch(/with 5 seeds or fewer it cannot go below 0\.0625, so it can never reach 0\.05/);
    expect(t.caption).toMatch(/McNemar can be significant where the seed test is not; the verdicts use the seed test/);
  });

  it('tbl-study-gap-pairs: the train − test gap, wider gap first, with the same tests', () => {
    const t = studyGapPairsTable(study);
    expect(t.rows).toHaveLength(12);
    const row = t.rows.find((r) => r[0] === 'paper' && r[1] === 'CNN 1 − CNN 3')!;
    const c = study.gapComparisons.find((k) => k.protocol === 'paper' && k.a === 'cnn1' && k.b === 'cnn3')!;
    expect(row[2]).toBe(`+${(100 * c.meanDiff).toFixed(2)} (+${Math.round(c.meanDiffImages)})`);
    expect(String(row[3]).endsWith(` (${Number((100 * c.ciHolmLevel!).toFixed(2))}%)`)).toBe(true);
    expect(t.rows.find((r) => r[0] === 'paper' && r[1] === 'CNN 2 − ANN')).toBeDefined();
    expect(t.caption).toMatch(/cannot go below 0\.0625, so it can never reach 0\.05/);
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
    const builds: Record<string, string> = { 'tbl-study': 'studyTable(study)', 'fig-study-seeds': 'studySeedFigure(study)', 'tbl-study-pairs': 'studyPairsTable(study)', 'tbl-study-gap-pairs': 'studyGapPairsTable(study)' };
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
