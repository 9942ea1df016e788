/**
 * What notebooks call to show figures and tables. Typical notebook:
 *
 *   // first code cell
 *   import { setNotebook, showFigure, showTable } from '../dist/index';
 *   const settings = setNotebook('03-ann');        // name = the .ipynb file name; returns profile/protocol/seed
 *   // a figure cell (its cell metadata carries label = the figure id, fig-cap, fig-alt)
 *   await showFigure(learningCurveFigure(report)); // one output: interactive HTML + PNG; files in figures/
 *
 * showFigure writes figures/<id>.png and .svg (for the paper profile; other profiles write under
 * figures/<profile>/), records the figure in figures/manifest.json and displays ONE output that carries
 * text/html (interactive plotly) and image/png (static, what Quarto uses for the PDF). Always `await` it,
 * so the output lands in the cell that made it.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { FigureSpec } from './spec';
import { figureHtml, plotlyLibraryHtml, plotlyVersion, escapeHtml } from './plotly-html';
import { findChromium, renderStaticImages, ChromiumStartError, NO_CHROMIUM_MESSAGE, type StaticImages } from './export';
import { gitState, recordInManifest, type ManifestEntry } from './manifest';
import { writeFileAtomic } from '../util/atomic';
import { displayBundle } from '../notebook/display';
import {
  currentNotebook,
  currentProvenance,
  notebookSettings,
  setNotebookName,
  type NotebookSettings,
} from '../notebook/context';

let libraryShown = false;

/**
 * Call in every notebook's first code cell: records the notebook's name (for the manifest), displays the
 * plotly library once for this notebook's interactive figures, prints and returns the run settings
 * (FMNIST_PROFILE / FMNIST_PROTOCOL / FMNIST_SEED).
 */
export function setNotebook(name: string): NotebookSettings {
  setNotebookName(name);
  const settings = notebookSettings();
  showPlotlyLibrary();
  console.log(`notebook ${name}: profile ${settings.profile}, protocol ${settings.protocol}, seed ${settings.seed}`);
  return settings;
}

/** Displays the plotly library as its own output (never in a figure's output: see plotly-html.ts). */
export function showPlotlyLibrary(): void {
  libraryShown = displayBundle({
    'text/html': plotlyLibraryHtml(),
    'text/plain': `plotly.js ${plotlyVersion()} loaded for this notebook's interactive figures`,
  }) || libraryShown;
}

let warnedNoChromium = false;
let staticExportDisabled = false;

/**
 * Shows a figure in the running notebook (interactive + PNG in one output), writes its PNG and SVG and
 * records it in the manifest. Without Chrome/Chromium it says so once and shows the interactive view only.
 * Resolves to nothing, so `await showFigure(...)` as a cell's last line prints no value under the figure.
 */
export async function showFigure(spec: FigureSpec): Promise<void> {
  validateId(spec.id, 'figure');
  const settings = notebookSettings();
  if (!libraryShown) showPlotlyLibrary(); // e.g. a cell run before setNotebook() after a kernel restart

  const executable = staticExportDisabled ? undefined : findChromium();
  const files: WrittenFile[] = [];
  let png: Buffer | undefined;
  let size: { width: number; height: number } | undefined;
  let images: StaticImages | undefined;
  if (executable) {
    try {
      images = await renderStaticImages(spec, executable);
    } catch (err) {
      // A browser that cannot start is like no browser: say so once, keep the interactive output.
      // A figure that fails to render is a bug in its spec and stays an error.
      if (!(err instanceof ChromiumStartError)) throw err;
      staticExportDisabled = true;
      console.log(`${err.message}. Figures are shown interactively only, without PNG/SVG files (set FMNIST_CHROMIUM to a working browser).`);
    }
  } else if (!warnedNoChromium) {
    warnedNoChromium = true;
    console.log(NO_CHROMIUM_MESSAGE);
  }
  if (images) {
    png = images.png;
    size = { width: images.width, height: images.height };
    const pngFile = path.join(settings.figuresDir, `${spec.id}.png`);
    const svgFile = path.join(settings.figuresDir, `${spec.id}.svg`);
    await writeFileAtomic(pngFile, images.png);
    await writeFileAtomic(svgFile, images.svg);
    files.push({ file: pngFile, content: images.png }, { file: svgFile, content: images.svg });
  }

  await recordInManifest(settings.figuresDir, manifestEntry('figure', spec.id, spec.caption, spec.alt, files, settings, spec.provenance));

  const bundle: Record<string, string | Uint8Array> = { 'text/html': figureHtml(spec, png), 'text/plain': `${spec.id}: ${spec.caption}` };
  if (png) bundle['image/png'] = png;
  // The PNG is rendered at PNG_SCALE; its metadata gives the on-screen size so it is not shown doubled.
  displayBundle(bundle, png && size ? { 'image/png': { width: size.width, height: size.height } } : {});
}

/** A table for a notebook cell (label `tbl-...`, tbl-cap in the cell metadata), and a CSV in figures/. */
export interface TableSpec {
  /** Stable id, also the cell label, e.g. 'tbl-eda-pixel-stats'. */
  id: string;
  caption: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Decimal places for non-integer numbers (default 4). */
  digits?: number;
  provenance?: FigureSpec['provenance'];
}

/**
 * Shows a table as ONE output with text/html and text/plain (no text/markdown, see issue 4), writes
 * <id>.csv next to the figures and records it in the manifest.
 */
export async function showTable(table: TableSpec): Promise<void> {
  validateId(table.id, 'table');
  for (const [i, row] of table.rows.entries()) {
    if (row.length !== table.columns.length) throw new Error(`showTable(${table.id}): row ${i} has ${row.length} cells, expected ${table.columns.length}`);
  }
  const settings = notebookSettings();
  const rendered = renderTable(table);
  const csvFile = path.join(settings.figuresDir, `${table.id}.csv`);
  await writeFileAtomic(csvFile, rendered.csv);
  await recordInManifest(settings.figuresDir, manifestEntry('table', table.id, table.caption, undefined, [{ file: csvFile, content: rendered.csv }], settings, table.provenance));
  displayBundle({ 'text/html': rendered.html, 'text/plain': rendered.text });
}

/** A table as the notebook shows it (HTML, plain text) and as its CSV file holds it. Pure. */
export function renderTable(table: Pick<TableSpec, 'columns' | 'rows' | 'digits'>): { html: string; text: string; csv: string } {
  const cells = table.rows.map((row) => row.map((v) => formatCell(v, table.digits ?? 4)));
  return { html: tableHtml(table.columns, cells, table.rows), text: tableText(table.columns, cells), csv: tableCsv(table.columns, cells) };
}

/** A file showFigure/showTable wrote, with what it wrote (hashed into the manifest). */
interface WrittenFile {
  file: string;
  content: string | Uint8Array;
}

function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

function validateId(id: string, kind: string): void {
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`${kind} id ${JSON.stringify(id)} must be lower-case letters, digits and dashes (it is a file name and a Quarto label)`);
}

function manifestEntry(
  kind: ManifestEntry['kind'],
  id: string,
  caption: string,
  alt: string | undefined,
  files: WrittenFile[],
  settings: NotebookSettings,
  provenance: FigureSpec['provenance'],
): ManifestEntry {
  const { dataChecksums, backend, ...rest } = { ...currentProvenance(), ...(provenance ?? {}) };
  const git = gitState();
  return {
    id,
    kind,
    notebook: currentNotebook(),
    cell: id,
    caption,
    ...(alt !== undefined ? { alt } : {}),
    files: files.map((f) => path.relative(settings.figuresDir, f.file)),
    ...(files.length ? { sha256: Object.fromEntries(files.map((f) => [path.relative(settings.figuresDir, f.file), sha256(f.content)])) } : {}),
    seed: settings.seed,
    profile: settings.profile,
    protocol: settings.protocol,
    ...(dataChecksums ? { dataChecksums } : {}),
    ...(backend ? { backend } : {}),
    ...rest,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    generatedAt: new Date().toISOString(),
  };
}

export function formatCell(value: string | number, digits: number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function tableHtml(columns: string[], cells: string[][], raw: Array<Array<string | number>>): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = cells
    .map((row, r) => `<tr>${row.map((c, i) => `<td style="text-align:${typeof raw[r][i] === 'number' ? 'right' : 'left'}">${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="dataframe fmnist-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Columns padded to a common width, for text/plain (what a PDF render shows for a table). */
function tableText(columns: string[], cells: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function tableCsv(columns: string[], cells: string[][]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [columns, ...cells].map((row) => row.map(quote).join(',')).join('\n') + '\n';
}
