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
import { figureHtml, compactPlotlyFigure, escapeHtml, PLOTLY_MIME } from './plotly-html';
import { findChromium, renderStaticImages, ChromiumStartError, NO_CHROMIUM_MESSAGE, type StaticImages } from './export';
import { gitState, recordInManifest, type ManifestEntry } from './manifest';
import { writeFileAtomic } from '../util/atomic';
import { checkEnvironment } from '../util/environment';
import { displayBundle, type MimeBundle } from '../notebook/display';
import {
  currentFiguresDir,
  currentNotebook,
  currentProvenance,
  notebookSettings,
  setNotebookName,
  type NotebookProfile,
  type NotebookSettings,
} from '../notebook/context';
import type { SplitProtocol } from '../data/types';
import { staleBuildNote } from '../notebook/stale-build';

/** What a notebook's first cell may set for this kernel instead of the environment: `setNotebook('06-cnn3', { profile: 'smoke' })`. */
export interface NotebookChoices {
  profile?: NotebookProfile;
  protocol?: SplitProtocol;
  seed?: number;
}

const CHOICE_VARIABLES = { profile: 'FMNIST_PROFILE', protocol: 'FMNIST_PROTOCOL', seed: 'FMNIST_SEED' } as const;
/** The kernel's settings as it was started, so removing a choice from the first cell and rerunning it goes back to them. */
const launchSettings = Object.fromEntries(Object.values(CHOICE_VARIABLES).map((v) => [v, process.env[v]]));

/**
 * Call in every notebook's first code cell: records the notebook's name (for the manifest), prints and
 * returns the run settings (FMNIST_PROFILE / FMNIST_PROTOCOL / FMNIST_SEED, or `choices`, which set
 * those variables for this kernel, e.g. `{ profile: 'smoke' }` for a fast edit loop). No plotly.js goes
 * into the notebook: JupyterLab's plotly extension and the rendered report each load it once
 * (plotly-html.ts). In a kernel whose `dist/` is older than `src/`, it says so.
 */
export function setNotebook(name: string, choices: NotebookChoices = {}): NotebookSettings {
  setNotebookName(name);
  for (const [key, variable] of Object.entries(CHOICE_VARIABLES) as Array<[keyof NotebookChoices, string]>) {
    const value = choices[key] ?? launchSettings[variable];
    if (value === undefined) delete process.env[variable];
    else process.env[variable] = String(value);
  }
  checkEnvironment(); // in JupyterLab too: a bad FMNIST_* value fails here, in the first cell, not at training
  const settings = notebookSettings();
  const chosen = Object.keys(choices).filter((k) => choices[k as keyof NotebookChoices] !== undefined);
  console.log(`notebook ${name}: profile ${settings.profile}, protocol ${settings.protocol}, seed ${settings.seed}${chosen.length ? ` (${chosen.join(', ')} set in this cell)` : ''}`);
  const stale = staleBuildNote({ fresh: true });
  if (stale) console.log(stale);
  return settings;
}

/**
 * The PDF's size of a figure, as the PNG's output metadata (Quarto turns it into the image width at
 * 96 px per inch): the design size times {@link PRINT_SCALE}, and never wider than
 * {@link PRINT_MAX_WIDTH_PX} (6.25 in: the A4 text block with 2.5 cm margins in _quarto.yml is 6.3 in).
 */
export const PRINT_SCALE = 0.75;
export const PRINT_MAX_WIDTH_PX = 600;
export function printSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(PRINT_SCALE, PRINT_MAX_WIDTH_PX / width);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
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
  const figures = currentFiguresDir(settings);
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
    const pngFile = path.join(figures, `${spec.id}.png`);
    const svgFile = path.join(figures, `${spec.id}.svg`);
    await writeFileAtomic(pngFile, images.png);
    await writeFileAtomic(svgFile, images.svg);
    files.push({ file: pngFile, content: images.png }, { file: svgFile, content: images.svg });
  }

  await recordInManifest(figures, manifestEntry('figure', spec.id, spec.caption, spec.alt, files, figures, settings, spec.provenance));

  const bundle: MimeBundle = {
    [PLOTLY_MIME]: compactPlotlyFigure(spec),
    'text/html': figureHtml(spec),
    'text/plain': `${spec.id}: ${spec.caption}`,
  };
  if (png) bundle['image/png'] = png;
  // The PNG is rendered at PNG_SCALE; its metadata gives the printed size (see printSize). Its digest
  // lets the Jupyter server's pre-save hook tell it from the capture JupyterLab's plotly extension
  // puts in its place when the figure is hovered (scripts/notebook_outputs.py).
  displayBundle(bundle, png && size ? { 'image/png': printSize(size.width, size.height), fmnist: { png_sha256: sha256(png) } } : {});
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
  const figures = currentFiguresDir(settings);
  const rendered = renderTable(table);
  const csvFile = path.join(figures, `${table.id}.csv`);
  await writeFileAtomic(csvFile, rendered.csv);
  await recordInManifest(figures, manifestEntry('table', table.id, table.caption, undefined, [{ file: csvFile, content: rendered.csv }], figures, settings, table.provenance));
  displayBundle({ 'text/html': rendered.html, 'text/plain': rendered.text });
}

/**
 * A table as the notebook shows it (HTML, plain text) and as its CSV file holds it. Pure.
 * Shown numbers have thousands separators (59,850) and numeric columns are right-aligned; the CSV keeps
 * plain machine-readable numbers (59850).
 */
export function renderTable(table: Pick<TableSpec, 'columns' | 'rows' | 'digits'>): { html: string; text: string; csv: string } {
  const digits = table.digits ?? 4;
  const shown = table.rows.map((row) => row.map((v) => formatCell(v, digits)));
  const plain = table.rows.map((row) => row.map((v) => formatCell(v, digits, { grouping: false })));
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((row) => isNumberLike(row[i])));
  return { html: tableHtml(table.columns, shown, numeric), text: tableText(table.columns, shown, numeric), csv: tableCsv(table.columns, plain) };
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
  figures: string,
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
    files: files.map((f) => path.relative(figures, f.file)),
    ...(files.length ? { sha256: Object.fromEntries(files.map((f) => [path.relative(figures, f.file), sha256(f.content)])) } : {}),
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

/** A number, or a string that reads as one (`≈ 0.90`, `90.6%`, `-0.02`): such columns are right-aligned. */
function isNumberLike(value: string | number): boolean {
  return typeof value === 'number' || /^[≈~<>≤≥±]?\s*[-−+]?[\d,]*\.?\d+%?$/.test(value.trim());
}

/** A cell as text: integers as they are, other numbers with `digits` decimals; thousands separators unless `grouping: false`. */
export function formatCell(value: string | number, digits: number, { grouping = true }: { grouping?: boolean } = {}): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  const decimals = Number.isInteger(value) ? 0 : digits;
  if (!grouping) return value.toFixed(decimals);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true });
}

/**
 * Relative column widths for a table too wide for a page (longer than {@link WIDE_TABLE_CHARS}
 * characters per row): Quarto reads `<col style="width:…">` into the table, so LaTeX wraps the long
 * columns instead of running off the page. undefined: the table fits as it is.
 */
export const WIDE_TABLE_CHARS = 90;
export function columnWidths(columns: string[], cells: string[][]): number[] | undefined {
  const longest = columns.map((c, i) => Math.max(...c.split(/\s+/).map((w) => w.length), ...cells.map((row) => row[i].length)));
  const total = columns.map((c, i) => Math.max(c.length, longest[i])).reduce((a, b) => a + b + 2, 0);
  if (total <= WIDE_TABLE_CHARS) return undefined;
  // Long text columns share what the short ones leave; nothing narrower than its longest header word.
  const capped = longest.map((n) => Math.min(n, 36) + 2);
  const sum = capped.reduce((a, b) => a + b, 0);
  return capped.map((n) => Math.round((n / sum) * 1000) / 10);
}

function tableHtml(columns: string[], cells: string[][], numeric: boolean[]): string {
  const align = (i: number) => (numeric[i] ? 'right' : 'left');
  const widths = columnWidths(columns, cells);
  const colgroup = widths ? `<colgroup>${widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup>\n` : '';
  // The alignment goes on the header cells too: that is where Pandoc (and so Quarto) reads a column's alignment from.
  const head = columns.map((c, i) => `<th style="text-align:${align(i)}">${escapeHtml(c)}</th>`).join('');
  const body = cells.map((row) => `<tr>${row.map((c, i) => `<td style="text-align:${align(i)}">${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table class="dataframe fmnist-table">\n${colgroup}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Columns padded to a common width, numbers to the right, for text/plain. */
function tableText(columns: string[], cells: string[][], numeric: boolean[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function tableCsv(columns: string[], cells: string[][]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [columns, ...cells].map((row) => row.map(quote).join(',')).join('\n') + '\n';
}
