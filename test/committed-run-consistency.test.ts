import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_NAMES } from '../src/models/architectures';
import { keyMetricsTable } from '../src/figures/model-figures';
import { benchmarkComparisonFigure, comparisonRows, comparisonTable } from '../src/figures/comparison-figures';
import { paperComparisonTable } from '../src/figures/paper-comparison';
import { paperNumbersInNotebook } from '../src/notebook/study-cells';
import { modelNotebook } from '../src/models/registry';
import { renderTable, type TableSpec } from '../src/figures/show';
import { findLabelledCell, readNotebook } from '../src/pipeline/notebook-file';
import { executedNotebookPath, PROTOCOL_NAMES, protocolFiguresDir, type NotebookName } from '../src/pipeline/plan';
import type { ModelReport } from '../src/results/report';
import { loadReport } from '../src/training/run';

/**
 * The committed notebooks, figures/ tables and results/ must come from the same run: every table a
 * notebook shows is rebuilt here from results/ and compared with the notebook's stored output and
 * with the CSV in figures/. A notebook saved after a by-hand experiment (another seed or learning
 * rate), or results replaced without re-executing the notebooks, fails here; `npm run main` repairs both.
 */
const reports = new Map<string, ModelReport>();
beforeAll(async () => {
  delete process.env.FMNIST_RESULTS_DIR;
  delete process.env.FMNIST_FIGURES_DIR;
  for (const protocol of PROTOCOL_NAMES) for (const model of MODEL_NAMES) reports.set(`${protocol}/${model}`, await loadReport(protocol, model, 'paper', { runtime: 'committed' }));
});

function expectShown(notebook: NotebookName, protocol: (typeof PROTOCOL_NAMES)[number], table: TableSpec): void {
  const file = executedNotebookPath(notebook, 'paper', protocol);
  const found = findLabelledCell(readNotebook(file), table.id);
  expect(found, `${file} has no cell labelled ${table.id}`).toBeDefined();
  const output = (found!.cell.outputs ?? []).find((o) => o.data && 'text/html' in o.data);
  const html = output?.data?.['text/html'];
  const expected = renderTable(table);
  expect(Array.isArray(html) ? html.join('') : html, `${path.relative(process.cwd(), file)}#${table.id} differs from the table rebuilt from results/`).toBe(expected.html);
  const csv = path.join(protocolFiguresDir(protocol), `${table.id}.csv`);
  expect(fs.readFileSync(csv, 'utf8'), `${path.relative(process.cwd(), csv)} differs from the table rebuilt from results/`).toBe(expected.csv);
}

/** The plotly data of a figure cell's interactive output (the `var fig = {...};` line plotly-html.ts writes). */
function shownFigureData(notebook: NotebookName, protocol: (typeof PROTOCOL_NAMES)[number], id: string): unknown {
  const file = executedNotebookPath(notebook, 'paper', protocol);
  const found = findLabelledCell(readNotebook(file), id);
  expect(found, `${file} has no cell labelled ${id}`).toBeDefined();
  const html = (found!.cell.outputs ?? []).map((o) => o.data?.['text/html']).find((h) => h !== undefined);
  const text = Array.isArray(html) ? html.join('') : String(html ?? '');
  const json = /var fig = (\{.*\});\n/.exec(text)?.[1];
  expect(json, `${file}#${id} has no plotly figure in its output`).toBeDefined();
  return (JSON.parse(json!) as { data: unknown }).data;
}

describe.each(PROTOCOL_NAMES)('the committed %s-protocol run', (protocol) => {
  it('comparison: the benchmark figure plots the official split\'s results, whichever protocol the notebook ran under', () => {
    const official = comparisonRows(MODEL_NAMES.map((m) => reports.get(`official/${m}`)!));
    const expected = JSON.parse(JSON.stringify(benchmarkComparisonFigure(official).data)) as unknown;
    expect(shownFigureData('07-comparison', protocol, 'fig-comparison-benchmarks')).toEqual(expected);
  });

  it.each(MODEL_NAMES)('%s: the notebook and the CSV show the headline table of results/', (model) => {
    expectShown(modelNotebook(model), protocol, keyMetricsTable(model, reports.get(`${protocol}/${model}`)!));
  });

  it('comparison: both tables match results/', () => {
    const rows = comparisonRows(MODEL_NAMES.map((m) => reports.get(`${protocol}/${m}`)!));
    expectShown('07-comparison', protocol, comparisonTable(rows));
    // The paper's numbers are compared on the paper's split over both conditions' seeds, whatever the notebook's protocol.
    expectShown('07-comparison', protocol, paperComparisonTable(paperNumbersInNotebook()));
  });
});
