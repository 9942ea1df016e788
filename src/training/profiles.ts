import { MODEL_CHOICES } from '../models/choices';
import type { ModelName } from '../models/architectures';

/**
 * Named training profiles: the ONE place batch size, epochs and data size are decided.
 * `smoke` is for tests and CI (seconds); `paper` is the full reproduction.
 */
export const PROFILE_NAMES = ['smoke', 'paper'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export type LrSchedule = 'constant' | 'cosine';

/**
 * Training-time augmentation. 'hflip' mirrors a seeded half of each epoch's training images left to
 * right (garments and shoes stay in their class when mirrored); validation and test images are never
 * changed. The paper lists data augmentation among its optimisation steps without saying which.
 */
export type Augmentation = 'none' | 'hflip';

/** How many images per class to keep of each split part; null = the whole split. */
export interface SubsetSpec {
  trainPerClass: number;
  valPerClass: number;
  testPerClass: number;
}

export interface TrainingConfig {
  profile: ProfileName;
  epochs: number;
  batchSize: number;
  /** Batch size for inference-only passes (validation, evaluation); does not change results. */
  evalBatchSize: number;
  optimizer: typeof MODEL_CHOICES.optimizer;
  lrSchedule: LrSchedule;
  augmentation: Augmentation;
  /** Keep the weights of the epoch with the best validation accuracy (Keras restore_best_weights). */
  restoreBest: boolean;
  subset: SubsetSpec | null;
}

interface ProfileDefinition extends Omit<TrainingConfig, 'profile' | 'optimizer'> {
  description: string;
  /** Models that train for a different number of epochs than `epochs`. */
  epochsByModel?: Partial<Record<ModelName, number>>;
}

const PROFILES: Record<ProfileName, ProfileDefinition> = {
  smoke: {
    description: 'a tiny stratified subset (20 train / 10 validation / 20 test images per class), one epoch: seconds, for tests and CI',
    epochs: 1,
    batchSize: 64,
    evalBatchSize: 500,
    lrSchedule: 'constant',
    // Same code path as the paper profile, so the tests exercise it.
    augmentation: 'hflip',
    restoreBest: false,
    subset: { trainPerClass: 20, valPerClass: 10, testPerClass: 20 },
  },
  paper: {
    description:
      'the full split, batch 64, 10 epochs (15 for CNN 3), random horizontal flips — `model.fit(X_train, y_train, epochs=10, batch_size=64, validation_data=(X_val, y_val))`',
    epochs: 10,
    epochsByModel: { cnn3: 15 },
    batchSize: 64,
    evalBatchSize: 1000,
    lrSchedule: 'cosine',
    augmentation: 'hflip',
    restoreBest: true,
    subset: null,
  },
};

/**
 * Why the paper profile looks like this (cited by the report):
 * - 10 epochs: the paper does not state its epochs; 10 is the value a Keras user types, and it is
 *   consistent with the paper's CNN 2 reaching 97.4% training accuracy (that model family passes
 *   97% train around epoch 10).
 * - 15 epochs for CNN 3: dropout slows its convergence, and it carries the tightest accuracy floor
 *   (0.915). One full-data epoch of CNN 3 takes about 54 s on wasm here (train + validation), so the
 *   whole run (4 models × 2 protocols) still fits the ~30–40 min budget on 2 cores.
 * - Batch 64: the speed work (issue 6) measures and tunes the kernels at this batch size.
 * - Cosine learning-rate decay from Adam's 1e-3 to ~0 over the epochs, and restoring the weights
 *   of the best validation-accuracy epoch (Keras' restore_best_weights): "training them well"
 *   without touching the architectures, to clear the accuracy floors within 10 epochs.
 * - Random horizontal flips of the training images: without them CNN 3 on the paper split peaked
 *   at 0.917 validation / 0.912 test accuracy by epoch 12 of 15 while its training accuracy kept
 *   rising to 0.95 (measured in this project's first full run), i.e. it was overfitting, not
 *   under-trained; mirroring is the cheapest regulariser that leaves the architecture untouched.
 */
export const PAPER_PROFILE_NOTE =
  'Paper profile: 10 epochs (15 for CNN 3), batch 64, Adam (lr 1e-3, cosine-decayed per epoch), random horizontal flips of the training images, weights of the best validation-accuracy epoch restored.';

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && (PROFILE_NAMES as readonly string[]).includes(value);
}

export function assertProfileName(value: unknown): ProfileName {
  if (isProfileName(value)) return value;
  throw new Error(`unknown profile '${String(value)}'; use one of: ${PROFILE_NAMES.join(', ')}`);
}

export function profileDescription(profile: ProfileName): string {
  return PROFILES[assertProfileName(profile)].description;
}

/**
 * Hyper-parameters a researcher may change for one run without editing a profile (notebook call,
 * `fmnist train` flags). They enter the cache key through the resolved TrainingConfig, and a run
 * with any of them gets its own results folder (see results/layout.ts), so the committed results
 * are never overwritten. A value equal to the profile's own is no override.
 */
export interface TrainingOverrides {
  epochs?: number;
  batchSize?: number;
  /** Adam's initial learning rate. */
  learningRate?: number;
  lrSchedule?: LrSchedule;
  augmentation?: Augmentation;
  restoreBest?: boolean;
}

export const LR_SCHEDULES: readonly LrSchedule[] = ['constant', 'cosine'];
export const AUGMENTATIONS: readonly Augmentation[] = ['none', 'hflip'];

/** The overrides that really differ from the profile's values for `model`, validated; {} if none. */
export function effectiveOverrides(profile: ProfileName, model: ModelName | undefined, o: TrainingOverrides): TrainingOverrides {
  return overridesAgainst(baseConfig(profile, model), o);
}

function overridesAgainst(base: TrainingConfig, o: TrainingOverrides): TrainingOverrides {
  const out: TrainingOverrides = {};
  if (o.epochs !== undefined && o.epochs !== base.epochs) out.epochs = positiveInt(o.epochs, 'epochs');
  if (o.batchSize !== undefined && o.batchSize !== base.batchSize) out.batchSize = positiveInt(o.batchSize, 'batchSize');
  if (o.learningRate !== undefined && o.learningRate !== base.optimizer.learningRate) {
    if (!(Number.isFinite(o.learningRate) && o.learningRate > 0 && o.learningRate < 1)) throw new Error(`learningRate must be a number between 0 and 1, got ${o.learningRate}`);
    out.learningRate = o.learningRate;
  }
  if (o.lrSchedule !== undefined && o.lrSchedule !== base.lrSchedule) out.lrSchedule = oneOf(o.lrSchedule, LR_SCHEDULES, 'lrSchedule');
  if (o.augmentation !== undefined && o.augmentation !== base.augmentation) out.augmentation = oneOf(o.augmentation, AUGMENTATIONS, 'augmentation');
  if (o.restoreBest !== undefined && o.restoreBest !== base.restoreBest) {
    if (typeof o.restoreBest !== 'boolean') throw new Error(`restoreBest must be true or false, got ${String(o.restoreBest)}`);
    out.restoreBest = o.restoreBest;
  }
  return out;
}

/**
 * The full training configuration of a profile for one model (epochs may differ per model), with
 * optional overrides (part of the cache key). Without `model`, the profile's base epochs.
 */
export function trainingConfig(profile: ProfileName, overrides: TrainingOverrides & { model?: ModelName } = {}): TrainingConfig {
  const base = baseConfig(profile, overrides.model);
  // Only the settings that differ are present, so they spread straight over the profile's.
  const { learningRate, ...settings } = overridesAgainst(base, overrides);
  return { ...base, ...settings, optimizer: { ...base.optimizer, ...(learningRate !== undefined && { learningRate }) } };
}

function baseConfig(profile: ProfileName, model: ModelName | undefined): TrainingConfig {
  const def = PROFILES[assertProfileName(profile)];
  const { description: _description, epochsByModel: _byModel, ...rest } = def;
  return { profile, ...rest, epochs: defaultEpochs(profile, model), optimizer: { ...MODEL_CHOICES.optimizer } };
}

function positiveInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

function oneOf<T extends string>(value: T, allowed: readonly T[], name: string): T {
  if (!allowed.includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got '${String(value)}'`);
  return value;
}

/** The default epochs of a profile for a model (an override equal to it is no override). */
export function defaultEpochs(profile: ProfileName, model?: ModelName): number {
  const def = PROFILES[assertProfileName(profile)];
  return (model && def.epochsByModel?.[model]) || def.epochs;
}

/** Learning rate used during `epoch` (0-based): per-epoch cosine decay, or constant. */
export function learningRateAt(config: Pick<TrainingConfig, 'optimizer' | 'lrSchedule' | 'epochs'>, epoch: number): number {
  const lr0 = config.optimizer.learningRate;
  if (config.lrSchedule === 'constant' || config.epochs <= 1) return lr0;
  return lr0 * 0.5 * (1 + Math.cos((Math.PI * epoch) / config.epochs));
}
