import * as path from 'node:path';
import { SPLIT_PROTOCOLS } from '../data/splits';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { modelSpec } from '../models/registry';
import { artifactDir, DEFAULT_SEED } from '../results/layout';
import { committedRuntime } from '../results/identity';
import { overrideFlags } from '../results/saved-runs';
import { effectiveOverrides, trainingConfig, type ProfileName, type TrainingOverrides } from '../training/profiles';
import { studySeeds } from './seeds';
import type { StudySelection } from './summary';

/**
 * What the study trains, as data: every run is (condition, protocol, model, seed, overrides), and
 * the named plans (`fmnist study --plan <name>`) are lists of such runs plus the summaries they
 * complete. A run resolves to its results folder and cache key through the same machinery as
 * `fmnist train` (resolveSettings, artifactDir), so a run trained by hand with the same flags is the
 * same run.
 */

/** One training run of a study. */
export interface StudyRun {
  /** The training condition (profile). */
  profile: ProfileName;
  protocol: SplitProtocol;
  model: ModelName;
  seed: number;
  /** Only the settings that differ from the condition's own (normalised by effectiveOverrides); {} for none. */
  overrides: TrainingOverrides;
}

/** A run with its overrides normalised, so equal runs compare (and key) equal. */
export function studyRun(profile: ProfileName, protocol: SplitProtocol, model: ModelName, seed: number, overrides: TrainingOverrides = {}): StudyRun {
  return { profile, protocol, model, seed, overrides: effectiveOverrides(profile, model, overrides) };
}

/**
 * The run's results folder relative to the results root for the committed runtime, e.g.
 * `paper-noaug-seed1/paper/cnn2` or `paper/cnn2`: a stable key every machine computes alike (other
 * runtimes add their suffix to the first part).
 */
export function runKey(run: StudyRun): string {
  const rel = artifactDir({ ...run.overrides, profile: run.profile, protocol: run.protocol, model: run.model, seed: run.seed, runtime: committedRuntime() }, '');
  return rel.split(path.sep).join('/');
}

/** The variant part of the folder without the seed: `paper`, `paper-noaug`, `faithful`, `smoke`. */
export function runVariant(run: StudyRun): string {
  const key = runKey({ ...run, seed: DEFAULT_SEED });
  const parts = key.split('/');
  return parts.length === 3 ? parts[0] : run.profile;
}

/** How progress lines name a run: `paper/cnn2 seed 1 [paper-noaug]`. */
export function studyRunLabel(r: StudyRun): string {
  return `${r.protocol}/${r.model} seed ${r.seed} [${runVariant(r)}]`;
}

/** The `fmnist train` arguments that make this run (the study's child process; the same flags a person would type). */
export function trainArgs(run: StudyRun): string[] {
  return ['train', run.model, '--protocol', run.protocol, '--profile', run.profile, '--seed', String(run.seed), ...overrideFlags(run.overrides)];
}

/** Every run of a seed-study selection, protocol by protocol, model by model, seed by seed, with the condition's own settings. */
export function planStudy(sel: StudySelection): StudyRun[] {
  const runs: StudyRun[] = [];
  for (const protocol of sel.protocols) for (const model of sel.models) for (const seed of sel.seeds) runs.push(studyRun(sel.profile, protocol, model, seed));
  return runs;
}

// ---------------------------------------------------------------------------------------------
// The ablation of the improved recipe

export const ABLATION_ARM_IDS = ['noaug', 'constant', 'last', 'e15'] as const;
export type AblationArmId = (typeof ABLATION_ARM_IDS)[number];

/** One arm: the improved recipe with one of our additions taken away (or, for e15, the old longer budget). */
export interface AblationArm {
  id: AblationArmId;
  /** Short name for tables. */
  title: string;
  /** What this arm removes from the improved recipe. */
  removes: string;
  /** The subject of the arm's generated sentence ("Training without the flips …"). */
  change: string;
  /** The `fmnist train` overrides against the improved condition (they name the folder: paper-noaug, …). */
  overrides: TrainingOverrides;
}

export const ABLATION_ARMS: readonly AblationArm[] = [
  {
    id: 'noaug',
    title: 'no flips',
    removes: 'the random horizontal flips of the training images',
    change: 'Training without the horizontal flips',
    overrides: { augmentation: 'none' },
  },
  {
    id: 'constant',
    title: 'constant learning rate',
    removes: "the cosine decay of Adam's learning rate (it stays at 1e-3)",
    change: 'Keeping the learning rate constant',
    overrides: { lrSchedule: 'constant' },
  },
  {
    id: 'last',
    title: 'last epoch',
    removes: "the restore of the best validation epoch's weights (the last epoch's are kept)",
    change: "Keeping the last epoch's weights instead of the best validation epoch's",
    overrides: { restoreBest: false },
  },
  {
    id: 'e15',
    title: '15 epochs',
    removes: 'the equal 10-epoch budget (5 more epochs, the budget CNN 3 had until 5 December)',
    change: 'Training 15 epochs instead of 10',
    overrides: { epochs: 15 },
  },
];

/**
 * The ablation's design: CNN 2 and CNN 3 (the models the paper's overfitting claim and the
 * accuracy ranking rest on), the first three study seeds, the paper's split. Its baseline is the
 * improved condition's own runs of the same seeds (results/paper/… and results/paper-seedN/…).
 */
export const ABLATION = {
  profile: 'paper',
  protocol: 'paper',
  models: ['cnn2', 'cnn3'],
  seeds: studySeeds(3),
} as const satisfies { profile: ProfileName; protocol: SplitProtocol; models: readonly ModelName[]; seeds: readonly number[] };

export function ablationArm(id: AblationArmId): AblationArm {
  const arm = ABLATION_ARMS.find((a) => a.id === id);
  if (!arm) throw new Error(`unknown ablation arm '${id}'; use one of: ${ABLATION_ARM_IDS.join(', ')}`);
  return arm;
}

/** The run of `arm` ('baseline': the improved condition itself) for one model and seed. */
export function ablationRun(arm: AblationArmId | 'baseline', model: ModelName, seed: number): StudyRun {
  const run = studyRun(ABLATION.profile, ABLATION.protocol, model, seed, arm === 'baseline' ? {} : ablationArm(arm).overrides);
  // An arm equal to the improved recipe would silently be the baseline again (and share its folder).
  if (arm !== 'baseline' && Object.keys(run.overrides).length === 0) throw new Error(`ablation arm '${arm}' changes nothing in the improved condition for ${model}`);
  return run;
}

/** The ablation's runs: the baseline's, then each arm's, model by model, seed by seed. */
export function ablationRuns(): StudyRun[] {
  const runs: StudyRun[] = [];
  for (const arm of ['baseline', ...ABLATION_ARM_IDS] as const) for (const model of ABLATION.models) for (const seed of ABLATION.seeds) runs.push(ablationRun(arm, model, seed));
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Named plans

export const PLAN_NAMES = ['claims', 'faithful', 'improved', 'ablation'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export interface StudyPlan {
  /** The plan's name (`claims`, …), or `selection` for a study chosen with --profile/--models/--seeds/--protocol. */
  name: PlanName | 'selection';
  /** One line for logs. */
  description: string;
  /** Every run, each once, in a stable order. */
  runs: StudyRun[];
  /** The seed studies whose summaries the plan writes once all its runs are saved. */
  studies: StudySelection[];
  /** Whether the plan holds the ablation (results/study/ablation.json is written from it). */
  ablation: boolean;
}

/** A condition's full seed study: both protocols, every model, the study's seeds. */
export function conditionStudy(profile: ProfileName): StudySelection {
  return { profile, protocols: [...SPLIT_PROTOCOLS], models: [...MODEL_NAMES], seeds: studySeeds() };
}

/** The plan of a seed study chosen with today's flags (`fmnist study --profile … --models …`). */
export function selectionPlan(sel: StudySelection): StudyPlan {
  return {
    name: 'selection',
    description: `${sel.protocols.join(' + ')} × ${sel.models.join(', ')} × seeds ${sel.seeds.join(', ')} (profile ${sel.profile})`,
    runs: planStudy(sel),
    studies: [sel],
    ablation: false,
  };
}

function dedupe(runs: StudyRun[]): StudyRun[] {
  const seen = new Set<string>();
  return runs.filter((r) => {
    const k = runKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function isPlanName(value: unknown): value is PlanName {
  return typeof value === 'string' && (PLAN_NAMES as readonly string[]).includes(value);
}

/** A named plan (see PLAN_NAMES). */
export function studyPlan(name: PlanName): StudyPlan {
  const seeds = studySeeds().length;
  const faithful = conditionStudy('faithful');
  const improved = conditionStudy('paper');
  const ablation = `the ablation (${ABLATION.models.join(', ')} × seeds ${ABLATION.seeds.join(', ')} × ${ABLATION.protocol} split × ${ABLATION_ARM_IDS.join(', ')}, plus its improved baseline)`;
  switch (name) {
    case 'faithful':
      return { name, description: `the faithful condition's seed study (${seeds} seeds × 4 models × 2 protocols)`, runs: planStudy(faithful), studies: [faithful], ablation: false };
    case 'improved':
      return { name, description: `the improved condition's seed study (${seeds} seeds × 4 models × 2 protocols)`, runs: planStudy(improved), studies: [improved], ablation: false };
    case 'ablation':
      return { name, description: ablation, runs: ablationRuns(), studies: [], ablation: true };
    case 'claims':
      return {
        name,
        description: `everything the claims rest on: both conditions' seed studies (${seeds} seeds × 4 models × 2 protocols each) and ${ablation}`,
        runs: dedupe([...planStudy(faithful), ...planStudy(improved), ...ablationRuns()]),
        studies: [faithful, improved],
        ablation: true,
      };
    default:
      throw new Error(`unknown plan '${String(name)}'; use one of: ${PLAN_NAMES.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shards: a deterministic share of a plan per machine

/** Shard `index` of `count` (1-based, as Slurm's SLURM_ARRAY_TASK_ID usually is). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 3/8: the third of eight shares), got '${raw}'`);
  }
  return { index, count };
}

/** A run's expected cost in integer units: epochs × per-epoch cost × batch factor × data share. */
export function expectedCost(run: StudyRun): number {
  const config = trainingConfig(run.profile, { ...run.overrides, model: run.model });
  // Smaller batches mean more (and less parallel) steps: roughly sqrt(64 / batch) slower per epoch (×10, rounded).
  const batch = Math.round(10 * Math.sqrt(64 / config.batchSize));
  // Per mille of the full training split (the smoke profile's subset is tiny).
  const data = config.subset ? Math.max(1, Math.round((config.subset.trainPerClass * 10 * 1000) / 42_000)) : 1000;
  // Per-epoch cost from the registry: fixed in code, never measured at run time, so every machine computes
  // the same shares without talking to the others (integers: no rounding can differ between machines).
  return config.epochs * modelSpec(run.model).epochCost * batch * data;
}

/**
 * The runs of the plan that shard `index`/`count` trains. The whole plan is partitioned (not only
 * its missing runs), so every machine agrees on the shares from the code alone: runs are taken
 * most expensive first (ties by folder key) and each goes to the shard with the least expected
 * cost so far (ties to the lowest index), which balances the shares' wall times. Every run is in
 * exactly one shard.
 */
export function shardRuns(runs: readonly StudyRun[], shard: Shard): StudyRun[] {
  const order = runs.map((run) => ({ run, key: runKey(run), cost: expectedCost(run) })).sort((a, b) => b.cost - a.cost || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const load = new Array<number>(shard.count).fill(0);
  const mine: StudyRun[] = [];
  for (const o of order) {
    let best = 0;
    for (let i = 1; i < load.length; i++) if (load[i] < load[best]) best = i;
    load[best] += o.cost;
    if (best === shard.index - 1) mine.push(o.run);
  }
  // Back in the plan's own order, so logs read as the plan does.
  return runs.filter((r) => mine.includes(r));
}
