import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStrayNotebookCopies } from '../src/report/stray-outputs';

describe('the rendered report keeps one copy of each notebook', () => {
  it('removes the .out.ipynb copies Quarto leaves and nothing else', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-out-'));
    fs.mkdirSync(path.join(out, 'notebooks'));
    for (const f of ['01-eda.ipynb', '01-eda.out.ipynb', '01-eda-preview.html']) fs.writeFileSync(path.join(out, 'notebooks', f), '{}');
    expect(removeStrayNotebookCopies(out)).toEqual(['01-eda.out.ipynb']);
    expect(fs.readdirSync(path.join(out, 'notebooks')).sort()).toEqual(['01-eda-preview.html', '01-eda.ipynb']);
    expect(removeStrayNotebookCopies(path.join(out, 'missing'))).toEqual([]);
    fs.rmSync(out, { recursive: true, force: true });
  });
});
