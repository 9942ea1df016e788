/**
 * A figure as data: what every figure builder returns and what the display/export layer consumes.
 * Builders are pure (results in, spec out) so they can be tested without a browser or a kernel.
 */
export interface FigureSpec {
  /** Stable id, also the Quarto cell label of the notebook cell that shows it, e.g. 'fig-eda-class-balance'. */
  id: string;
  /** Caption used for fig-cap and the manifest. */
  caption: string;
  /** Alt text for accessibility (fig-alt). */
  alt: string;
  /** plotly.js traces. */
  data: Array<Record<string, unknown>>;
  /** plotly.js layout. */
  layout: Record<string, unknown>;
  /** Size in CSS pixels, on screen and in the static export (default 800 × 500). */
  width?: number;
  height?: number;
  /** Extra plotly.js config for the interactive view (e.g. `{ scrollZoom: true }`). */
  config?: Record<string, unknown>;
  /**
   * Provenance for figures/manifest.json, merged over the notebook-wide values from setProvenance(),
   * e.g. `{ backend: 'wasm', results: ['results/paper/cnn3/metrics.json'] }`.
   */
  provenance?: { dataChecksums?: Record<string, string>; backend?: string; [key: string]: unknown };
}

/**
 * A horizontal legend centred above the plot, anchored by its bottom edge on the plot's top edge, so it
 * never covers data however far the page scales a figure down (one placed at y > 1 with its default
 * top anchor slid into the bars of a figure shown narrower than its export). Leave a top margin of
 * {@link TOP_MARGIN_WITH_LEGEND} for the title above it.
 */
export const LEGEND_ABOVE_PLOT: Readonly<Record<string, unknown>> = Object.freeze({ orientation: 'h', x: 0.5, xanchor: 'center', y: 1, yanchor: 'bottom' });
export const TOP_MARGIN_WITH_LEGEND = 100;

/**
 * The score axis of a per-class dot plot: zoomed to the values (bars on a 0–1 axis hid differences of
 * 0.01, issue 22), on steps of 0.01, 0.02, 0.05 or 0.1 so that gridlines separate scores 0.01 apart
 * where the range allows, and never past 1. Dots, not bars: a dot's position does not imply a zero baseline.
 */
export function scoreAxisRange(values: readonly number[]): { range: [number, number]; dtick: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const span = Math.max(hi - lo, 0.01);
  const dtick = [0.01, 0.02, 0.05, 0.1].find((d) => span / d <= 12) ?? 0.2;
  // From a tick at least a third of a step below the lowest value; to one above the highest, but never past 1.
  const start = Math.max(0, Math.floor((lo - dtick / 3) / dtick) * dtick);
  const end = Math.min(1.005, Math.ceil((hi + dtick / 3) / dtick) * dtick);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { range: [round(start), round(end)], dtick };
}

/**
 * Layout of a dot plot over the ten classes (one row per class, top to bottom in label order) with
 * scores on a zoomed axis whose start the axis title states; legend on top (per-class and
 * cross-model F1 charts).
 */
export function classScoreDotsLayout(title: string, xTitle: string, values: readonly number[]): Record<string, unknown> {
  const { range, dtick } = scoreAxisRange(values);
  return {
    title: { text: title },
    xaxis: { title: { text: `${xTitle} (axis from ${range[0].toFixed(range[0] * 100 === Math.round(range[0] * 100) ? 2 : 3)}, not 0)` }, range, dtick, tickformat: dtick < 0.1 ? '.2f' : '.1f', zeroline: false },
    yaxis: { autorange: 'reversed', automargin: true, showgrid: true, gridcolor: '#eee' },
    legend: { ...LEGEND_ABOVE_PLOT },
    hovermode: 'closest',
    margin: { l: 100, r: 20, t: TOP_MARGIN_WITH_LEGEND, b: 60 },
  };
}

/** Marker symbols that tell the series of a dot plot apart without colour. */
export const DOT_SYMBOLS: readonly string[] = ['circle', 'diamond', 'square', 'triangle-up', 'x', 'cross'];
