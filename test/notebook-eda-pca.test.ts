import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, executeNotebook, type NotebookJson } from './notebook-exec-helper';

const NAMES = ['01-eda', '02-pca'] as const;
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', `${name}.ipynb`), 'utf8')) as NotebookJson;
const src = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

describe.each(NAMES)('notebooks/%s.ipynb as committed', (name) => {
  const nb = read(name);

  // Committed with the outputs of the full run; test/quarto-project.test.ts checks those outputs.
  it('is an nbformat 4 tslab notebook', () => {
    expect(nb.nbformat).toBe(4);
    expect(nb.metadata.kernelspec).toMatchObject({ name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' });
    expect(nb.metadata.language_info.name).toBe('typescript');
  });

  it('declares itself in the first code cell and imports only ../dist/index', () => {
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    expect(src(code[0].source)).toContain(`setNotebook('${name}')`);
    for (const c of code) for (const m of src(c.source).matchAll(/from '([^']+)'/g)) expect(m[1]).toBe('../dist/index');
  });

  it('puts Quarto options in cell metadata (not in comments), with unique labels', () => {
    const labels: string[] = [];
    for (const c of nb.cells) {
      expect(src(c.source)).not.toMatch(/^\s*(\/\/|#)\|/m);
      const label = c.metadata.label as string | undefined;
      if (!label) continue;
      labels.push(label);
      if (label.startsWith('fig-')) {
        expect(typeof c.metadata['fig-cap']).toBe('string');
        expect(typeof c.metadata['fig-alt']).toBe('string');
        expect(src(c.source)).toContain('showFigure(');
      } else {
        expect(label).toMatch(/^tbl-/);
        expect(typeof c.metadata['tbl-cap']).toBe('string');
        expect(src(c.source)).toContain('showTable(');
      }
    }
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.length).toBeGreaterThan(2);
  });
});

describe('01-eda and 02-pca executed under the smoke profile (project Jupyter + tslab kernel)', () => {
  const work = path.join(ROOT, 'tmp', `notebook-eda-pca-${process.pid}`);
  const figures = path.join(work, 'figures');
  const executed: Record<string, NotebookJson> = {};

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'ensure-built.js')], { cwd: ROOT, stdio: 'pipe' });
    // Copies run in a scratch notebooks/ whose ../dist links to the build (the notebooks import
    // '../dist/index'), never beside the committed notebooks, which other tests read meanwhile.
    fs.mkdirSync(path.join(work, 'notebooks'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'dist'), path.join(work, 'dist'), 'dir');
    for (const name of NAMES) {
      const copy = path.join(work, 'notebooks', `${name}.ipynb`);
      fs.copyFileSync(path.join(ROOT, 'notebooks', `${name}.ipynb`), copy);
      executed[name] = executeNotebook(copy, { FMNIST_PROFILE: 'smoke', FMNIST_FIGURES_DIR: figures }, 600);
    }
  }, 600_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it.each(NAMES)('%s: every labelled cell shows exactly its figure/table, recorded in the manifest', (name) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(figures, 'smoke', 'manifest.json'), 'utf8'));
    for (const cell of executed[name].cells) {
      if (cell.cell_type !== 'code') continue;
      expect(cell.outputs!.filter((o) => o.output_type === 'error')).toEqual([]);
      const label = cell.metadata.label as string | undefined;
      if (!label) continue;
      const outputs = cell.outputs!;
      expect(outputs.filter((o) => o.output_type === 'stream')).toEqual([]); // nothing printed under a figure
      expect(outputs).toHaveLength(1);
      const types = Object.keys(outputs[0].data);
      expect(types).toContain('text/html');
      expect(types).not.toContain('text/markdown');
      if (label.startsWith('fig-')) expect(types).toContain('image/png');
      expect(manifest.figures[label]).toMatchObject({ notebook: name, cell: label, profile: 'smoke' });
      for (const f of manifest.figures[label].files) expect(fs.existsSync(path.join(figures, 'smoke', f))).toBe(true);
    }
  });
});
