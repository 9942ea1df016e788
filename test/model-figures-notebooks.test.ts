// Notebooks 03–07 are the source people edit in JupyterLab. What must not drift is checked here: every
// figure or table cell's Quarto options (label, fig-cap, fig-alt / tbl-cap) equal what the figure builders
// produce and what the committed figures/manifest.json recorded, and the labelled cell builds that figure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_NAMES, modelNotebook } from '../src/models/registry';
import { architectureTable, modelFigures, keyMetricsTable } from '../src/figures/model-figures';
import { comparisonFigures, comparisonTable, misclassifiedGalleryFigure } from '../src/figures/comparison-figures';
import { paperComparisonFigure, paperComparisonTable, paperNumbers } from '../src/figures/paper-comparison';
import { CLEAR_ORDER, syntheticStudy } from './study-fixtures';
import { readManifest } from '../src/figures/manifest';
import { cellSource, readNotebook, type Notebook, type NotebookCell } from '../src/pipeline/notebook-file';
import { CLASS_NAMES } from '../src/data/classes';
import { PIXELS } from '../src/data/types';

const root = path.join(__dirname, '..');
const notebooksDir = path.join(root, 'notebooks');
const ALL_NOTEBOOKS = fs.readdirSync(notebooksDir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();
const COMPARISON_NOTEBOOK = '07-comparison';
/** The model whose mistakes 07 shows: CNN 3, the model the paper recommends (the notebook's call names it). */
const GALLERY_MODEL = 'cnn3';
const MODEL_NOTEBOOKS = Object.fromEntries(MODEL_NAMES.map((m) => [m, modelNotebook(m)]));
const MODEL_AND_COMPARISON = [...Object.values(MODEL_NOTEBOOKS), COMPARISON_NOTEBOOK];
const notebook = (name: string): Notebook => readNotebook(path.join(notebooksDir, `${name}.ipynb`));

// Synthetic results: the figure texts must not depend on them, so any values do.
const perClass = CLASS_NAMES.map(() => ({ precision: 0.9, recall: 0.8, f1: 0.85, support: 5 }));
const confusion = CLASS_NAMES.map((_, k) => CLASS_NAMES.map((__, j) => (j === k ? 4 : j === (k + 1) % 10 ? 1 : 0)));
const history = [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.45 }];
const summary = { rows: [{ layer: 'output', type: 'Dense', outputShape: [null, 10], params: 7850 }], total: 7850 };
const report = (model: string, protocol = 'paper') => ({
  model,
  protocol,
  params: 7850,
  trainSeconds: 1,
  history,
  train: { accuracy: 0.9 },
  test: { accuracy: 0.85, macroF1: 0.84, weightedF1: 0.84, perClass, confusion },
});

function labelled(nb: Notebook): Map<string, NotebookCell> {
  const map = new Map<string, NotebookCell>();
  for (const cell of nb.cells) {
    const label = cell.metadata?.label;
    if (typeof label === 'string') {
      expect(map.has(label), `duplicate label ${label}`).toBe(false);
      map.set(label, cell);
    }
  }
  return map;
}

/** The cell must exist and carry exactly this caption and alt text, with a message saying what to fix. */
function expectFigureCell(name: string, cells: Map<string, NotebookCell>, spec: { id: string; caption: string; alt?: string }) {
  const cell = cells.get(spec.id);
  expect(cell, `notebooks/${name}.ipynb has no cell labelled ${spec.id}`).toBeDefined();
  const where = `notebooks/${name}.ipynb, cell ${spec.id}: set its metadata`;
  expect(cell!.metadata!['fig-cap'], `${where} fig-cap to the builder's caption`).toBe(spec.caption);
  expect(cell!.metadata!['fig-alt'], `${where} fig-alt to the builder's alt text`).toBe(spec.alt);
}

describe('notebooks 03–07 (the source; edited in JupyterLab)', () => {
  it.each(MODEL_AND_COMPARISON)('%s: tslab kernel, nbformat 4, unique cell ids, first code cell names the notebook', (name) => {
    const nb = notebook(name);
    expect(nb.metadata.kernelspec).toMatchObject({ name: 'tslab', language: 'typescript' });
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    expect(cellSource(code[0])).toContain(`setNotebook('${name}')`);
    expect(cellSource(code[0])).toContain("from '../dist/index'");
    const ids = nb.cells.map((c) => c.id);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(ALL_NOTEBOOKS)('%s: Quarto options live in metadata (no `//|` comments); figure/table cells carry label, caption, alt, echo off', (file) => {
    const nb = readNotebook(path.join(notebooksDir, file));
    for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
      expect(cellSource(cell)).not.toMatch(/^\s*(\/\/|#)\|/m);
      if (!/show(Figure|Table)\(/.test(cellSource(cell))) continue;
      const m = cell.metadata ?? {};
      expect(m.label, cellSource(cell)).toMatch(/^(fig|tbl)-[a-z0-9-]+$/);
      expect(m.echo).toBe(false);
      if (String(m.label).startsWith('fig-')) {
        expect(typeof m['fig-cap']).toBe('string');
        expect(typeof m['fig-alt']).toBe('string');
      } else {
        expect(typeof m['tbl-cap']).toBe('string');
      }
    }
  });

  it.each(Object.entries(MODEL_NOTEBOOKS))('%s (%s): each figure cell has the label, caption and alt text of the figure it builds', (model, name) => {
    const cells = labelled(notebook(name));
    for (const spec of modelFigures(model, summary, report(model))) expectFigureCell(name, cells, spec);
    const table = keyMetricsTable(model, report(model));
    expect(cells.get(table.id)?.metadata?.['tbl-cap']).toBe(table.caption);
    const architecture = architectureTable(model, summary);
    expect(cells.get(architecture.id)?.metadata?.['tbl-cap']).toBe(architecture.caption);
    // The cell labelled with a figure's id is the one that builds that figure.
    const builds: Record<string, RegExp> = {
      [architecture.id]: new RegExp(`architectureTable\\('${model}'`),
      [`fig-${model}-history`]: new RegExp(`historyFigure\\('${model}'`),
      [`fig-${model}-per-class`]: new RegExp(`perClassMetricsFigure\\('${model}'`),
      [`fig-${model}-confusion`]: new RegExp(`confusionFigure\\('${model}'[^)]*\\)\\);?\\s*$`),
      [`fig-${model}-confusion-normalised`]: /confusionFigure\([^]*normalise: true/,
      [table.id]: new RegExp(`keyMetricsTable\\('${model}'`),
    };
    for (const [id, pattern] of Object.entries(builds)) expect(cellSource(cells.get(id)!), id).toMatch(pattern);
  });

  it('07: each figure cell has the label, caption and alt text of the comparison figure it builds', () => {
    const cells = labelled(notebook(COMPARISON_NOTEBOOK));
    const reports = ['ann', 'cnn1', 'cnn2', 'cnn3'].map((m) => report(m));
    const official = ['ann', 'cnn1', 'cnn2', 'cnn3'].map((m) => report(m, 'official'));
    const gallery = misclassifiedGalleryFigure(GALLERY_MODEL, new Uint8Array(PIXELS), [{ index: 0, trueLabel: 0, predicted: 1 }]);
    const numbers = paperNumbers({ paper: syntheticStudy(CLEAR_ORDER, ['paper']) });
    for (const spec of [...comparisonFigures(reports, official), paperComparisonFigure(numbers), gallery]) expectFigureCell(COMPARISON_NOTEBOOK, cells, spec);
    for (const table of [comparisonTable([]), paperComparisonTable(numbers)]) {
      expect(cells.get(table.id)?.metadata?.['tbl-cap']).toBe(table.caption);
    }
    expect(cellSource(cells.get(gallery.id)!)).toContain(`misclassifiedGalleryFigure('${GALLERY_MODEL}'`);
  });

  // 01 and 02 build captions that quote their results, so only 03–07 have static captions to compare.
  it.each(MODEL_AND_COMPARISON)('%s: every labelled cell agrees with its entry in the committed figures/manifest.json', (name) => {
    const file = `${name}.ipynb`;
    const manifest = readManifest(path.join(root, 'figures')).figures;
    for (const [label, cell] of labelled(notebook(name))) {
      const entry = manifest[label];
      expect(entry, `figures/manifest.json has no entry ${label} (run the notebook)`).toBeDefined();
      expect(entry).toMatchObject({ notebook: name, cell: label });
      const m = cell.metadata!;
      expect(entry.caption, `${file} ${label}: caption`).toBe(m['fig-cap'] ?? m['tbl-cap']);
      if (m['fig-alt'] !== undefined) expect(entry.alt, `${file} ${label}: alt`).toBe(m['fig-alt']);
    }
  });

  it('labels are unique across all notebooks (Quarto cross-references need that)', () => {
    const all = ALL_NOTEBOOKS.flatMap((f) => [...labelled(readNotebook(path.join(notebooksDir, f))).keys()]);
    expect(new Set(all).size).toBe(all.length);
  });
});
