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

/** Layout of a grouped bar chart over the ten classes with scores in [0, 1], legend on top (per-class and cross-model F1 charts). */
export function classScoreBarsLayout(title: string, yTitle: string): Record<string, unknown> {
  return {
    title: { text: title },
    barmode: 'group',
    xaxis: { title: { text: 'class' }, tickangle: -30 },
    yaxis: { title: { text: yTitle }, range: [0, 1] },
    legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: 1.08 },
    margin: { l: 60, r: 20, t: 80, b: 90 },
  };
}
