/**
 * plotly.js as notebook HTML that works in JupyterLab, in Quarto's HTML (which adds require.js to any
 * page whose notebooks have HTML output) and offline.
 *
 * Why this shape (checked against quarto-cli's src/core/jupyter/widgets.ts):
 * - Quarto moves any text/html output that looks like the plotly library (starts with
 *   `<script type="text/javascript">` and contains `define('plotly'`, or carries plotly.js's copyright
 *   header) out of the cell and into the page head, once, for notebooks and for `{{< embed >}}`.
 *   So the library goes out ONCE per notebook as its own output ({@link plotlyLibraryHtml}, sent by
 *   setNotebook()), inlined from node_modules (no CDN: the report works offline), and figure outputs
 *   only carry a div and a small script ({@link figureHtml}). A figure output holding the library would
 *   be lifted into the head with it and vanish from its cell.
 * - A plain `<script>` of a UMD bundle calls an anonymous define() when require.js is present, which
 *   fails with "Mismatched anonymous define()". The bundle is therefore run inside a function whose
 *   `define`/`module`/`exports` parameters are undefined, so it always sets window.Plotly, with or
 *   without an AMD loader; when require.js is present plotly is also registered by name for AMD users.
 * - Figures draw as soon as window.Plotly exists, or when the library announces itself with the
 *   'fmnist:plotly-ready' event (its output may come later on the page, e.g. after a kernel restart).
 */
import * as fs from 'node:fs';
import { currentNotebook } from '../notebook/context';
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

/**
 * The plotly library as ONE text/html output (see the module comment). Its first characters must stay
 * `<script type="text/javascript">` and it must contain `define('plotly'`: that is what Quarto recognises.
 */
export function plotlyLibraryHtml(): string {
  // `</script` inside the bundle would end the tag early; plotly's minified source has none, but be safe.
  const source = plotlyBundleSource().replace(/<\/script/gi, '<\\/script');
  return [
    '<script type="text/javascript">',
    '/* plotly.js for this notebook\'s figures (one copy per notebook; Quarto moves it into the page head). */',
    '(function (define, module, exports) {',
    source,
    '}).call(window, undefined, undefined, undefined);',
    '(function () {',
    '  var amd = window.define;',
    '  if (typeof amd === "function" && amd.amd && !(window.require && window.require.defined && window.require.defined("plotly"))) {',
    "    window.define('plotly', [], function () { return window.Plotly; });",
    '  }',
    '  window.dispatchEvent(new Event("fmnist:plotly-ready"));',
    '})();',
    '</script>',
  ].join('\n');
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

/** plotly config for interactive display: no plotly logo, no links to plotly's cloud. */
export const INTERACTIVE_CONFIG = { displaylogo: false, responsive: false, showLink: false };

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

let divCounter = 0;

/**
 * A figure as HTML: a div plus a script that draws it with window.Plotly. It never contains the library.
 * Until the script runs, the div holds the static PNG (when given) or a short note: that is what a reader
 * sees where scripts do not run — an untrusted notebook in JupyterLab (committed notebooks are untrusted
 * on every other machine) or GitHub's notebook view, both of which pick text/html over image/png.
 */
export function figureHtml(spec: FigureSpec, fallbackPng?: Uint8Array): string {
  divCounter += 1;
  // Stable across runs (no pid, no random part), so re-executing a notebook gives the same output;
  // the notebook name keeps ids distinct between notebooks open in one JupyterLab page.
  const divId = `fmnist-${`${currentNotebook()}-${spec.id}`.replace(/[^\w-]/g, '_')}-${divCounter}`;
  const layout = resolvedLayout(spec);
  const payload = { data: spec.data, layout, config: { ...INTERACTIVE_CONFIG, ...(spec.config ?? {}) } };
  return [
    `<div id="${divId}" class="fmnist-figure" style="width:${String(layout.width)}px;height:${String(layout.height)}px;">` +
      (fallbackPng
        ? `<img src="data:image/png;base64,${Buffer.from(fallbackPng).toString('base64')}" alt="${escapeHtml(spec.alt)}" width="${String(layout.width)}" height="${String(layout.height)}">`
        : `<em>Interactive figure ${escapeHtml(spec.id)}: it needs JavaScript (run the cell, or trust the notebook).</em>`) +
      '</div>',
    '<script type="text/javascript">',
    '(function () {',
    `  var el = document.getElementById(${scriptJson(divId)});`,
    `  var fig = ${scriptJson(payload)};`,
    '  function draw() { if (!el || el.dataset.drawn) return; el.dataset.drawn = "1"; el.textContent = ""; window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); }',
    '  if (window.Plotly) draw(); else window.addEventListener("fmnist:plotly-ready", draw);',
    '})();',
    '</script>',
  ].join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
