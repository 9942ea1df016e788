// The article embeds the executed notebooks' labelled cells (fig-*, tbl-*) with all their outputs, so
// a log line printed in such a cell would appear in the article. Cells that load or train print in
// cells of their own; this checks the committed notebooks keep it that way.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNotebook } from '../src/pipeline/notebook-file';
import { planNotebookJobs, PROTOCOL_NAMES } from '../src/pipeline/plan';
import { projectRoot } from '../src/util/paths';

// The executed notebooks the main job commits: one per job of its plan (EDA, PCA and interpretability run once).
const executed = planNotebookJobs({ profile: 'paper', protocols: PROTOCOL_NAMES }).map((job) => job.output!);

/** The labelled figure and table cells of a notebook that have stream (stdout/stderr) outputs. */
function embeddedCellsThatPrint(file: string): string[] {
  return readNotebook(file)
    .cells.filter((c) => /^(fig|tbl)-/.test(String(c.metadata?.label ?? '')))
    .filter((c) => (c.outputs ?? []).some((o) => o.output_type === 'stream'))
    .map((c) => String(c.metadata!.label));
}

describe('the cells the article embeds', () => {
  it('the check finds a figure cell that prints', () => {
    const nb = { cells: [{ cell_type: 'code', id: 'a', metadata: { label: 'fig-x' }, source: '', outputs: [{ output_type: 'stream', name: 'stdout', text: 'log\n' }] }], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-embed-')), 'x.ipynb');
    fs.writeFileSync(file, JSON.stringify(nb));
    expect(embeddedCellsThatPrint(file)).toEqual(['fig-x']);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it.each(executed.map((f) => [path.relative(projectRoot(), f), f]))('%s: no figure or table cell prints a line', (_, file) => {
    expect(embeddedCellsThatPrint(file)).toEqual([]);
  });

  // A notebook executed while src/ was being edited says its kernel ran stale code: never committed so.
  it.each(executed.map((f) => [path.relative(projectRoot(), f), f]))('%s: ran on a dist/ built from its src/ (no stale-build note)', (_, file) => {
    const text = readNotebook(file).cells.flatMap((c) => (c.outputs ?? []).map((o) => ('text' in o ? [o.text].flat().join('') : ''))).join('');
    expect(text).not.toMatch(/dist\/ is older than src\//);
  });

  it('covers every committed executed notebook, and each is there', () => {
    expect(executed.length).toBe(3 + 5 * PROTOCOL_NAMES.length);
    for (const file of executed) expect(fs.existsSync(file), file).toBe(true);
  });
});
