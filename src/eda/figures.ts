/**
 * EDA figures (pure: statistics in, FigureSpec out). Ids `fig-eda-*` are also the notebook cell labels.
 */
import { LEGEND_ABOVE_PLOT, TOP_MARGIN_WITH_LEGEND, type FigureSpec } from '../figures/spec';
import type { LabelledImages } from '../data/types';
import { CLASS_NAMES } from '../data/classes';
import { imageMosaic } from '../figures/image-mosaic';
import type { ClassDistribution } from './stats';
import { imageAt, sampleIndicesByClass } from './stats';

/** Ten distinguishable colours, one per class, shared by every per-class chart (plotly's D3 palette). */
export const CLASS_COLORS: readonly string[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
];

const fmt = (n: number) => n.toLocaleString('en-US');

/** Grouped bars: images per class in the training and test files. */
export function classDistributionBarFigure(dist: ClassDistribution): FigureSpec {
  const total = sum(dist.all);
  const balanced = dist.train.every((n) => n === dist.train[0]) && dist.test.every((n) => n === dist.test[0]);
  const spread = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  return {
    id: 'fig-eda-class-bar',
    caption:
      `Images per class in the training (${fmt(sum(dist.train))}) and test (${fmt(sum(dist.test))}) files` +
      (balanced ? ': every class has the same count.' : `: ${spread(dist.train)} training and ${spread(dist.test)} test images per class.`),
    alt: balanced
      ? `Grouped bar chart of the ten classes; each class has ${fmt(dist.train[0])} training and ${fmt(dist.test[0])} test images out of ${fmt(total)}.`
      : `Grouped bar chart of the ten classes with ${spread(dist.train)} training and ${spread(dist.test)} test images each.`,
    data: [
      { type: 'bar', name: 'training file', x: [...CLASS_NAMES], y: dist.train, marker: { color: '#4c72b0' }, hovertemplate: '%{x}: %{y:,} training images<extra></extra>' },
      { type: 'bar', name: 'test file', x: [...CLASS_NAMES], y: dist.test, marker: { color: '#dd8452' }, hovertemplate: '%{x}: %{y:,} test images<extra></extra>' },
    ],
    layout: {
      barmode: 'group',
      title: { text: 'Class distribution' },
      xaxis: { title: { text: 'class', standoff: 12 }, tickangle: -30, automargin: true },
      yaxis: { title: { text: 'images' }, separatethousands: true },
      legend: { ...LEGEND_ABOVE_PLOT },
      margin: { t: TOP_MARGIN_WITH_LEGEND, b: 90 },
    },
    width: 800,
    height: 450,
  };
}

/** Pie of the class shares over all images (the paper's pie chart). */
export function classDistributionPieFigure(dist: ClassDistribution): FigureSpec {
  const total = sum(dist.all);
  return {
    id: 'fig-eda-class-pie',
    caption: `Share of each class among all ${fmt(total)} images.`,
    alt: dist.all.every((n) => n === dist.all[0])
      ? `Pie chart with ten equal slices of ${((100 * dist.all[0]) / total).toFixed(1)}% each.`
      : `Pie chart with ten slices from ${((100 * Math.min(...dist.all)) / total).toFixed(1)}% to ${((100 * Math.max(...dist.all)) / total).toFixed(1)}%.`,
    data: [
      {
        type: 'pie',
        labels: [...CLASS_NAMES],
        values: dist.all,
        sort: false,
        direction: 'clockwise',
        marker: { colors: [...CLASS_COLORS], line: { color: 'white', width: 1 } },
        textinfo: 'label+percent',
        textposition: 'inside',
        hovertemplate: '%{label}: %{value:,} images (%{percent})<extra></extra>',
      },
    ],
    layout: { title: { text: 'Class shares' }, showlegend: false, margin: { t: 60, b: 20, l: 20, r: 20 } },
    width: 560,
    height: 520,
  };
}

/** `perClass` random images of every class (one row per class), picked with `seed`. */
export function sampleGridFigure(set: LabelledImages, perClass: number, seed: number): FigureSpec {
  const picks = sampleIndicesByClass(set, perClass, seed);
  const columns = Math.max(1, ...picks.map((p) => p.length));
  const tiles: Uint8Array[] = [];
  for (const row of picks) {
    for (let c = 0; c < columns; c++) tiles.push(c < row.length ? imageAt(set, row[c]) : new Uint8Array(784));
  }
  const mosaic = imageMosaic(tiles, { columns, rowLabels: [...CLASS_NAMES] });
  return {
    id: 'fig-eda-samples',
    caption: `${perClass} randomly chosen images of each class (seed ${seed}), drawn as the dataset stores them: brighter means higher pixel intensity, on a black background.`,
    alt: `A grid of small greyscale clothing images, one row per class from T-shirt/top to Ankle boot, ${perClass} per row.`,
    ...mosaic,
    layout: { ...mosaic.layout, title: { text: 'Sample images per class' }, margin: { t: 50, l: 100, r: 10, b: 10 } },
    width: 130 + columns * 58,
    height: 80 + 10 * 58,
  };
}

/** The average image of each class (intensities 0–255). */
export function meanImagesFigure(means: ArrayLike<number>[]): FigureSpec {
  const mosaic = imageMosaic(means, { columns: 5, tileTitles: [...CLASS_NAMES], gap: 6, valueName: 'mean intensity' });
  return {
    id: 'fig-eda-mean-images',
    caption: 'Mean image of each class: the pixel-wise average over all its images.',
    alt: 'Ten blurred average silhouettes, one per class, in two rows of five.',
    ...mosaic,
    layout: { ...mosaic.layout, title: { text: 'Mean image per class' }, margin: { t: 70, l: 10, r: 10, b: 10 } },
    width: 760,
    height: 400,
  };
}

/** Pixel-intensity histogram over all pixels of all images (log scale: background zeros dominate). */
export function intensityHistogramFigure(histogram: number[]): FigureSpec {
  const total = sum(histogram);
  const zeroShare = total === 0 ? 0 : histogram[0] / total;
  return {
    id: 'fig-eda-intensity-histogram',
    caption: `Distribution of the ${fmt(total)} pixel intensities (log scale); ${(100 * zeroShare).toFixed(1)}% of pixels are background (0).`,
    alt: `Histogram of pixel intensities from 0 to 255 on a logarithmic axis, with a tall bar at 0 holding ${(100 * zeroShare).toFixed(1)}% of the pixels.`,
    data: [
      {
        type: 'bar',
        x: histogram.map((_, v) => v),
        y: histogram,
        marker: { color: '#4c72b0', line: { width: 0 } },
        hovertemplate: 'intensity %{x}: %{y:,} pixels<extra></extra>',
      },
    ],
    layout: {
      title: { text: 'Pixel intensities' },
      bargap: 0,
      xaxis: { title: { text: 'pixel intensity (0 = background, 255 = brightest)' }, range: [-1, 256] },
      yaxis: { title: { text: 'pixels' }, type: 'log', dtick: 1, exponentformat: 'power' },
    },
    width: 800,
    height: 420,
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
