import { describe, expect, it } from 'vitest';
import { columnWidths, formatCell, renderTable } from '../src/figures/show';

describe('table formatting (what the report prints)', () => {
  it('prints thousands separators, keeps plain numbers in the CSV', () => {
    expect(formatCell(59850, 4)).toBe('59,850');
    expect(formatCell(591786, 4)).toBe('591,786');
    expect(formatCell(307.4, 1)).toBe('307.4');
    expect(formatCell(1234.5678, 2)).toBe('1,234.57');
    expect(formatCell(0.88071, 4)).toBe('0.8807');
    expect(formatCell(59850, 4, { grouping: false })).toBe('59850');
    const t = renderTable({ columns: ['model', 'parameters'], rows: [['ANN', 59850], ['CNN 1', 591786]] });
    expect(t.csv).toBe('model,parameters\nANN,59850\nCNN 1,591786\n');
    expect(t.html).toContain('<td style="text-align:right">59,850</td>');
  });

  it('right-aligns numeric columns (numbers and number-like text such as "≈ 0.90") in the header cells, where Pandoc reads the alignment', () => {
    const t = renderTable({ columns: ['model', 'paper', 'ours'], rows: [['ANN', '≈ 0.90', 0.8807], ['CNN 2', '0.9060', 0.9144]] });
    expect(t.html).toContain('<th style="text-align:left">model</th><th style="text-align:right">paper</th><th style="text-align:right">ours</th>');
    expect(t.text.split('\n')[2]).toBe('ANN    ≈ 0.90  0.8807');
  });

  it('gives a too-wide table relative column widths so the PDF wraps its long text column', () => {
    const long = 'Sec. V (Conclusion): all models reach similar overall accuracy of about 90%';
    const columns = ['model', 'metric', 'paper', 'ours', 'difference', 'where the paper says so'];
    const cells = [['CNN 3', 'test accuracy', '≈ 0.90', '0.9170', '0.0170', long]];
    const widths = columnWidths(columns, cells)!;
    expect(widths).toHaveLength(6);
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    expect(Math.max(...widths)).toBe(widths[5]);
    expect(renderTable({ columns, rows: cells }).html).toMatch(/<colgroup>(<col style="width:[\d.]+%">){6}<\/colgroup>/);
    expect(columnWidths(['model', 'accuracy'], [['ANN', '0.8807']])).toBeUndefined();
  });
});
