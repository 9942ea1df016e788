import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ROOT, compileEntries, executeNotebook, tslabNotebook, type NotebookJson } from './notebook-exec-helper';
import { displayBundle, inNotebookKernel } from '../src/notebook/display';

// The exact test Quarto applies to decide that an output is the plotly library (quarto-cli widgets.ts, 1.4 form).
const quartoSeesPlotlyLibrary = (html: string) =>
  /^\s*<script type="text\/javascript">/.test(html) && (/require\.undef\(["']plotly["']\)/.test(html) || /define\('plotly'/.test(html));

const joined = (v: string | string[]) => (Array.isArray(v) ? v.join('') : v);

describe('displayBundle outside a kernel', () => {
  it('does not throw and reports that nothing was displayed', () => {
    expect(inNotebookKernel()).toBe(false);
    expect(displayBundle({ 'text/plain': 'hello' })).toBe(false);
  });
});

describe('displayBundle in a real tslab kernel (Jupyter nbconvert)', () => {
  let dir: string;
  let nb: NotebookJson;

  beforeAll(() => {
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true }); // absent in a fresh clone (gitignored)
    dir = fs.mkdtempSync(path.join(ROOT, 'tmp', 'display-test-'));
    const file = path.join(dir, 'display.ipynb');
    const figures = path.join(dir, 'figures');
    // Only the display modules are compiled (into dir/build), so this test does not depend on all of src/ building.
    compileEntries(['src/figures/show.ts', 'src/notebook/display.ts'], path.join(dir, 'build'));
    fs.writeFileSync(
      file,
      JSON.stringify(
        tslabNotebook([
          "import { setNotebook, showFigure } from './build/figures/show';\nimport { displayBundle, inNotebookKernel } from './build/notebook/display';\nconst settings = setNotebook('display-test');",
          "displayBundle({ 'text/html': '<b>bundle</b>', 'image/png': new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), 'text/plain': 'bundle' });\nconsole.log('in kernel:', inNotebookKernel());",
          "await showFigure({ id: 'fig-display-test', caption: 'A display test', alt: 'two bars', data: [{ type: 'bar', x: ['a', 'b'], y: [1, 2] }], layout: {}, width: 300, height: 200 });",
        ]),
      ),
    );
    nb = executeNotebook(file, { FMNIST_FIGURES_DIR: figures, FMNIST_PROFILE: 'smoke' });
  }, 300_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores ONE display_data with all the MIME types of the bundle, binary as base64', () => {
    const outputs = nb.cells[1].outputs!.filter((o) => o.output_type === 'display_data');
    expect(outputs).toHaveLength(1);
    expect(Object.keys(outputs[0].data).sort()).toEqual(['image/png', 'text/html', 'text/plain']);
    expect(Buffer.from(joined(outputs[0].data['image/png']), 'base64').subarray(0, 4).toString('hex')).toBe('89504e47');
    const stream = nb.cells[1].outputs!.find((o) => o.output_type === 'stream');
    expect(joined(stream!.text)).toContain('in kernel: true');
  });

  it('setNotebook puts no plotly.js into the notebook (JupyterLab and the report each load it once)', () => {
    expect(nb.cells[0].outputs!.filter((o) => o.output_type === 'display_data')).toEqual([]);
    expect(JSON.stringify(nb)).not.toContain('Copyright 2012');
  });

  it('showFigure emits ONE output with the plotly figure as JSON, text/html (no library) and image/png (no text/markdown), and writes files + manifest', () => {
    const outputs = nb.cells[2].outputs!.filter((o) => o.output_type === 'display_data');
    expect(outputs).toHaveLength(1);
    const data = outputs[0].data as Record<string, string | string[]>;
    expect(Object.keys(data).sort()).toEqual(['application/vnd.plotly.v1+json', 'image/png', 'text/html', 'text/plain']);
    // Stored as a JSON object (what JupyterLab's plotly renderer reads), not as a string.
    const plotly = data['application/vnd.plotly.v1+json'] as unknown as { data: Array<{ type: string }>; layout: Record<string, unknown> };
    expect(plotly.data[0].type).toBe('bar');
    expect(plotly.layout.autosize).toBe(true);
    // JupyterLab's plotly extension draws it at its design height (360 px without one).
    expect(plotly.layout.height).toBe(200);
    // The PDF size: the 300 × 200 design at 0.75; the digest of the kernel's PNG, which the server's pre-save hook keeps.
    const png = Buffer.from(joined(data['image/png']), 'base64');
    expect(outputs[0].metadata).toEqual({ 'image/png': { width: 225, height: 150 }, fmnist: { png_sha256: createHash('sha256').update(png).digest('hex') } });
    const html = joined(data['text/html']);
    expect(quartoSeesPlotlyLibrary(html)).toBe(false);
    expect(html).not.toContain('Copyright 2012');
    // smoke profile writes under figures/smoke/, never over the committed figures
    const smoke = path.join(dir, 'figures', 'smoke');
    expect(fs.existsSync(path.join(smoke, 'fig-display-test.png'))).toBe(true);
    expect(fs.existsSync(path.join(smoke, 'fig-display-test.svg'))).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(smoke, 'manifest.json'), 'utf8'));
    const entry = manifest.figures['fig-display-test'];
    expect(entry).toMatchObject({ notebook: 'display-test', cell: 'fig-display-test', profile: 'smoke', protocol: 'paper', seed: 42 });
    expect(entry.files).toEqual(['fig-display-test.png', 'fig-display-test.svg']);
    expect(entry.gitCommit).toMatch(/^[0-9a-f]{40}$|^unknown$/);
  });
});
