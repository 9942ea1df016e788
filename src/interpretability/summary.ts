/**
 * What notebook 08 measured, saved as results/interpretability/<protocol>.json (other profiles:
 * results/<profile>/interpretability/<protocol>.json) so the article's sentences are generated from
 * it (src/report/interpretability-variables.ts) without recomputing anything. It names the cache keys
 * of the runs it explains, so a retrained model makes it stale rather than silently wrong.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SplitProtocol } from '../data/types';
import type { ProfileName } from '../training/profiles';
import { resultsDir } from '../util/paths';
import { writeJsonAtomic } from '../util/atomic';
import type { SanityResult } from './randomisation';
import type { Separation } from './separation';

export const INTERPRETABILITY_FORMAT = 'fmnist-interpretability-1';

/** One two-dimensional view of one representation of the same test sample. */
export interface ProjectionSeparation extends Separation {
  /** 'pixels' (the raw images), or the model whose penultimate layer it is. */
  representation: 'pixels' | 'ann' | 'cnn3';
  method: 'pca' | 'umap';
}

export interface InterpretabilitySummary {
  format: typeof INTERPRETABILITY_FORMAT;
  profile: ProfileName;
  protocol: SplitProtocol;
  seed: number;
  /** The runs explained: their folders (as printed) and cache keys. */
  models: Record<string, { dir: string; cacheKey: string }>;
  /** Test images in the split. */
  testImages: number;
  /** CNN 3's saliency methods under cascading randomisation. */
  sanity: SanityResult;
  /** The stratified test sample every projection shows. */
  sample: { perClass: number; count: number; seed: number };
  separation: ProjectionSeparation[];
  /** CNN 3 on the hardest pair: how often each is taken for the other. */
  pair: { classes: [number, number]; firstAsSecond: number; secondAsFirst: number; leastSureCount: number };
}

export function interpretabilitySummaryPath(profile: ProfileName, protocol: SplitProtocol, root: string = resultsDir()): string {
  return path.join(root, ...(profile === 'paper' ? [] : [profile]), 'interpretability', `${protocol}.json`);
}

export async function writeInterpretabilitySummary(summary: InterpretabilitySummary, root?: string): Promise<string> {
  const file = interpretabilitySummaryPath(summary.profile, summary.protocol, root);
  await writeJsonAtomic(file, summary);
  return file;
}

/** The saved summary, or undefined when notebook 08 has not run; throws on a file of another format. */
export function readInterpretabilitySummary(file: string): InterpretabilitySummary | undefined {
  if (!fs.existsSync(file)) return undefined;
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as InterpretabilitySummary;
  if (s.format !== INTERPRETABILITY_FORMAT) throw new Error(`${file}: format ${JSON.stringify(s.format)}, expected ${INTERPRETABILITY_FORMAT}; re-execute notebook 08 (node bin/fmnist.js main --only 08)`);
  return s;
}
