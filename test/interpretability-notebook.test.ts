// Notebook 08 is the source people edit in JupyterLab: its figure and table cells must carry the
// label, caption and alt text that the builders in src/interpretability/figures.ts produce (the HTML,
// the PDF and figures/manifest.json all use them), and each labelled cell must build that figure.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNotebook, cellSource } from '../src/pipeline/notebook-file';
import { attributionFigure, featureMapsFigure, filtersFigure, pairFigure, projectionFigure, sanityFigure, separationTable, silhouetteFigure } from '../src/interpretability/figures';
import { PIXELS } from '../src/data/types';

const nb = readNotebook(path.join(__dirname, '..', 'notebooks', '08-interpretability.ipynb'));
const filters = (n: number) => ({ layer: 'conv1', size: n, kernels: Array.from({ length: 32 }, () => new Float32Array(n * n)) });
const featureMaps = { layer: 'conv1', height: 26, width: 26, channels: 32, maps: Array.from({ length: 10 }, () => Array.from({ length: 32 }, () => new Float32Array(676))) };
// The builders' texts do not depend on the results, so any inputs do.
const specs = [
  { spec: filtersFigure(filters(3), filters(4)), call: 'filtersInNotebook(ctx)' },
  { spec: featureMapsFigure(new Float32Array(10 * PIXELS), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], featureMaps, [0, 1, 2, 3, 4, 5, 6, 7]), call: 'featureMapsInNotebook(ctx)' },
  { spec: attributionFigure([]), call: 'attributionsInNotebook(ctx)' },
  { spec: sanityFigure({ layers: [], steps: [{ layer: 'trained', correlation: { gradient: { mean: 1, min: 1, max: 1 } } }], verdicts: {}, images: 1, threshold: 0.5, seed: 1 }), call: 'sanityFigureInNotebook(sanity)' },
  { spec: projectionFigure([], []), call: 'projectionFigureInNotebook(projections)' },
  { spec: silhouetteFigure([]), call: 'silhouetteFigureInNotebook(projections)' },
  { spec: pairFigure([], []), call: 'pair.figure' },
];

describe('notebooks/08-interpretability.ipynb', () => {
  const cells = new Map(nb.cells.filter((c) => typeof c.metadata?.label === 'string').map((c) => [c.metadata!.label as string, c]));

  it('tslab kernel; the first code cell names the notebook', () => {
    expect(nb.metadata.kernelspec).toMatchObject({ name: 'tslab', language: 'typescript' });
    expect(cellSource(nb.cells.find((c) => c.cell_type === 'code')!)).toContain("setNotebook('08-interpretability')");
  });

  it.each(specs.map((s) => [s.spec.id, s] as const))('%s: the cell has the builder\'s caption and alt text and builds it', (id, { spec, call }) => {
    const cell = cells.get(id);
    expect(cell, `no cell labelled ${id}`).toBeDefined();
    expect(cell!.metadata!['fig-cap'], `set the cell's fig-cap to the builder's caption`).toBe(spec.caption);
    expect(cell!.metadata!['fig-alt'], `set the cell's fig-alt to the builder's alt text`).toBe(spec.alt);
    expect(cellSource(cell!)).toContain(call);
  });

  it('tbl-interp-separation: the cell has the table\'s caption', () => {
    const table = separationTable([]);
    expect(cells.get(table.id)?.metadata?.['tbl-cap']).toBe(table.caption);
  });
});

describe('tileGrid', () => {
  it('places each tile in its cell, centred, scaled by its own largest absolute value, and leaves empty cells out', async () => {
    const { tileGrid } = await import('../src/interpretability/tile-grid');
    const grid = tileGrid([{ values: [1, -2, 0, 4], height: 2, width: 2, kind: 'signed' }, undefined, { values: [0, 255, 51, 0], height: 2, width: 2, kind: 'image' }], { columns: 2, cell: 4, gap: 1 });
    expect(grid.rows).toBe(2);
    expect(grid.data).toHaveLength(2);
    expect(grid.data[0]).toMatchObject({ x0: 1, y0: 1, z: [[25, -50], [0, 100]], zmin: -100 });
    expect(grid.data[1]).toMatchObject({ x0: 1, y0: 6, z: [[0, 100], [20, 0]], zmin: 0 });
    expect(() => tileGrid([{ values: new Array(25).fill(0), height: 5, width: 5, kind: 'map' }], { columns: 1, cell: 4 })).toThrow(/larger than the grid cell/);
  });
});

describe('gridPoints', () => {
  it('maps a projection onto integers 0–1000 with one scale for both axes', async () => {
    const { gridPoints } = await import('../src/interpretability/figures');
    expect(gridPoints([[-1, 0], [3, 1], [1, 2]])).toEqual([[0, 0], [1000, 250], [500, 500]]);
  });
});
