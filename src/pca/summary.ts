import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../util/atomic';
import { displayPath, resultsDir } from '../util/paths';
import { componentsFor, cumulativeSum, type PcaFit } from './fit';
import { varianceChartComponents } from './figures';
import type { NotebookProfile } from '../notebook/context';

/**
 * The PCA's key numbers, saved by notebook 02 so that the article quotes them from a result file
 * (results/pca/summary.json for the committed profile, results/<profile>/pca/ for any other, so a
 * smoke run never overwrites it).
 */
export const PCA_SUMMARY_FORMAT = 'fmnist-pca-1';

export interface PcaSummary {
  format: typeof PCA_SUMMARY_FORMAT;
  profile: NotebookProfile;
  /** Images the PCA was fitted on. */
  images: number;
  pixels: number;
  /** Components needed for 90% and 95% of the variance. */
  components90: number;
  components95: number;
  /** Share of the variance explained by each component, largest first. */
  explained: number[];
  dataChecksums: Record<string, string>;
}

export function pcaSummaryPath(profile: NotebookProfile, root: string = resultsDir()): string {
  return path.join(root, ...(profile === 'paper' ? [] : [profile]), 'pca', 'summary.json');
}

export function pcaSummary(fit: PcaFit, profile: NotebookProfile, dataChecksums: Record<string, string>): PcaSummary {
  return {
    format: PCA_SUMMARY_FORMAT,
    profile,
    images: fit.count,
    pixels: fit.explained.length,
    components90: componentsFor(fit.cumulative, 0.9),
    components95: componentsFor(fit.cumulative, 0.95),
    explained: fit.explained,
    dataChecksums,
  };
}

/** Writes the summary atomically and returns its path. */
export async function savePcaSummary(fit: PcaFit, profile: NotebookProfile, dataChecksums: Record<string, string>, root?: string): Promise<string> {
  const file = pcaSummaryPath(profile, root);
  await writeJsonAtomic(file, pcaSummary(fit, profile, dataChecksums));
  return file;
}

/** Reads and checks a saved summary; the error names the file and the notebook that writes it. */
export function readPcaSummary(file: string): PcaSummary {
  const fix = 'run notebook 02-pca (`node bin/fmnist.js main --no-study --only 02`) to write it';
  if (!fs.existsSync(file)) throw new Error(`${displayPath(file)} is missing: ${fix}`);
  let s: PcaSummary;
  try {
    s = JSON.parse(fs.readFileSync(file, 'utf8')) as PcaSummary;
  } catch (err) {
    throw new Error(`${displayPath(file)} is not valid JSON (${(err as Error).message}): delete it and ${fix}`);
  }
  const sum = Array.isArray(s.explained) ? s.explained.reduce((a, b) => a + b, 0) : NaN;
  if (s.format !== PCA_SUMMARY_FORMAT || !(Math.abs(sum - 1) < 1e-6) || !Number.isInteger(s.components90) || !Number.isInteger(s.components95)) {
    throw new Error(`${displayPath(file)} is not a PCA summary in format ${PCA_SUMMARY_FORMAT}: delete it and ${fix}`);
  }
  // The counts must follow from the saved variances, or the file was edited.
  const cumulative = cumulativeSum(s.explained);
  if (componentsFor(cumulative, 0.9) !== s.components90 || componentsFor(cumulative, 0.95) !== s.components95) {
    throw new Error(`${displayPath(file)}: its component counts do not follow from its explained variances: delete it and ${fix}`);
  }
  return s;
}

/** `pca.*` in _variables.yml. */
export function pcaVariables(s: PcaSummary): Record<string, string> {
  const cumulative = cumulativeSum(s.explained);
  const shown = varianceChartComponents(cumulative);
  return {
    chart_components: String(shown),
    chart_percent: (100 * cumulative[shown - 1]).toFixed(1),
    images: s.images.toLocaleString('en-US'),
    pixels: String(s.pixels),
    components_90: String(s.components90),
    components_95: String(s.components95),
    first_two_percent: (100 * (s.explained[0] + s.explained[1])).toFixed(1),
    first_component_percent: (100 * s.explained[0]).toFixed(1),
  };
}
