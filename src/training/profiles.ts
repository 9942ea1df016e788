import { MODEL_CHOICES } from '../models/choices';
import { perModel, type ModelName } from '../models/registry';

/**
 * The training conditions ("profiles"): the ONE place epochs, batch size, schedule, augmentation,
 * weight restore and data size are decided. Each is a complete record, so a condition with a missing
 * fact does not compile.
 * - `faithful`: what the paper states, plus the Keras defaults a reader following it gets.
 * - `paper`: our improved recipe (the id is kept: the committed runs' folders and cache keys carry it).
 * - `smoke`: a tiny subset and one epoch, for tests and CI.
 */
export const PROFILE_NAMES = ['smoke', 'paper', 'faithful'] as const;
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

/** One training condition, every setting named. */
export interface ConditionSpec extends Omit<TrainingConfig, 'profile' | 'optimizer' | 'epochs'> {
  /** How the article names it. */
  title: string;
  description: string;
  /** Why each setting is what it is, as the rest of a sentence "The <title> condition ..." (the article prints it so). */
  rationale: string;
  /** Epochs per model (every condition gives each model the same budget, so a new model gets it too). */
  epochs: Record<ModelName, number>;
  /** The same colour in every figure that sets the conditions side by side. */
  colour: string;
}

const allModels = (epochs: number): Record<ModelName, number> => perModel(() => epochs);

export const CONDITIONS = {
  smoke: {
    title: 'smoke',
    colour: '#8c564b',
    description: 'a tiny stratified subset (20 train / 10 validation / 20 test images per class), one epoch: seconds, for tests and CI',
    rationale: "exercises the improved recipe's code path (flips included) in seconds; its numbers mean nothing.",
    epochs: allModels(1),
    batchSize: 64,
    evalBatchSize: 500,
    lrSchedule: 'constant',
    augmentation: 'hflip',
    restoreBest: false,
    subset: { trainPerClass: 20, valPerClass: 10, testPerClass: 20 },
  },
  paper: {
    title: 'improved',
    colour: '#9467bd',
    description: "batch 64, 10 epochs for every model, Adam from 1e-3 with a cosine decay, random horizontal flips of the training images, the best validation epoch's weights",
    // Continues "The improved condition ..." in the article (index.qmd, §Training set-up).
    rationale:
      "trains the paper's architectures, unchanged, as well as we could: batch 64, Adam's learning rate of 1e-3 " +
      'cosine-decayed per epoch, random horizontal flips of the training images (the paper lists augmentation without ' +
      'saying which), the weights of the best validation epoch restored, and 10 epochs for every model.',
    epochs: allModels(10),
    batchSize: 64,
    evalBatchSize: 1000,
    lrSchedule: 'cosine',
    augmentation: 'hflip',
    restoreBest: true,
    subset: null,
  },
  faithful: {
    title: 'faithful',
    colour: '#d62728',
    description: "batch 32, 10 epochs for every model, Adam at a constant learning rate of 1e-3, no augmentation, the last epoch's weights",
    // Continues "The faithful condition ..." in the article (index.qmd, §Training set-up).
    rationale:
      'fills each gap in the paper with what a reader following it in Keras gets: model.fit without a batch size ' +
      'trains in batches of 32, Adam keeps its learning rate of 1e-3, no callback restores earlier weights, and no ' +
      'augmentation is applied, since the paper names none. The paper gives no epoch count; every model gets 10, the ' +
      "improved condition's budget, so no comparison between models or conditions rests on a different number of epochs.",
    epochs: allModels(10),
    batchSize: 32,
    evalBatchSize: 1000,
    lrSchedule: 'constant',
    augmentation: 'none',
    restoreBest: false,
    subset: null,
  },
} as const satisfies Record<ProfileName, ConditionSpec>;

/** The two full-data conditions the claims are tested under, the paper's own first. */
export const CLAIM_CONDITIONS = ['faithful', 'paper'] as const satisfies readonly ProfileName[];
export type ClaimCondition = (typeof CLAIM_CONDITIONS)[number];

export function conditionTitle(profile: ProfileName): string {
  return CONDITIONS[assertProfileName(profile)].title;
}

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && (PROFILE_NAMES as readonly string[]).includes(value);
}

export function assertProfileName(value: unknown): ProfileName {
  if (isProfileName(value)) return value;
  throw new Error(`unknown profile '${String(value)}'; use one of: ${PROFILE_NAMES.join(', ')}`);
}

export function profileDescription(profile: ProfileName): string {
  return CONDITIONS[assertProfileName(profile)].description;
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
  // Picked by name, not spread: the record also holds presentation (title, colour...), and every field
  // of the config enters the cache key, so a new caption field must not invalidate the committed runs.
  const c: ConditionSpec = CONDITIONS[assertProfileName(profile)];
  return {
    profile,
    epochs: defaultEpochs(profile, model),
    batchSize: c.batchSize,
    evalBatchSize: c.evalBatchSize,
    lrSchedule: c.lrSchedule,
    augmentation: c.augmentation,
    restoreBest: c.restoreBest,
    subset: c.subset,
    optimizer: { ...MODEL_CHOICES.optimizer },
  };
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
  const epochs: Record<ModelName, number> = CONDITIONS[assertProfileName(profile)].epochs;
  // Without a model: the condition's budget when every model shares it, else the largest.
  return model ? epochs[model] : Math.max(...Object.values(epochs));
}

/** Learning rate used during `epoch` (0-based): per-epoch cosine decay, or constant. */
export function learningRateAt(config: Pick<TrainingConfig, 'optimizer' | 'lrSchedule' | 'epochs'>, epoch: number): number {
  const lr0 = config.optimizer.learningRate;
  if (config.lrSchedule === 'constant' || config.epochs <= 1) return lr0;
  return lr0 * 0.5 * (1 + Math.cos((Math.PI * epoch) / config.epochs));
}
