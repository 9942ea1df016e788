/**
 * Many 28×28 images as ONE plotly heatmap (a mosaic with thin gaps), which is far lighter than one
 * subplot per image and keeps every pixel square. Used for sample grids and per-class mean images.
 */
import { IMAGE_SIZE } from '../data/types';

export interface MosaicOptions {
  /** Tiles per row. */
  columns: number;
  /** Label for each row of tiles, shown on the y axis (e.g. class names). */
  rowLabels?: string[];
  /** Label above each tile (e.g. class names for mean images), in tile order. */
  tileTitles?: string[];
  /** Intensity range mapped to black → white, as the dataset stores it: a light garment on a dark background (default 0–255). */
  zmin?: number;
  zmax?: number;
  /** Blank pixels between tiles (default 2). */
  gap?: number;
  /** Pixel value name in the hover text (default 'intensity'). */
  valueName?: string;
}

/** The mosaic's z matrix (rows top to bottom; null in the gaps) and where each tile sits. */
export function mosaicMatrix(tiles: ArrayLike<number>[], columns: number, gap = 2): { z: Array<Array<number | null>>; rows: number } {
  if (columns < 1) throw new Error(`mosaic columns must be at least 1, got ${columns}`);
  const rows = Math.ceil(tiles.length / columns);
  const height = rows * IMAGE_SIZE + (rows - 1) * gap;
  const width = columns * IMAGE_SIZE + (columns - 1) * gap;
  const z: Array<Array<number | null>> = Array.from({ length: height }, () => new Array<number | null>(width).fill(null));
  tiles.forEach((tile, t) => {
    if (tile.length !== IMAGE_SIZE * IMAGE_SIZE) throw new Error(`mosaic tile ${t} has ${tile.length} pixels, expected ${IMAGE_SIZE * IMAGE_SIZE}`);
    const top = Math.floor(t / columns) * (IMAGE_SIZE + gap);
    const left = (t % columns) * (IMAGE_SIZE + gap);
    for (let r = 0; r < IMAGE_SIZE; r++) {
      const row = z[top + r];
      for (let c = 0; c < IMAGE_SIZE; c++) row[left + c] = Math.round(tile[r * IMAGE_SIZE + c] * 100) / 100;
    }
  });
  return { z, rows };
}

/** Heatmap trace plus the layout pieces (axes, labels) that display a mosaic of images. */
export function imageMosaic(tiles: ArrayLike<number>[], opts: MosaicOptions): { data: Array<Record<string, unknown>>; layout: Record<string, unknown> } {
  const gap = opts.gap ?? 2;
  const { z, rows } = mosaicMatrix(tiles, opts.columns, gap);
  const step = IMAGE_SIZE + gap;
  const centre = (i: number) => i * step + (IMAGE_SIZE - 1) / 2;
  const yaxis: Record<string, unknown> = { autorange: 'reversed', scaleanchor: 'x', showgrid: false, zeroline: false, ticks: '', showticklabels: false };
  if (opts.rowLabels) {
    Object.assign(yaxis, { showticklabels: true, tickmode: 'array', tickvals: opts.rowLabels.map((_, i) => centre(i)), ticktext: opts.rowLabels });
  }
  const annotations = (opts.tileTitles ?? []).map((text, t) => ({
    text,
    x: centre(t % opts.columns),
    y: Math.floor(t / opts.columns) * step - 1,
    xref: 'x',
    yref: 'y',
    yanchor: 'bottom',
    showarrow: false,
    font: { size: 12 },
  }));
  return {
    data: [
      {
        type: 'heatmap',
        z,
        zmin: opts.zmin ?? 0,
        zmax: opts.zmax ?? 255,
        // As stored: 0 (background) black, 255 white.
        colorscale: [
          [0, 'rgb(0,0,0)'],
          [1, 'rgb(255,255,255)'],
        ],
        showscale: false,
        hoverongaps: false,
        hovertemplate: `${opts.valueName ?? 'intensity'} %{z}<extra></extra>`,
      },
    ],
    layout: {
      xaxis: { showgrid: false, zeroline: false, showticklabels: false, ticks: '', constrain: 'domain' },
      yaxis,
      annotations,
      plot_bgcolor: 'white',
      // rows of tiles: room for titles above each row when tiles are titled. `mosaic` lets the report
      // re-tile titled mosaics into fewer columns on a narrow screen (report/responsive-figures.js).
      meta: { mosaicRows: rows, mosaic: { columns: opts.columns, gap, tile: IMAGE_SIZE, count: tiles.length, titled: (opts.tileTitles ?? []).length > 0 } },
    },
  };
}
