import * as path from 'node:path';
import type { SplitProtocol } from '../data/types';
import type { ModelName } from '../models/architectures';
import { defaultEpochs, ProfileName } from '../training/profiles';
import { resultsDir } from '../util/paths';

/** The seed every command and notebook uses unless told otherwise. */
export const DEFAULT_SEED = 42;

/** Files of one trained model's artifact folder. */
export const ARTIFACT_FILES = {
  modelJson: 'model.json',
  weights: 'weights.bin',
  history: 'history.json',
  metrics: 'metrics.json',
  run: 'run.json',
  checkpointDir: 'checkpoint',
  lock: '.lock',
} as const;

export interface RunVariant {
  profile: ProfileName;
  protocol: SplitProtocol;
  model: ModelName;
  seed?: number;
  epochs?: number;
}

/**
 * Where a run's artifacts live. The committed full run (profile `paper`, default seed and epochs)
 * sits at `results/<protocol>/<model>/`; anything else gets its own top-level folder named after
 * what differs (`smoke/`, `smoke-e3/`, `paper-seed7/`, ...), so a test or experiment can never
 * overwrite the committed results.
 */
export function artifactDir(v: RunVariant, root: string = resultsDir()): string {
  const seed = v.seed ?? DEFAULT_SEED;
  const epochOverride = v.epochs !== undefined && v.epochs !== defaultEpochs(v.profile, v.model) ? `-e${v.epochs}` : '';
  const seedPart = seed !== DEFAULT_SEED ? `-seed${seed}` : '';
  const variant = `${v.profile}${epochOverride}${seedPart}`;
  const parts = variant === 'paper' ? [v.protocol, v.model] : [variant, v.protocol, v.model];
  return path.join(root, ...parts);
}
