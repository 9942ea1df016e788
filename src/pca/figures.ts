/**
 * PCA figures (pure: fit/projection in, FigureSpec out). Ids `fig-pca-*` are also notebook cell labels.
 */
import { LEGEND_ABOVE_PLOT, TOP_MARGIN_WITH_LEGEND, type FigureSpec } from '../figures/spec';
import { CLASS_NAMES } from '../data/classes';
import { CLASS_COLORS } from '../eda/figures';
import { componentsFor } from './fit';
import { imageMosaic } from '../figures/image-mosaic';

/** The explained-variance chart shows this many components (more if 95% needs more): the rest are a flat tail. */
export const VARIANCE_CHART_COMPONENTS = 200;

/** How many components the explained-variance chart shows: `shown`, or 10 past the 95% mark if that is further. */
export function varianceChartComponents(cumulative: readonly number[], shown = VARIANCE_CHART_COMPONENTS): number {
  return Math.min(cumulative.length, Math.max(shown, componentsFor(cumulative, 0.95) + 10));
}

/**
 * Explained variance of each of the first `shown` components (bars) and the cumulative share (line,
 * right axis), with the numbers of components needed for 90% and 95% of the variance marked.
 */
export function explainedVarianceFigure(explained: readonly number[], cumulative: readonly number[], shown = VARIANCE_CHART_COMPONENTS): FigureSpec {
  const k90 = componentsFor(cumulative, 0.9);
  const k95 = componentsFor(cumulative, 0.95);
  const n = varianceChartComponents(cumulative, shown);
  const x = Array.from({ length: n }, (_, i) => i + 1);
  // Named in the legend, not beside the point: a label there ran into the right axis's ticks (issue 22).
  const marker = (k: number, share: number, symbol: string) => ({
    type: 'scatter',
    mode: 'markers',
    name: `${k} components: ${Math.round(share * 100)}%`,
    x: [k],
    y: [cumulative[k - 1]],
    yaxis: 'y2',
    marker: { size: 11, color: '#c44e52', symbol },
    hovertemplate: `${k} components explain %{y:.2%}<extra></extra>`,
  });
  return {
    id: 'fig-pca-explained-variance',
    caption: `Variance explained by each principal component (bars) and cumulatively (line): ${k90} components reach 90% and ${k95} reach 95% of the variance.`,
    alt: `Bars falling steeply over the first components and a cumulative curve rising past 90% at ${k90} and 95% at ${k95} components.`,
    data: [
      { type: 'bar', name: 'per component', x, y: explained.slice(0, n), marker: { color: '#4c72b0' }, hovertemplate: 'component %{x}: %{y:.2%}<extra></extra>' },
      { type: 'scatter', mode: 'lines', name: 'cumulative', x, y: cumulative.slice(0, n), yaxis: 'y2', line: { color: '#dd8452', width: 2 }, hovertemplate: '%{x} components: %{y:.2%}<extra></extra>' },
      marker(k90, 0.9, 'circle'),
      marker(k95, 0.95, 'diamond'),
    ],
    layout: {
      title: { text: 'Explained variance' },
      xaxis: { title: { text: `principal component (the first ${n} of ${explained.length})` }, range: [0, n + 1] },
      yaxis: { title: { text: 'share of variance (per component)' }, tickformat: '.0%', rangemode: 'tozero' },
      yaxis2: { title: { text: 'cumulative share' }, overlaying: 'y', side: 'right', range: [0, 1.02], dtick: 0.1, tickformat: '.0%', showgrid: false },
      shapes: [0.9, 0.95].map((y) => ({ type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y2', y0: y, y1: y, line: { dash: 'dot', color: '#999', width: 1 } })),
      legend: { ...LEGEND_ABOVE_PLOT },
      margin: { t: TOP_MARGIN_WITH_LEGEND, r: 70 },
    },
    width: 820,
    height: 460,
  };
}

/** One trace per class, so the legend toggles classes. `points[i]` = [pc1, pc2, (pc3)] of image i. */
function tracesByClass(points: number[][], labels: ArrayLike<number>, dims: 2 | 3): Array<Record<string, unknown>> {
  return CLASS_NAMES.map((name, k) => {
    const idx: number[] = [];
    for (let i = 0; i < points.length; i++) if (labels[i] === k) idx.push(i);
    const round = (v: number) => Math.round(v * 1000) / 1000; // keeps the notebook JSON small
    const trace: Record<string, unknown> = {
      type: dims === 2 ? 'scattergl' : 'scatter3d',
      mode: 'markers',
      name,
      x: idx.map((i) => round(points[i][0])),
      y: idx.map((i) => round(points[i][1])),
      marker: { color: CLASS_COLORS[k], size: dims === 2 ? 4 : 2.5, opacity: 0.7 },
      hovertemplate: `${name}<extra></extra>`,
    };
    if (dims === 3) trace.z = idx.map((i) => round(points[i][2]));
    return trace;
  });
}

/** The images projected onto the first two components, coloured by class. */
export function pcaScatter2dFigure(points: number[][], labels: ArrayLike<number>, sampleNote: string): FigureSpec {
  return {
    id: 'fig-pca-2d',
    caption: `Images projected onto the first two principal components, coloured by class (${sampleNote}).`,
    alt: 'Scatter plot of points in ten colours; footwear, trousers and bags form separate regions while tops overlap.',
    data: tracesByClass(points, labels, 2),
    layout: {
      title: { text: 'PCA projection (2-D)' },
      xaxis: { title: { text: 'PC 1' }, zeroline: false },
      yaxis: { title: { text: 'PC 2' }, zeroline: false },
      legend: { itemsizing: 'constant' },
    },
    width: 820,
    height: 600,
  };
}

/** The images projected onto the first three components (interactive 3-D, WebGL). */
export function pcaScatter3dFigure(points: number[][], labels: ArrayLike<number>, sampleNote: string): FigureSpec {
  return {
    id: 'fig-pca-3d',
    caption: `Images projected onto the first three principal components, coloured by class (${sampleNote}); drag to rotate.`,
    alt: 'Three-dimensional scatter of points in ten colours grouped into overlapping clouds by class.',
    data: tracesByClass(points, labels, 3),
    layout: {
      title: { text: 'PCA projection (3-D)' },
      scene: {
        xaxis: { title: { text: 'PC 1' } },
        yaxis: { title: { text: 'PC 2' } },
        zaxis: { title: { text: 'PC 3' } },
        camera: { eye: { x: 1.75, y: 1.75, z: 1.0 } },
      },
      legend: { itemsizing: 'constant' },
      margin: { l: 0, r: 0, t: 50, b: 0 },
    },
    width: 820,
    height: 650,
  };
}

/**
 * The first `count` principal components drawn as 28×28 images (the "eigen-garments"): which pixel
 * patterns each component weighs. Diverging colours: red positive, blue negative weights.
 */
export function principalComponentsFigure(fit: { pca: { getEigenvectors(): { getColumn(i: number): number[] } } ; explained: readonly number[] }, count = 10): FigureSpec {
  const vectors = Array.from({ length: count }, (_, i) => fit.pca.getEigenvectors().getColumn(i));
  const limit = Math.max(...vectors.map((v) => Math.max(...v.map(Math.abs))));
  const mosaic = imageMosaic(vectors, {
    columns: 5,
    gap: 6,
    zmin: -limit,
    zmax: limit,
    valueName: 'weight',
    tileTitles: vectors.map((_, i) => `PC ${i + 1} (${(100 * fit.explained[i]).toFixed(1)}%)`),
  });
  // white at zero weight, so only the pixels a component uses are coloured
  (mosaic.data[0] as Record<string, unknown>).colorscale = [
    [0, '#2166ac'],
    [0.5, '#ffffff'],
    [1, '#b2182b'],
  ];
  return {
    id: 'fig-pca-components',
    caption: `The first ${count} principal components as images, with the share of variance each explains (red: positive weight, blue: negative).`,
    alt: `Ten 28×28 weight maps in two rows; the first ones look like blurred garment outlines with opposite-signed regions.`,
    ...mosaic,
    layout: { ...mosaic.layout, title: { text: 'Principal components as images' }, margin: { t: 70, l: 10, r: 10, b: 10 } },
    width: 760,
    height: 400,
  };
}
