/**
 * Small images of any size (filters, feature maps, attribution maps) on a grid, every pixel square
 * (the project's image mosaics, src/figures/image-mosaic.ts, hold 28×28 tiles only).
 */

/** How a tile is coloured: an image (black → white, as the other mosaics), a non-negative map, or a signed one. */
export type TileKind = 'image' | 'map' | 'signed';

export interface Tile {
  values: ArrayLike<number>;
  height: number;
  width: number;
  kind: TileKind;
}

const COLOURSCALES: Record<TileKind, Array<[number, string]>> = {
  // As the dataset stores them (and the other mosaics draw them): a light garment on black.
  image: [
    [0, '#000000'],
    [1, '#ffffff'],
  ],
  map: [
    [0, '#ffffff'],
    [0.35, '#fdae61'],
    [0.7, '#d7301f'],
    [1, '#67000d'],
  ],
  signed: [
    [0, '#2166ac'],
    [0.5, '#ffffff'],
    [1, '#b2182b'],
  ],
};

/** A tile's values scaled for display: images to [0, 1] by 255 when raw, maps by their largest absolute value (a flat map stays 0). */
export function normaliseTile(tile: Tile): number[] {
  const v = Array.from(tile.values);
  if (tile.kind === 'image') {
    const raw = v.some((x) => x > 1);
    return v.map((x) => (raw ? x / 255 : x));
  }
  const m = Math.max(...v.map(Math.abs));
  return v.map((x) => (m > 0 ? x / m : 0));
}

export interface TileGridOptions {
  columns: number;
  /** Side of a grid cell in pixels (at least the largest tile); tiles are centred in it. */
  cell: number;
  gap?: number;
  /** Label of each row of cells (left axis). */
  rowLabels?: string[];
  /** Title above each column. */
  columnTitles?: string[];
  /** Extra room above and below the grid, in pixels of the grid (annotations outside the axes' range are hidden). Default: 8 above with column titles, else 0. */
  headroom?: number;
  footroom?: number;
}

/** Centre of cell i along an axis. */
export function cellCentre(i: number, cell: number, gap: number): number {
  return i * (cell + gap) + (cell - 1) / 2;
}

/**
 * One small heatmap trace per tile, placed by x0/y0 (so no gap is stored, and the notebook stays light),
 * and the axes/annotations of the grid; `undefined` leaves its cell empty.
 */
export function tileGrid(tiles: Array<Tile | undefined>, opts: TileGridOptions): { data: Array<Record<string, unknown>>; layout: Record<string, unknown>; rows: number } {
  const gap = opts.gap ?? 2;
  const rows = Math.ceil(tiles.length / opts.columns);
  const step = opts.cell + gap;
  const height = rows * step - gap;
  const width = opts.columns * step - gap;
  const data: Array<Record<string, unknown>> = [];
  tiles.forEach((tile, t) => {
    if (!tile) return;
    if (tile.height > opts.cell || tile.width > opts.cell) throw new Error(`tile ${t} (${tile.height}×${tile.width}) is larger than the grid cell (${opts.cell})`);
    const values = normaliseTile(tile);
    // Whole percentages of the tile's scale: small integers, which the notebook and the page store as one byte each.
    const z = Array.from({ length: tile.height }, (_, r) => values.slice(r * tile.width, (r + 1) * tile.width).map((v) => Math.round(v * 100)));
    data.push({
      type: 'heatmap',
      z,
      x0: (t % opts.columns) * step + Math.floor((opts.cell - tile.width) / 2),
      y0: Math.floor(t / opts.columns) * step + Math.floor((opts.cell - tile.height) / 2),
      dx: 1,
      dy: 1,
      zmin: tile.kind === 'signed' ? -100 : 0,
      zmax: 100,
      colorscale: COLOURSCALES[tile.kind],
      showscale: false,
      hovertemplate: tile.kind === 'image' ? 'intensity %{z}%<extra></extra>' : 'relative value %{z}%<extra></extra>',
    });
  });
  const headroom = opts.headroom ?? (opts.columnTitles ? 8 : 0);
  const yaxis: Record<string, unknown> = { range: [height - 0.5 + (opts.footroom ?? 0), -0.5 - headroom], scaleanchor: 'x', showgrid: false, zeroline: false, ticks: '', showticklabels: false };
  if (opts.rowLabels) Object.assign(yaxis, { showticklabels: true, tickmode: 'array', tickvals: opts.rowLabels.map((_, i) => cellCentre(i, opts.cell, gap)), ticktext: opts.rowLabels });
  const annotations = (opts.columnTitles ?? []).map((title, i) => ({
    text: title,
    x: cellCentre(i, opts.cell, gap),
    y: -1,
    xref: 'x',
    yref: 'y',
    yanchor: 'bottom',
    showarrow: false,
    font: { size: 11 },
  }));
  return {
    data,
    layout: {
      xaxis: { showgrid: false, zeroline: false, showticklabels: false, ticks: '', constrain: 'domain', range: [-0.5, width - 0.5] },
      yaxis,
      annotations,
      plot_bgcolor: 'white',
    },
    rows,
  };
}
