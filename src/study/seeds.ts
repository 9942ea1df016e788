import { DEFAULT_SEED } from '../results/layout';

/**
 * The seed study's training seeds, in the one place they are listed: the committed run's seed
 * first (its weights are in git and the article's per-model figures show it), then four more.
 * `fmnist study --seeds N` takes the first N; beyond this list it continues 5, 6, 7, ...
 */
export const STUDY_SEEDS: readonly number[] = [DEFAULT_SEED, 1, 2, 3, 4];

/** The seed whose per-image test predictions McNemar's test compares (the committed run). */
export const COMMITTED_SEED = DEFAULT_SEED;

export function studySeeds(count: number = STUDY_SEEDS.length): number[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`the number of seeds must be a positive integer, got ${count}`);
  const seeds = STUDY_SEEDS.slice(0, count);
  for (let next = STUDY_SEEDS.length; seeds.length < count; next++) if (!seeds.includes(next)) seeds.push(next);
  return seeds;
}
