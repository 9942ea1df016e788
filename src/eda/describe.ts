/**
 * Pixel statistics tables with danfo.js (danfojs-node): `describe()` of per-image features over the whole
 * set, and the per-class means via `groupby()`. Returned as TableSpecs for showTable().
 */
import type * as Danfo from 'danfojs-node';
import type { LabelledImages } from '../data/types';
import { CLASS_NAMES } from '../data/classes';
import type { TableSpec } from '../figures/show';
import { imageFeatures } from './stats';

/** danfo.js, loaded on first use: it takes a second to load and only the EDA notebook needs it. */
function danfo(): typeof Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('danfojs-node') as typeof Danfo;
}

const FEATURE_LABELS: Record<string, string> = {
  meanIntensity: 'mean intensity',
  stdIntensity: 'intensity std',
  inkFraction: 'ink fraction',
  maxIntensity: 'max intensity',
};

/** A danfo DataFrame with one row per image: the features of imageFeatures() plus the label. */
export function featureFrame(set: LabelledImages): Danfo.DataFrame {
  const f = imageFeatures(set);
  return new (danfo().DataFrame)({
    meanIntensity: Array.from(f.meanIntensity),
    stdIntensity: Array.from(f.stdIntensity),
    inkFraction: Array.from(f.inkFraction),
    maxIntensity: Array.from(f.maxIntensity),
    label: Array.from(set.labels.subarray(0, set.count)),
  });
}

/** danfo's describe() of the per-image features (count, mean, std, min, median, max, variance). */
export function pixelStatisticsTable(set: LabelledImages): TableSpec {
  const frame = featureFrame(set);
  const described = frame.loc({ columns: Object.keys(FEATURE_LABELS) }).describe() as Danfo.DataFrame;
  const stats = described.index as string[];
  const values = described.values as number[][];
  return {
    id: 'tbl-eda-pixel-stats',
    caption: `Per-image pixel statistics over ${set.count.toLocaleString('en-US')} images (intensities scaled to [0, 1]; ink fraction = share of non-zero pixels), summarised with danfo.js describe().`,
    columns: ['statistic', ...Object.values(FEATURE_LABELS)],
    rows: stats.map((s, i) => [s, ...values[i]]),
    digits: 4,
  };
}

/** Mean of each per-image feature within each class (danfo groupby on the label). */
export function classStatisticsTable(set: LabelledImages): TableSpec {
  const grouped = featureFrame(set).groupby(['label']).mean() as Danfo.DataFrame;
  const columns = grouped.columns as string[];
  const rows = (grouped.values as number[][]).slice().sort((a, b) => a[columns.indexOf('label')] - b[columns.indexOf('label')]);
  const order = Object.keys(FEATURE_LABELS).map((k) => columns.indexOf(`${k}_mean`));
  if (order.some((i) => i < 0)) throw new Error(`danfo groupby returned unexpected columns: ${columns.join(', ')}`);
  return {
    id: 'tbl-eda-class-stats',
    caption: 'Mean per-image statistics by class (danfo.js groupby): how bright and how large the items of each class are.',
    columns: ['class', ...Object.values(FEATURE_LABELS)],
    rows: rows.map((r) => [CLASS_NAMES[r[columns.indexOf('label')]], ...order.map((i) => r[i])]),
    digits: 4,
  };
}
