/**
 * plotly figures as notebook outputs that work in JupyterLab, in Quarto's HTML and offline, without
 * a copy of plotly.js in any notebook.
 *
 * Each figure is ONE output (see show.ts) with:
 * - `application/vnd.plotly.v1+json` ({@link PLOTLY_MIME}): the figure itself, which JupyterLab draws
 *   with the jupyterlab-plotly extension (from the `plotly` wheel in requirements-jupyter.txt; it ships
 *   its own plotly.js, so nothing is fetched). JupyterLab ranks it above text/html and its renderer is
 *   marked safe, so an untrusted (freshly cloned) notebook still shows the interactive chart.
 * - `text/html` ({@link figureHtml}): a div and a small script, what Quarto picks for the web page
 *   (it does not know the plotly MIME type). The script draws with `window.Plotly`, which the report
 *   loads once for the whole site (report/filters/report.lua adds plotly.js from node_modules as an
 *   HTML dependency: one file under site_libs/). It never contains the library.
 * - `image/png`, what Quarto uses for the PDF.
 * Interactive figures are responsive: they fill their column up to their design width; in the report,
 * report/responsive-figures.js gives them a height and a layout that suit the column (a phone's too),
 * elsewhere they keep the design's aspect ratio. The static PNG/SVG export
 * keeps the fixed design size ({@link resolvedLayout}).
 */
import * as fs from 'node:fs';
import type { FigureSpec } from './spec';

/** The plotly.js bundle inlined into notebooks and loaded into the export browser: the minified build when installed. */
export function plotlyBundlePath(): string {
  for (const id of ['plotly.js-dist-min/plotly.min.js', 'plotly.js-dist/plotly.js']) {
    try {
      return require.resolve(id);
    } catch {
      // try the next one
    }
  }
  throw new Error('plotly.js is not installed (node_modules/plotly.js-dist-min or plotly.js-dist). Run `npm ci`.');
}

let cachedBundle: string | undefined;
/** The plotly.js source, read once per process. */
export function plotlyBundleSource(): string {
  cachedBundle ??= fs.readFileSync(plotlyBundlePath(), 'utf8');
  return cachedBundle;
}

/** plotly.js version of the bundle, from its header comment. */
export function plotlyVersion(): string {
  return /plotly\.js v(\d+\.\d+\.\d+)/.exec(plotlyBundleSource().slice(0, 200))?.[1] ?? 'unknown';
}

/** Fixed defaults applied to every figure: one font everywhere so screen, PNG and SVG agree. */
export const FIGURE_FONT = { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 13, color: '#222' };
export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 500;

/** The layout actually drawn: the spec's layout over fixed defaults (font, white background, size). */
export function resolvedLayout(spec: FigureSpec): Record<string, unknown> {
  const layout = spec.layout ?? {};
  return {
    paper_bgcolor: 'white',
    plot_bgcolor: 'white',
    ...layout,
    font: { ...FIGURE_FONT, ...((layout.font as Record<string, unknown> | undefined) ?? {}) },
    width: spec.width ?? DEFAULT_WIDTH,
    height: spec.height ?? DEFAULT_HEIGHT,
  };
}

/** plotly config for interactive display: responsive, no plotly logo, no links to plotly's cloud. */
export const INTERACTIVE_CONFIG = { displaylogo: false, responsive: true, showLink: false };

/** The MIME type of plotly figures, which JupyterLab's plotly extension renders. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/**
 * The figure as it is drawn interactively: the design layout without its fixed width and height
 * (the container sets them; see {@link figureHtml}), and the interactive config.
 */
export function interactiveFigure(spec: FigureSpec): { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> } {
  const { width: _width, height: _height, ...layout } = resolvedLayout(spec);
  return { data: spec.data, layout: { ...layout, autosize: true }, config: { ...INTERACTIVE_CONFIG, ...(spec.config ?? {}) } };
}

/**
 * The figure for the plotly MIME output (JupyterLab), at its design height, with every long numeric array as a base64 typed array
 * (`{ dtype, bdata, shape }`, which plotly.js 2.28+ decodes itself). Jupyter stores JSON outputs
 * indented, one number per line, which made an image-grid figure take about 1 MB of notebook;
 * as a typed array it is one string. Integers keep an exact integer type; gaps (null) become NaN in
 * float32 (exact for integers up to 2^24), other numbers stay float64, so hover values are unchanged.
 */
export function compactPlotlyFigure(spec: FigureSpec): ReturnType<typeof interactiveFigure> {
  const figure = interactiveFigure(spec);
  // jupyterlab-plotly draws a figure without a height 360 px tall: it gets its design height (the width follows the output area).
  const layout = { ...figure.layout, height: resolvedLayout(spec).height };
  return { ...figure, layout, data: figure.data.map((trace) => compactArrays(trace)) };
}

/** Arrays shorter than this stay plain JSON: not worth the indirection. */
const TYPED_ARRAY_MIN = 64;

function compactArrays(value: unknown): unknown {
  if (Array.isArray(value)) return typedArraySpec(value) ?? value.map(compactArrays);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactArrays(v)]));
  return value;
}

type Cell = number | null;
function typedArraySpec(values: unknown[]): { dtype: string; bdata: string; shape?: string } | undefined {
  const isCell = (v: unknown): v is Cell => v === null || (typeof v === 'number' && Number.isFinite(v));
  let flat: Cell[];
  let shape: string | undefined;
  if (values.length > 0 && values.every((row) => Array.isArray(row))) {
    const rows = values as unknown[][];
    if (!rows.every((r) => r.length === rows[0].length && r.every(isCell))) return undefined;
    flat = rows.flat() as Cell[];
    shape = `${rows.length},${rows[0].length}`;
  } else {
    if (!values.every(isCell)) return undefined;
    flat = values as Cell[];
  }
  if (flat.length < TYPED_ARRAY_MIN || flat.every((v) => v === null)) return undefined;
  const numbers = flat.filter((v): v is number => v !== null);
  const integers = numbers.every((v) => Number.isInteger(v));
  const hasGaps = numbers.length < flat.length;
  const [min, max] = numbers.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
  let array: Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  let dtype: string;
  if (integers && !hasGaps && min >= 0 && max <= 255) [array, dtype] = [Uint8Array.from(numbers), 'u1'];
  else if (integers && !hasGaps && min >= -32768 && max <= 32767) [array, dtype] = [Int16Array.from(numbers), 'i2'];
  else if (integers && !hasGaps && min >= -(2 ** 31) && max < 2 ** 31) [array, dtype] = [Int32Array.from(numbers), 'i4'];
  else if (integers && Math.max(Math.abs(min), Math.abs(max)) <= 2 ** 24) [array, dtype] = [Float32Array.from(flat, (v) => (v === null ? Number.NaN : v)), 'f4'];
  else [array, dtype] = [Float64Array.from(flat, (v) => (v === null ? Number.NaN : v)), 'f8'];
  const bdata = Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
  return shape ? { dtype, bdata, shape } : { dtype, bdata };
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A stable element id for a figure: the same figure gives the same HTML (deterministic notebooks). */
function figureDivId(id: string): string {
  return `fmnist-${id.replace(/[^\w-]/g, '_')}`;
}

/**
 * A figure as HTML: a div plus a script that draws it with window.Plotly (loaded once by the page).
 * It never contains the library. The div fills its column up to the design width, with the design's
 * aspect ratio. Where scripts do not run, or plotly.js is not on the page, it shows a short note.
 */
export function figureHtml(spec: FigureSpec): string {
  const divId = figureDivId(spec.id);
  const design = resolvedLayout(spec);
  const width = Number(design.width);
  const height = Number(design.height);
  const figure = interactiveFigure(spec);
  return [
    `<div id="${divId}" class="fmnist-figure${isTable(spec) ? ' fmnist-figure-table' : ''}" role="img" aria-label="${escapeHtml(spec.alt)}" data-width="${width}" data-height="${height}" style="${containerStyle(spec, width, height)}">` +
      `<em>Interactive figure ${escapeHtml(spec.id)}: it is drawn with plotly.js, which the rendered report loads (and JupyterLab's plotly extension, installed by the project's bootstrap).</em>` +
      '</div>',
    '<script type="text/javascript">',
    '(function () {',
    `  var el = document.getElementById(${scriptJson(divId)});`,
    `  var fig = ${scriptJson(figure)};`,
    // The report's responsive-figures.js sizes the chart to its column (report/report.lua loads it); elsewhere plotly's own sizing.
    '  function draw() { if (!el || el.dataset.drawn || !window.Plotly) return; el.dataset.drawn = "1"; el.textContent = ""; if (window.fmnistFigures) window.fmnistFigures.draw(el, fig); else window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); }',
    '  if (window.Plotly) draw(); else window.addEventListener("load", draw);',
    '})();',
    '</script>',
  ].join('\n');
}

/**
 * Charts keep the design's aspect ratio as they shrink; a plotly table does not shrink its text or
 * rows, so it keeps the design height (a shorter box would hide its last rows behind a scrollbar).
 * No min-height: through the aspect ratio Chrome turns it into a minimum width, which widened
 * Quarto's notebook-page cells (flex items) past their column.
 */
function containerStyle(spec: FigureSpec, width: number, height: number): string {
  // A table never narrower than TABLE_MIN_WIDTH: in a narrower column it scrolls sideways in its own box
  // (report/offline.scss) instead of wrapping its cells into rows taller than the figure.
  return isTable(spec)
    ? `width:100%;max-width:${width}px;min-width:${Math.min(width, TABLE_MIN_WIDTH)}px;height:${height}px;`
    : `width:100%;max-width:${width}px;aspect-ratio:${width} / ${height};`;
}

/** The narrowest a plotly table is drawn (px): its design fits it without wrapping a cell. */
export const TABLE_MIN_WIDTH = 560;

function isTable(spec: FigureSpec): boolean {
  return spec.data.some((trace) => (trace as { type?: unknown }).type === 'table');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
