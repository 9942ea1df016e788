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

/** Layout of a grouped bar chart over the ten classes with scores in [0, 1], legend on top (per-class and cross-model F1 charts). */
export function classScoreBarsLayout(title: string, yTitle: string): Record<string, unknown> {
  return {
    title: { text: title },
    barmode: 'group',
    xaxis: { title: { text: 'class' }, tickangle: -30 },
    yaxis: { title: { text: yTitle }, range: [0, 1] },
    legend: { ...LEGEND_ABOVE_PLOT },
    margin: { l: 60, r: 20, t: TOP_MARGIN_WITH_LEGEND, b: 90 },
  };
}
