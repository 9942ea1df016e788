import { createHash } from 'node:crypto';

/**
 * Bump when the training or evaluation code changes in a way that changes results, so old
 * cached artifacts stop matching instead of being silently reused.
 */
export const TRAINING_CODE_VERSION = 2; // 2: training-time augmentation (TrainingConfig.augmentation)

/** JSON with object keys sorted at every level, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export interface CacheKeyInput {
  model: string;
  /** The model's topology JSON (layers, shapes, initialisers with their seeds). */
  modelConfig: unknown;
  /** The resolved TrainingConfig (profile, epochs, batch size, optimiser, schedule, subset). */
  training: unknown;
  /** sha256 of every part of the data actually used. */
  data: Record<string, string>;
  protocol: string;
  seed: number;
  /** The backend trained on ('node', 'wasm', 'cpu'): numerics differ between backends. */
  backend: string;
  /** tf.version.tfjs: kernels and initialisers change between versions. */
  tfjsVersion: string;
}

/** sha256 over everything that determines a trained model; same key → same result. */
export function cacheKey(input: CacheKeyInput): string {
  return createHash('sha256').update(canonicalJson({ codeVersion: TRAINING_CODE_VERSION, ...input })).digest('hex');
}

export function sha256Hex(...chunks: Uint8Array[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}
