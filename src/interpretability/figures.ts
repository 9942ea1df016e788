/**
 * Notebook 08's figures and table (pure: measurements in, FigureSpec out). Ids `fig-interp-*` and
 * `tbl-interp-*` are also the notebook's cell labels; captions carry no numbers, so the cells'
 * fig-cap equal them whatever the results (test/interpretability-notebook.test.ts checks it).
 */
import { CLASS_NAMES } from '../data/classes';
import { IMAGE_SIZE, PIXELS } from '../data/types';
import { CLASS_COLORS } from '../eda/figures';
import type { FigureSpec } from '../figures/spec';
import { LEGEND_ABOVE_PLOT, TOP_MARGIN_WITH_LEGEND } from '../figures/spec';
import type { TableSpec } from '../figures/show';
import { MODEL_TITLES } from '../models/registry';
import type { Filters, FeatureMaps } from './features';
import type { SanityResult } from './randomisation';
import type { ProjectionSeparation } from './summary';
import { tileGrid, type Tile } from './tile-grid';

const image = (values: ArrayLike<number>): Tile => ({ values, height: IMAGE_SIZE, width: IMAGE_SIZE, kind: 'image' });
const map = (values: ArrayLike<number>, kind: Tile['kind'] = 'map'): Tile => ({ values: Array.from(values, Math.abs), height: IMAGE_SIZE, width: IMAGE_SIZE, kind });

/** The i-th image of an n × 784 array. */
/**
 * Image grids with labels placed by hand: in a column narrower than their design, the report's page
 * script scales them as a whole (report/responsive-figures.js), as it would a picture, instead of
 * re-flowing labels that only fit at the design size.
 */
const SCALE_WHOLE = { scaleWhole: true };

export function row(values: Float32Array, i: number): Float32Array {
  return values.subarray(i * PIXELS, (i + 1) * PIXELS);
}

/** CNN 3's first-layer kernels (3×3) above CNN 1's (4×4), each scaled by its own largest weight. */
export function filtersFigure(cnn3: Filters, cnn1: Filters, columns = 16): FigureSpec {
  const pad = (ks: Filters) => [...ks.kernels.map((k): Tile => ({ values: k, height: ks.size, width: ks.size, kind: 'signed' })), ...new Array<undefined>((columns - (ks.kernels.length % columns)) % columns).fill(undefined)];
  const tiles = [...pad(cnn3), ...pad(cnn1)];
  const rows3 = Math.ceil(cnn3.kernels.length / columns);
  const rows1 = Math.ceil(cnn1.kernels.length / columns);
  const labels = [...Array.from({ length: rows3 }, (_, i) => (i === 0 ? `${MODEL_TITLES.cnn3} (${cnn3.size}×${cnn3.size})` : '')), ...Array.from({ length: rows1 }, (_, i) => (i === 0 ? `${MODEL_TITLES.cnn1} (${cnn1.size}×${cnn1.size})` : ''))];
  const grid = tileGrid(tiles, { columns, cell: Math.max(cnn3.size, cnn1.size), gap: 1, rowLabels: labels });
  return {
    id: 'fig-interp-filters',
    caption: 'The first convolution layer\'s filters: the 32 kernels of CNN 3 (3×3, top) and of CNN 1 (4×4, bottom), each scaled by its own largest weight (red: positive, blue: negative).',
    alt: 'Two blocks of small red, white and blue squares: 32 three-by-three kernels above 32 four-by-four kernels.',
    ...grid,
    layout: { ...grid.layout, title: { text: 'First-layer filters' }, meta: SCALE_WHOLE, margin: { t: 50, l: 110, r: 10, b: 10 } },
    width: 800,
    height: 300,
  };
}

/** Per class, one test image and CNN 3's first-layer feature maps for the `channels` shown. */
export function featureMapsFigure(pixels: Float32Array, labels: readonly number[], maps: FeatureMaps, channels: readonly number[]): FigureSpec {
  const tiles: Array<Tile | undefined> = [];
  labels.forEach((_, i) => {
    tiles.push(image(row(pixels, i)));
    for (const k of channels) tiles.push({ values: maps.maps[i][k], height: maps.height, width: maps.width, kind: 'map' });
  });
  const grid = tileGrid(tiles, { columns: channels.length + 1, cell: IMAGE_SIZE, rowLabels: labels.map((l) => CLASS_NAMES[l]), columnTitles: ['image', ...channels.map((k) => `filter ${k + 1}`)] });
  return {
    id: 'fig-interp-feature-maps',
    caption: 'One test image per class and what CNN 3\'s first convolution makes of it: the feature maps (after the ReLU) of the eight filters most active on these images, each map scaled by its own maximum.',
    alt: 'A grid with one garment per row: the image on the left, then eight heat maps of the same size showing where each filter responds.',
    ...grid,
    layout: { ...grid.layout, meta: SCALE_WHOLE, title: { text: 'First-layer feature maps (CNN 3)' }, margin: { t: 50, l: 90, r: 10, b: 10 } },
    width: 620,
    height: 720,
  };
}

/** One image's three maps for its true class. */
export interface AttributionMaps {
  index: number;
  label: number;
  predicted: number;
  image: Float32Array;
  saliency: Float32Array;
  gradCam: Float32Array;
  occlusion: Float32Array;
}

export const ATTRIBUTION_COLUMNS = ['image', 'gradient', 'Grad-CAM', 'occlusion'];

/** Per class, a correctly classified and a misclassified test image with their gradient, Grad-CAM and occlusion maps. */
export function attributionFigure(rows: Array<{ correct?: AttributionMaps; wrong?: AttributionMaps }>): FigureSpec {
  const block = (a?: AttributionMaps): Array<Tile | undefined> => (a ? [image(a.image), map(a.saliency), map(a.gradCam), { values: a.occlusion, height: IMAGE_SIZE, width: IMAGE_SIZE, kind: 'signed' }] : [undefined, undefined, undefined, undefined]);
  const tiles = rows.flatMap((r) => [...block(r.correct), ...block(r.wrong)]);
  const cols = ATTRIBUTION_COLUMNS.length * 2;
  const grid = tileGrid(tiles, { columns: cols, cell: IMAGE_SIZE, rowLabels: rows.map((_, c) => CLASS_NAMES[c]), columnTitles: [...ATTRIBUTION_COLUMNS, ...ATTRIBUTION_COLUMNS], headroom: 20 });
  const step = IMAGE_SIZE + 2;
  const right = cols * step;
  // (annotations outside an axis's range are hidden, so the row notes on the right are placed on the paper)
  const annotations = [
    ...(grid.layout.annotations as unknown[]),
    { text: '<b>correctly classified</b>', x: (ATTRIBUTION_COLUMNS.length * step) / 2 - 1, y: -14, xref: 'x', yref: 'y', yanchor: 'bottom', showarrow: false, font: { size: 12 } },
    { text: '<b>misclassified</b>', x: right - (ATTRIBUTION_COLUMNS.length * step) / 2 - 1, y: -14, xref: 'x', yref: 'y', yanchor: 'bottom', showarrow: false, font: { size: 12 } },
    ...rows.flatMap((r, c) => (r.wrong ? [{ text: `as ${CLASS_NAMES[r.wrong.predicted]}`, x: 1, y: c * step + (IMAGE_SIZE - 1) / 2, xref: 'paper', yref: 'y', xanchor: 'left', xshift: 4, showarrow: false, font: { size: 11 } }] : [])),
  ];
  return {
    id: 'fig-interp-attribution',
    caption: 'Where CNN 3 looks, for the first correctly classified (left) and the first misclassified (right) test image of each class: the absolute gradient of the true class\'s score, Grad-CAM on the last convolution for the true class, and occlusion sensitivity (the drop in the true class\'s probability when a grey 6×6 patch hides each pixel; red: hiding it lowers the probability, blue: raises it). Each map is scaled by its own maximum; right of each row, the class the misclassified image was taken for.',
    alt: 'A grid of ten rows, one per class, each with two groups of four tiles: the garment, then three heat maps showing which of its pixels matter, for a correctly and for a wrongly classified image.',
    ...grid,
    layout: { ...grid.layout, annotations, title: { text: 'Gradient, Grad-CAM and occlusion maps (CNN 3)' }, meta: SCALE_WHOLE, margin: { t: 50, l: 90, r: 110, b: 10 } },
    width: 820,
    height: 860,
  };
}

export const METHOD_TITLES: Record<string, string> = { gradient: 'gradient', gradCam: 'Grad-CAM', occlusion: 'occlusion', gradientTimesInput: 'grad. × input (control)' };
const METHOD_COLOURS: Record<string, string> = { gradient: '#1f77b4', gradCam: '#2ca02c', occlusion: '#d62728', gradientTimesInput: '#7f7f7f' };

/** Mean rank correlation with the trained model's maps as layers are randomised from the top, one line per method, with its range over the images. */
export function sanityFigure(result: SanityResult): FigureSpec {
  const labels = result.steps.map((s) => (s.layer === 'trained' ? 'trained' : `+ ${s.layer}`));
  const methods = Object.keys(result.steps[0].correlation);
  // Each method's points shifted a little sideways, so the ranges over the images do not hide each other.
  const offset = (j: number) => (j - (methods.length - 1) / 2) * 0.07;
  return {
    id: 'fig-interp-sanity',
    caption: 'Sanity check by cascading randomisation (Adebayo et al., 2018): CNN 3\'s layers are re-initialised one after another from the output down, and each method\'s maps are compared with the trained model\'s by Spearman\'s rank correlation of their absolute values (mean over the images; bars: lowest and highest). A method passes when the correlation falls below the dotted line once every layer is random.',
    alt: 'Line chart with one line per method, starting at 1 for the trained model on the left, over the cumulative randomisation of the layers, with a dotted line at the pass threshold.',
    data: methods.map((m, j) => ({
      type: 'scatter',
      mode: 'lines+markers',
      name: METHOD_TITLES[m] ?? m,
      x: labels.map((_, i) => round(i + offset(j))),
      y: result.steps.map((s) => round(s.correlation[m].mean)),
      error_y: { type: 'data', symmetric: false, array: result.steps.map((s) => round(s.correlation[m].max - s.correlation[m].mean)), arrayminus: result.steps.map((s) => round(s.correlation[m].mean - s.correlation[m].min)), thickness: 1, width: 3 },
      line: { color: METHOD_COLOURS[m], dash: m === 'gradientTimesInput' ? 'dash' : 'solid' },
      marker: { color: METHOD_COLOURS[m] },
      hovertemplate: `${METHOD_TITLES[m] ?? m}: %{y:.3f}<extra></extra>`,
    })),
    layout: {
      title: { text: 'Randomised CNN 3 against the trained one' },
      xaxis: { title: { text: 'layers randomised (cumulative, from the output)' }, tickmode: 'array', tickvals: labels.map((_, i) => i), ticktext: labels, zeroline: false },
      yaxis: { title: { text: 'rank correlation with trained maps' }, range: [-0.2, 1.05] },
      shapes: [{ type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: result.threshold, y1: result.threshold, line: { dash: 'dot', color: '#555', width: 1 } }],
      legend: { ...LEGEND_ABOVE_PLOT },
      // Room for the legend in two rows under the title on a narrow page.
      margin: { t: TOP_MARGIN_WITH_LEGEND + 30, l: 70, r: 20, b: 70 },
    },
    width: 780,
    height: 480,
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** How a representation is named in figures and the table. */
export function representationTitle(r: ProjectionSeparation['representation']): string {
  return r === 'pixels' ? 'raw pixels' : `${MODEL_TITLES[r]} features`;
}
const methodTitle = (m: ProjectionSeparation['method']) => (m === 'pca' ? 'PCA' : 'UMAP');

/** A projection with its points, for the scatter grid. */
export interface ProjectionView {
  separation: ProjectionSeparation;
  points: number[][];
}

/**
 * A projection's points as integers on a 0–1000 grid, the same scale on both axes. The axes carry no
 * numbers (a projection's coordinates mean nothing by themselves), and small integers keep the
 * figure light in the notebook and the page.
 */
export function gridPoints(points: number[][]): number[][] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  const span = Math.max(Math.max(...xs) - x0, Math.max(...ys) - y0) || 1;
  return points.map(([x, y]) => [Math.round(((x - x0) / span) * 1000), Math.round(((y - y0) / span) * 1000)]);
}

/** PCA (top) and UMAP (bottom) of the raw pixels and of each model's penultimate layer, for one stratified test sample. */
export function projectionFigure(views: ProjectionView[], labels: ArrayLike<number>): FigureSpec {
  const reps = [...new Set(views.map((v) => v.separation.representation))];
  const methods = [...new Set(views.map((v) => v.separation.method))];
  const data: Array<Record<string, unknown>> = [];
  const layout: Record<string, unknown> = {};
  const annotations: unknown[] = [];
  // One row per representation, one column per projection: two narrow columns still read on a phone.
  const gapX = 0.06;
  const gapY = 0.11;
  const w = (1 - gapX * (methods.length - 1)) / methods.length;
  const h = (1 - gapY * (reps.length - 1)) / reps.length;
  views.forEach((v) => {
    const col = methods.indexOf(v.separation.method);
    const rowIdx = reps.indexOf(v.separation.representation);
    const n = col + rowIdx * methods.length + 1;
    const ax = n === 1 ? '' : String(n);
    const x0 = col * (w + gapX);
    const y1 = 1 - rowIdx * (h + gapY);
    layout[`xaxis${ax}`] = { domain: [x0, x0 + w], showticklabels: false, zeroline: false, showgrid: false };
    layout[`yaxis${ax}`] = { domain: [y1 - h, y1], showticklabels: false, zeroline: false, showgrid: false };
    annotations.push({
      text: `${v.separation.representation === 'pixels' ? 'pixels' : MODEL_TITLES[v.separation.representation]}, ${methodTitle(v.separation.method)}<br>k-NN ${(100 * v.separation.knnAccuracy).toFixed(1)}%<br>silh. ${v.separation.silhouette.toFixed(2)}`,
      x: x0 + w / 2,
      y: y1,
      xref: 'paper',
      yref: 'paper',
      yanchor: 'bottom',
      showarrow: false,
      font: { size: 11 },
    });
    const grid = gridPoints(v.points);
    CLASS_NAMES.forEach((name, k) => {
      const idx: number[] = [];
      for (let i = 0; i < grid.length; i++) if (labels[i] === k) idx.push(i);
      data.push({
        type: 'scattergl',
        mode: 'markers',
        name,
        legendgroup: name,
        showlegend: n === 1,
        x: idx.map((i) => grid[i][0]),
        y: idx.map((i) => grid[i][1]),
        xaxis: `x${ax}`,
        yaxis: `y${ax}`,
        marker: { color: CLASS_COLORS[k], size: 3, opacity: 0.7 },
        hovertemplate: `${name}<extra></extra>`,
      });
    });
  });
  return {
    id: 'fig-interp-projections',
    caption: `The same stratified sample of test images in two dimensions: PCA (left) and UMAP (right) of the raw pixels (top), of the ANN's penultimate dense layer (middle) and of CNN 3's (bottom), coloured by class. Above each panel, the share of points whose ten nearest neighbours in the panel vote for their own class (k-NN) and the mean silhouette (silh.).`,
    alt: 'Six scatter plots in three rows and two columns, points coloured by class, each panel titled with its k-NN accuracy and mean silhouette.',
    data,
    layout: { ...layout, annotations, title: { text: 'What the penultimate layer separates' }, meta: SCALE_WHOLE, legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: -0.02, yanchor: 'top', itemsizing: 'constant' }, margin: { t: 120, l: 10, r: 10, b: 80 } },
    width: 700,
    height: 980,
  };
}

/** The measures behind the projections figure, one row per projection, with the shirts' share. */
export function separationTable(seps: readonly ProjectionSeparation[]): TableSpec {
  const shirt = 6;
  return {
    id: 'tbl-interp-separation',
    caption: 'Separation of the classes in each two-dimensional projection of the same test sample: leave-one-out k-nearest-neighbour accuracy (k = 10) and mean silhouette, overall and for the shirts.',
    columns: ['Features', 'Projection', 'k-NN', 'Silhouette', 'Shirts: k-NN', 'Shirts: silh.'],
    rows: seps.map((s) => [s.representation === 'pixels' ? 'raw pixels' : MODEL_TITLES[s.representation], methodTitle(s.method), `${(100 * s.knnAccuracy).toFixed(1)}%`, s.silhouette.toFixed(2), `${(100 * s.knnRecall[shirt]).toFixed(1)}%`, s.silhouetteByClass[shirt].toFixed(2)]),
  };
}

/** The silhouette of every class (columns) in each projection (rows), as a heatmap with the values written in. */
export function silhouetteFigure(seps: readonly ProjectionSeparation[]): FigureSpec {
  const rowName = (s: ProjectionSeparation) => `${s.representation === 'pixels' ? 'pixels' : MODEL_TITLES[s.representation]}, ${methodTitle(s.method)}`;
  const z = seps.map((s) => s.silhouetteByClass.map((v) => Math.round(v * 100) / 100));
  return {
    id: 'fig-interp-silhouette',
    caption: 'Silhouette of each class (columns) in each projection of the test sample (rows): 1 is a tight cluster far from the others, 0 or below a class mixed with its neighbours or split into separate groups.',
    alt: 'A colour grid of six rows of projections by ten classes, each cell holding its silhouette value, blue for negative and red for positive.',
    data: [
      {
        type: 'heatmap',
        z,
        x: [...CLASS_NAMES],
        y: seps.map(rowName),
        zmin: -1,
        zmax: 1,
        colorscale: [
          [0, '#2166ac'],
          [0.5, '#ffffff'],
          [1, '#b2182b'],
        ],
        text: z.map((r) => r.map((v) => v.toFixed(2))),
        texttemplate: '%{text}',
        textfont: { size: 10 },
        showscale: false,
        hovertemplate: '%{y}, %{x}: %{z:.2f}<extra></extra>',
      },
    ],
    layout: {
      title: { text: 'Silhouette per class' },
      xaxis: { tickangle: -30, side: 'bottom' },
      yaxis: { autorange: 'reversed' },
      margin: { l: 110, r: 10, t: 50, b: 90 },
    },
    width: 800,
    height: 400,
  };
}

/** A group of images of the hardest pair: their mean image and mean Grad-CAM. */
export interface PairGroup {
  title: string;
  count: number;
  meanImage?: Float32Array;
  meanCam?: Float32Array;
}

/** An image the model hesitates on, with the two probabilities. */
export interface HesitantImage {
  image: Float32Array;
  label: number;
  predicted: number;
  top: number;
  second: number;
  secondClass: number;
}

/** Mean image and mean Grad-CAM per group (top row), and the least-sure images (bottom row). */
export function pairFigure(groups: readonly PairGroup[], hesitant: readonly HesitantImage[]): FigureSpec {
  const columns = Math.max(groups.length * 2, hesitant.length);
  const top: Array<Tile | undefined> = groups.flatMap((g) => [g.meanImage ? image(g.meanImage) : undefined, g.meanCam ? map(g.meanCam) : undefined]);
  const bottom: Array<Tile | undefined> = hesitant.map((h) => image(h.image));
  const tiles = [...top, ...new Array<undefined>(columns - top.length).fill(undefined), ...bottom];
  const grid = tileGrid(tiles, { columns, cell: IMAGE_SIZE, gap: 4, headroom: 12, footroom: 20 });
  const step = IMAGE_SIZE + 4;
  const short = (c: number) => (c === 0 ? 'T-shirt' : CLASS_NAMES[c]);
  const annotations = [
    ...groups.map((g, i) => ({ text: `${g.title}<br>(${g.count}): image, Grad-CAM`, x: i * 2 * step + step - 2.5, y: -1, xref: 'x', yref: 'y', yanchor: 'bottom', showarrow: false, font: { size: 10 } })),
    ...hesitant.map((h, i) => ({ text: `true ${short(h.label)}<br>${short(h.predicted)} ${h.top.toFixed(2)}<br>${short(h.secondClass)} ${h.second.toFixed(2)}`, x: i * step + (IMAGE_SIZE - 1) / 2, y: 2 * step - 1, xref: 'x', yref: 'y', yanchor: 'top', showarrow: false, font: { size: 10 } })),
  ];
  return {
    id: 'fig-interp-shirt-tshirt',
    caption: 'The hardest pair, T-shirt/top against shirt, for CNN 3. Top: the mean image and the mean Grad-CAM (for the predicted class) of correctly classified T-shirts/tops, of T-shirts/tops taken for shirts, of shirts taken for T-shirts/tops and of correctly classified shirts, with the number of images. Bottom: the test images whose two most probable classes are these two and closest in probability.',
    alt: 'Top row: four pairs of an averaged garment and an averaged heat map; bottom row: ambiguous tops with their true class and the two probabilities printed below each.',
    ...grid,
    layout: { ...grid.layout, annotations, title: { text: 'Shirt against T-shirt/top (CNN 3)' }, meta: SCALE_WHOLE, margin: { t: 50, l: 10, r: 10, b: 10 } },
    width: 820,
    height: 380,
  };
}
