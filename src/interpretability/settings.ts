/**
 * How much of the test set notebook 08 analyses, per profile. The full run keeps each step to
 * seconds or tens of seconds on one core; the smoke profile's test split has 20 images per class, so
 * it takes what there is.
 */
import type { ProfileName } from '../training/profiles';

/**
 * The models notebook 08 explains: CNN 3 (the paper's recommendation) against the ANN baseline, with
 * CNN 1's first-layer filters beside CNN 3's. The main job runs it after their notebooks.
 */
export const INTERPRETED_MODELS = ['cnn3', 'ann', 'cnn1'] as const;
export type InterpretedModel = (typeof INTERPRETED_MODELS)[number];

export interface InterpretabilityScale {
  /** Images per class in the randomisation sanity check. */
  sanityPerClass: number;
  /** Images per class in the two-dimensional projections (the same sample for every representation). */
  projectionPerClass: number;
  /** Neighbours voting in the k-NN measure. */
  k: number;
  /** Least-sure images shown for the hardest pair. */
  leastSure: number;
}

export function interpretabilityScale(profile: ProfileName): InterpretabilityScale {
  return profile === 'smoke' ? { sanityPerClass: 2, projectionPerClass: 20, k: 10, leastSure: 8 } : { sanityPerClass: 10, projectionPerClass: 300, k: 10, leastSure: 8 };
}

/** The hardest pair the article explains: T-shirt/top (0) and shirt (6). */
export const HARDEST_PAIR: readonly [number, number] = [0, 6];
