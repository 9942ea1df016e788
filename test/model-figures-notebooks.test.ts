import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMPARISON_NOTEBOOK,
  GALLERY_MODEL,
  generatedNotebooks,
  MODEL_NOTEBOOKS,
} from '../src/figures/model-notebooks';
import { modelFigures, keyMetricsTable } from '../src/figures/model-figures';
import { comparisonFigures, comparisonTable, misclassifiedGalleryFigure, paperComparisonTable } from '../src/figures/comparison-figures';
import { cellSource, type Notebook, type NotebookCell } from '../src/pipeline/notebook-file';
import { CLASS_NAMES } from '../src/data/classes';
import { PIXELS } from '../src/data/types';

const notebooksDir = path.join(__dirname, '..', 'notebooks');
const generated = generatedNotebooks();

// Synthetic results: the figure texts must not depend on them, so any values do.
const perClass = CLASS_NAMES.map(() => ({ precision: 0.9, recall: 0.8, f1: 0.85, support: 5 }));
const confusion = CLASS_NAMES.map((_, k) => CLASS_NAMES.map((__, j) => (j === k ? 4 : j === (k + 1) % 10 ? 1 : 0)));
const history = [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.45 }];
const summary = { rows: [{ layer: 'output', type: 'Dense', outputShape: [null, 10], params: 7850 }], total: 7850 };
const report = (model: string) => ({
  model,
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

describe('generated notebooks 03–07', () => {
  it('match the committed notebooks/ cell for cell (regenerate with writeModelNotebooks() after editing the generator)', () => {
    // Execution adds outputs, counts and timing metadata (the lead commits executed notebooks), so only
    // what the generator controls is compared: cell type, source and the Quarto options.
    const QUARTO_KEYS = ['label', 'fig-cap', 'fig-alt', 'tbl-cap', 'echo'];
    const essence = (nb: Notebook) => ({
      kernelspec: nb.metadata.kernelspec,
      cells: nb.cells.map((c) => ({
        type: c.cell_type,
        source: cellSource(c),
        options: Object.fromEntries(QUARTO_KEYS.filter((k) => c.metadata?.[k] !== undefined).map((k) => [k, c.metadata![k]])),
      })),
    });
    for (const [name, nb] of Object.entries(generated)) {
      const file = path.join(notebooksDir, `${name}.ipynb`);
      expect(fs.existsSync(file), `${file} is missing`).toBe(true);
      const committed = JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
      expect(essence(committed), `${name}.ipynb differs from the generator`).toEqual(essence(nb));
    }
  });

  it('use the tslab kernel, nbformat 4, carry no outputs, and start by naming themselves', () => {
    for (const [name, nb] of Object.entries(generated)) {
      expect(nb.nbformat).toBe(4);
      expect(nb.metadata.kernelspec).toEqual({ name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' });
      const code = nb.cells.filter((c) => c.cell_type === 'code');
      for (const cell of code) expect(cell.outputs).toEqual([]);
      expect(cellSource(code[0])).toContain(`setNotebook('${name}')`);
      expect(cellSource(code[0])).toContain("from '../dist/index'");
      // Unique cell ids (nbformat 4.5).
      const ids = nb.cells.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('keep Quarto options in metadata only: no `//|` or `#|` option comments in code', () => {
    for (const nb of Object.values(generated)) {
      for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
        expect(cellSource(cell)).not.toMatch(/^\s*(\/\/|#)\|/m);
      }
    }
  });

  it('every cell that shows a figure or table carries its label, caption (and alt) in metadata, echo off', () => {
    for (const nb of Object.values(generated)) {
      for (const cell of nb.cells.filter((c) => /show(Figure|Table)\(/.test(cellSource(c)))) {
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
    }
  });

  it('per-model notebooks: metadata equals the id, caption and alt text of the figures the cells build', () => {
    for (const [model, name] of Object.entries(MODEL_NOTEBOOKS)) {
      const cells = labelled(generated[name]);
      const specs = modelFigures(model, summary, report(model));
      for (const spec of specs) {
        const cell = cells.get(spec.id);
        expect(cell, `${name} has no cell labelled ${spec.id}`).toBeDefined();
        expect(cell!.metadata!['fig-cap']).toBe(spec.caption);
        expect(cell!.metadata!['fig-alt']).toBe(spec.alt);
      }
      const table = keyMetricsTable(model, report(model));
      expect(cells.get(table.id)?.metadata?.['tbl-cap']).toBe(table.caption);
      // The cell labelled with a figure's id is the one that builds that figure.
      expect(cellSource(cells.get(`fig-${model}-history`)!)).toContain(`historyFigure('${model}'`);
      expect(cellSource(cells.get(`fig-${model}-confusion-normalised`)!)).toContain('normalise: true');
    }
  });

  it('comparison notebook: metadata equals the texts of the comparison figures and tables', () => {
    const cells = labelled(generated[COMPARISON_NOTEBOOK]);
    const reports = ['ann', 'cnn1', 'cnn2', 'cnn3'].map(report);
    const specs = [
      ...comparisonFigures(reports),
      misclassifiedGalleryFigure(GALLERY_MODEL, new Uint8Array(PIXELS), [{ index: 0, trueLabel: 0, predicted: 1 }]),
    ];
    for (const spec of specs) {
      const cell = cells.get(spec.id);
      expect(cell, `07 has no cell labelled ${spec.id}`).toBeDefined();
      expect(cell!.metadata!['fig-cap']).toBe(spec.caption);
      expect(cell!.metadata!['fig-alt']).toBe(spec.alt);
    }
    for (const table of [comparisonTable([]), paperComparisonTable([])]) {
      expect(cells.get(table.id)?.metadata?.['tbl-cap']).toBe(table.caption);
    }
  });

  it('labels are unique across all notebooks (Quarto cross-references need that)', () => {
    const all = Object.values(generated).flatMap((nb) => [...labelled(nb).keys()]);
    expect(new Set(all).size).toBe(all.length);
  });
});
