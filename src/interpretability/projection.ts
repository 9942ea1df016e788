/**
 * Two-dimensional views of a representation: PCA (ml-pca, as for the raw pixels in notebook 02) and
 * UMAP (umap-js, McInnes et al., 2018), whose every random draw comes from a seeded generator, so the
 * same seed gives the same picture.
 */
import { PCA } from 'ml-pca';
import seedrandom from 'seedrandom';
import { UMAP } from 'umap-js';

/** Rows of an n × d Float32Array as arrays (what both packages take). */
export function toRows(values: Float32Array, d: number): number[][] {
  return Array.from({ length: values.length / d }, (_, i) => Array.from(values.subarray(i * d, (i + 1) * d)));
}

/** The first two principal components of `rows` (centred, not scaled). */
export function pcaProjection(rows: number[][]): number[][] {
  const pca = new PCA(rows, { center: true, scale: false });
  return pca.predict(rows, { nComponents: 2 }).to2DArray();
}

export interface UmapOptions {
  /** Neighbours in the graph (umap-js default 15). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0.1). */
  minDist?: number;
  /** Optimisation epochs (default: umap-js's choice for the data size). */
  nEpochs?: number;
}

/** UMAP into two dimensions with a seeded random stream (seedrandom's alea). */
export function umapProjection(rows: number[][], seed: number, opts: UmapOptions = {}): number[][] {
  const random = seedrandom.alea(`umap-${seed}`);
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(opts.nNeighbors ?? 15, rows.length - 1), minDist: opts.minDist ?? 0.1, ...(opts.nEpochs ? { nEpochs: opts.nEpochs } : {}), random });
  return umap.fit(rows);
}
