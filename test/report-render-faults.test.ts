import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkReportEmbeds } from '../src/report/checks';
import { envScript } from '../src/pipeline/jupyter';
import { findQuarto, previousReportDir, renderManuscript, ReportEmbedError } from '../src/pipeline/quarto';

// Issue 19, fault case 3: a committed notebook that lost a figure's output (or the figure cell's label)
// before a render. Quarto renders a cell without output as an empty figure with exit 0, and a lost
// label as "The cell ... does not exist in notebook" without naming the notebook; and it empties
// _manuscript/ before rendering, so a failed render cost the previous report.

const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-render-faults-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const NOTEBOOK = 'notebooks/04-cnn1.ipynb';
const LABEL = 'fig-cnn1-history';

type Cell = { metadata?: Record<string, unknown>; outputs?: unknown[]; execution_count?: number | null; id?: string };

/**
 * A scratch Quarto project: everything of the repository linked in place, except notebooks/, whose
 * 04-cnn1 is a copy changed by `edit` (the committed notebooks are never touched), and no _manuscript/.
 */
function scratchProject(name: string, edit?: (cell: Cell) => void): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'notebooks'), { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    if (['notebooks', '_manuscript', '.quarto', '.cache', '.git', 'site_libs'].includes(entry)) continue;
    fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
  }
  for (const nb of fs.readdirSync(path.join(root, 'notebooks'))) fs.symlinkSync(path.join(root, 'notebooks', nb), path.join(dir, 'notebooks', nb));
  if (edit) {
    const file = path.join(dir, NOTEBOOK);
    const nb = JSON.parse(fs.readFileSync(path.join(root, NOTEBOOK), 'utf8')) as { cells: Cell[] };
    const cell = nb.cells.find((c) => c.metadata?.label === LABEL);
    if (!cell) throw new Error(`${NOTEBOOK} has no cell labelled ${LABEL}`);
    edit(cell);
    fs.rmSync(file);
    fs.writeFileSync(file, JSON.stringify(nb, null, 1));
  }
  return dir;
}

const clearOutputs = (cell: Cell) => {
  cell.outputs = [];
  cell.execution_count = null;
};
const dropLabel = (cell: Cell) => {
  delete cell.metadata!.label;
  delete cell.id;
};

/** A previous report in the scratch project's _manuscript/. */
function previousReport(dir: string): void {
  fs.mkdirSync(path.join(dir, '_manuscript'), { recursive: true });
  fs.writeFileSync(path.join(dir, '_manuscript', 'index.html'), 'previous report');
  fs.writeFileSync(path.join(dir, '_manuscript', 'index.pdf'), 'previous PDF');
}
const readReport = (dir: string) => ['index.html', 'index.pdf'].map((f) => fs.readFileSync(path.join(dir, '_manuscript', f), 'utf8'));

/** A stand-in for Quarto that, like Quarto, empties the output folder first, then `then` (shell). */
function fakeQuarto(name: string, then: string): { bin: string; marker: string } {
  const marker = path.join(tmp, `${name}.ran`);
  const bin = path.join(tmp, `${name}.sh`);
  fs.writeFileSync(bin, `#!/bin/sh\ntouch ${JSON.stringify(marker)}\nrm -rf _manuscript\n${then}\n`, { mode: 0o755 });
  return { bin, marker };
}

describe('checkReportEmbeds: every embed of the article before a render', () => {
  it('passes on the committed notebooks', () => {
    expect(checkReportEmbeds(scratchProject('intact'))).toEqual([]);
  });

  it('a figure cell without its output: names the notebook, the cell and both fixes', () => {
    expect(checkReportEmbeds(scratchProject('no-output', clearOutputs))).toEqual([
      `embed ${NOTEBOOK}#${LABEL}: this cell has no output; run \`npm run main\` (or \`node bin/fmnist.js main --only 04-cnn1\`) to execute it, ` +
        `or restore the committed notebook with \`git checkout -- ${NOTEBOOK}\``,
    ]);
  });

  it('a figure cell that lost its label: names the notebook (Quarto does not)', () => {
    const [problem, ...rest] = checkReportEmbeds(scratchProject('no-label', dropLabel));
    expect(rest).toEqual([]);
    expect(problem).toBe(
      `embed ${NOTEBOOK}#${LABEL}: no cell has metadata label '${LABEL}' (its label was lost or renamed); restore the committed notebook with ` +
        `\`git checkout -- ${NOTEBOOK}\`, or give the cell its label '${LABEL}' again (cell metadata \`label\`: the property inspector in JupyterLab)`,
    );
  });
});

describe('renderManuscript (what `fmnist main` and `main --skip-notebooks` call)', () => {
  it('refuses a notebook with a lost output before Quarto runs, and the previous report stays', async () => {
    const dir = scratchProject('render-no-output', clearOutputs);
    previousReport(dir);
    const quarto = fakeQuarto('never', 'exit 0');
    const err = (await renderManuscript(quarto.bin, [], { root: dir }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ReportEmbedError);
    expect(err.message).toMatch(/^the report was not rendered: 1 embedded cell of the article cannot be shown \(the previous report in _manuscript\/ is kept\):\n {2}embed notebooks\/04-cnn1\.ipynb#fig-cnn1-history: this cell has no output/);
    expect(fs.existsSync(quarto.marker)).toBe(false);
    expect(readReport(dir)).toEqual(['previous report', 'previous PDF']);
  });

  it('a render that fails puts the previous report back', async () => {
    const dir = scratchProject('render-fails');
    previousReport(dir);
    const quarto = fakeQuarto('fails', 'mkdir -p _manuscript && echo partial > _manuscript/index.html && exit 1');
    await expect(renderManuscript(quarto.bin, [], { root: dir })).rejects.toThrow(/^quarto render failed \(exit code 1\); its messages are above, and the previous report is back in _manuscript\//);
    expect(fs.existsSync(quarto.marker)).toBe(true);
    expect(readReport(dir)).toEqual(['previous report', 'previous PDF']);
    expect(fs.existsSync(previousReportDir(dir))).toBe(false);
  });

  it('a render that succeeds replaces the report and leaves no copy behind', async () => {
    const dir = scratchProject('render-ok');
    previousReport(dir);
    const quarto = fakeQuarto('succeeds', 'mkdir -p _manuscript && echo new > _manuscript/index.html && echo newpdf > _manuscript/index.pdf');
    await renderManuscript(quarto.bin, [], { root: dir });
    expect(readReport(dir)).toEqual(['new\n', 'newpdf\n']);
    expect(fs.existsSync(previousReportDir(dir))).toBe(false);
  });

  it('after a render that was killed, the report it set aside is the one kept', async () => {
    const dir = scratchProject('render-killed');
    // What a killed render leaves: the previous report set aside, a partial one in _manuscript/.
    previousReport(dir);
    fs.mkdirSync(path.dirname(previousReportDir(dir)), { recursive: true });
    fs.renameSync(path.join(dir, '_manuscript'), previousReportDir(dir));
    fs.mkdirSync(path.join(dir, '_manuscript'));
    fs.writeFileSync(path.join(dir, '_manuscript', 'index.html'), 'partial');
    const quarto = fakeQuarto('fails-again', 'exit 1');
    await expect(renderManuscript(quarto.bin, [], { root: dir })).rejects.toThrow(/the previous report is back in _manuscript\//);
    expect(readReport(dir)).toEqual(['previous report', 'previous PDF']);
  });
});

const quarto = findQuarto();
describe.skipIf(!quarto.found)('a bare `quarto render` (the pre-render step in _quarto.yml)', () => {
  it('fails on a lost output, naming the notebook, the cell and the fix, before rendering any page', () => {
    const dir = scratchProject('bare-quarto', clearOutputs);
    const res = spawnSync('bash', ['-c', 'source "$0" && cd "$1" && exec "$2" render', envScript(), dir, quarto.found ? quarto.path : 'quarto'], { encoding: 'utf8', timeout: 120_000 });
    const log = `${res.stdout}\n${res.stderr}`;
    expect(res.status, log).not.toBe(0);
    expect(log).toContain(`[pre-render] embed ${NOTEBOOK}#${LABEL}: this cell has no output; run \`npm run main\` (or \`node bin/fmnist.js main --only 04-cnn1\`)`);
    expect(log).not.toMatch(/\[1\/\d+\]/); // no page was rendered
  });
});
