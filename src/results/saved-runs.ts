import * as path from 'node:path';
import { parseSplitProtocol } from '../data/splits';
import type { FashionMnist, SplitProtocol } from '../data/types';
import { assertModelName, type ModelName } from '../models/architectures';
import { assertProfileName, effectiveOverrides, type ProfileName, type TrainingConfig, type TrainingOverrides } from '../training/profiles';
import { isValidSeed } from '../training/seeds';
import { resultsDir } from '../util/paths';
import { DamagedResultError, displayPath, readVerifiedRun, type ReadRunOptions, type VerifiedRun } from './artifacts';
import { artifactDir, DEFAULT_SEED, type RunVariant } from './layout';
import type { RunFile } from './report';
import { committedRuntime, currentRuntime, describeRuntime, type RuntimeIdentity } from './runtime';

/**
 * The one way to find and read a saved result: everything that reads results (fmnist evaluate,
 * loadReport/loadTrainedModel, the report variables, the notebooks, studies) resolves its folder
 * from the full run identity (settings, seed, backend, tfjs version, data) and gets it back only
 * after every artifact matched the hashes in run.json and run.json itself belongs to that folder.
 */

/** A run's settings with its overrides reduced to those that differ from the profile. */
export interface RunSettings extends TrainingOverrides {
  model: ModelName;
  profile: ProfileName;
  protocol: SplitProtocol;
  seed: number;
}

/** Validates and normalises settings (defaults: profile paper, protocol paper, seed 42). */
export function resolveSettings(opts: TrainingOverrides & { model: string; profile?: string; protocol?: string; seed?: number }): RunSettings {
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!isValidSeed(seed)) throw new Error(`seed must be a non-negative integer, got ${opts.seed}`);
  const profile = assertProfileName(opts.profile ?? 'paper');
  const model = assertModelName(opts.model);
  return { model, profile, protocol: parseSplitProtocol(opts.protocol ?? 'paper'), seed, ...effectiveOverrides(profile, model, opts) };
}

/** The `fmnist train` flags that set these overrides (the seed study passes them to its child processes). */
export function overrideFlags(o: TrainingOverrides): string[] {
  return [
    ...(o.epochs !== undefined ? ['--epochs', String(o.epochs)] : []),
    ...(o.batchSize !== undefined ? ['--batch-size', String(o.batchSize)] : []),
    ...(o.learningRate !== undefined ? ['--learning-rate', String(o.learningRate)] : []),
    ...(o.lrSchedule !== undefined ? ['--lr-schedule', o.lrSchedule] : []),
    ...(o.augmentation !== undefined ? ['--augmentation', o.augmentation] : []),
    ...(o.restoreBest !== undefined ? [o.restoreBest ? '--restore-best' : '--no-restore-best'] : []),
  ];
}

/** The `fmnist train` command line that makes this run. */
export function trainCommand(r: RunSettings, runtime?: RuntimeIdentity, force = false): string {
  const flags = [
    `--protocol ${r.protocol}`,
    `--profile ${r.profile}`,
    ...(r.seed !== DEFAULT_SEED ? [`--seed ${r.seed}`] : []),
    ...overrideFlags(r),
    ...(runtime && runtime.backend !== committedRuntime().backend ? [`--backend ${runtime.backend}`] : []),
    ...(force ? ['--force'] : []),
  ];
  return `fmnist train ${r.model} ${flags.join(' ')}`;
}

/** True for a folder under the project's own results/ that git tracks (the committed full runs). */
function isCommittedFolder(v: RunVariant, root: string): boolean {
  return path.resolve(root) === path.resolve(resultsDir()) && !process.env.FMNIST_RESULTS_DIR && path.relative(root, artifactDir(v, root)).split(path.sep).length === 2;
}

/** What to do about a damaged result in the folder of `v`. */
export function damagedFix(v: RunVariant & RunSettings, root: string = resultsDir()): string {
  const dir = artifactDir(v, root);
  const retrain = `retrain it with \`${trainCommand(v, v.runtime, true)}\``;
  return isCommittedFolder(v, root) ? `restore the committed copy with \`git checkout -- ${displayPath(dir)}\`, or ${retrain}` : retrain;
}

/** No result is saved for this run (it was never trained, or a writer was killed before it committed). */
export class NoSavedRunError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly dir: string,
    r: RunSettings,
    runtime: RuntimeIdentity,
  ) {
    super(`no saved result for ${r.model} in ${displayPath(dir)}${describeRuntime(runtime)}; train it first with \`${trainCommand(r, runtime)}\``);
    this.name = 'NoSavedRunError';
  }
}

/** The settings a run.json records, as the variant whose folder it belongs in. */
export function variantOfRun(run: RunFile): RunVariant & RunSettings {
  const t: TrainingConfig = run.training;
  const overrides = effectiveOverrides(run.profile, run.model, {
    epochs: t.epochs,
    batchSize: t.batchSize,
    learningRate: t.optimizer.learningRate,
    lrSchedule: t.lrSchedule,
    augmentation: t.augmentation,
    restoreBest: t.restoreBest,
  });
  return { model: run.model, profile: run.profile, protocol: run.protocol, seed: run.seed, ...overrides, runtime: run.runtime };
}

const warnedLegacy = new Set<string>();

export interface OpenOptions extends ReadRunOptions {
  /** Where results live (default resultsDir()). */
  root?: string;
  /** Warnings (a legacy-format result); default stderr, once per folder. */
  warn?: (message: string) => void;
}

/**
 * The verified saved run of `v`. Throws NoSavedRunError when there is none and DamagedResultError
 * (naming the file and the fix) when any file fails verification or run.json belongs to another
 * folder. A result in the legacy format is returned with a warning that it needs a retrain.
 */
export function openVerifiedRun(v: RunVariant & RunSettings, opts: OpenOptions = {}): VerifiedRun {
  const root = opts.root ?? resultsDir();
  const dir = artifactDir(v, root);
  const fix = damagedFix(v, root);
  const saved = readVerifiedRun(dir, fix, { weightsOptional: opts.weightsOptional });
  if (!saved) throw new NoSavedRunError(dir, v, v.runtime);
  checkBelongs(saved, v, root, fix, opts.warn);
  return saved;
}

/** Like openVerifiedRun, but undefined when nothing is saved. */
export function findVerifiedRun(v: RunVariant & RunSettings, opts: OpenOptions = {}): VerifiedRun | undefined {
  try {
    return openVerifiedRun(v, opts);
  } catch (err) {
    if (err instanceof NoSavedRunError) return undefined;
    throw err;
  }
}

function checkBelongs(saved: VerifiedRun, v: RunVariant, root: string, fix: string, warn?: (m: string) => void): void {
  const runPath = path.join(saved.dir, 'run.json');
  if (saved.legacy) {
    if (!warnedLegacy.has(saved.dir)) {
      warnedLegacy.add(saved.dir);
      (warn ?? ((m: string) => console.error(m)))(
        `warning: ${displayPath(saved.dir)} holds a result in the old format (fmnist-run-1: trained on backend ${saved.run.backend}, ` +
          `its cache key lacks the backend and tfjs version); its files match their recorded checksums, but it needs a retrain (${fix.replace(/^restore[^,]*, or /, '')})`,
      );
    }
    const r = saved.run;
    if (r.model !== v.model || r.profile !== v.profile || r.protocol !== v.protocol || r.seed !== (v.seed ?? DEFAULT_SEED)) {
      throw new DamagedResultError(runPath, `records ${r.model}/${r.protocol}/${r.profile} seed ${r.seed}, not the run this folder is for`, fix);
    }
    return;
  }
  if (!saved.run.runtime) throw new DamagedResultError(runPath, 'records no runtime (backend, tfjs version, data)', fix);
  let belongs: string;
  try {
    belongs = artifactDir(variantOfRun(saved.run), root);
  } catch (err) {
    throw new DamagedResultError(runPath, `records settings that make no sense (${(err as Error).message})`, fix);
  }
  if (path.resolve(belongs) !== path.resolve(saved.dir)) {
    throw new DamagedResultError(
      runPath,
      `records a run that belongs in ${displayPath(belongs)}${describeRuntime(saved.run.runtime)} (copied or moved here?)`,
      `move it back, or ${fix.replace(/^restore[^,]*, or /, '')}`,
    );
  }
}

/** Which saved run to read: settings, and the runtime (default: this process's backend, tfjs and data). */
export interface RunSelector extends TrainingOverrides {
  model: string;
  profile?: string;
  protocol?: string;
  seed?: number;
  /** 'committed' reads results/<protocol>/<model>/ (node, pinned tfjs, full data); default: currentRuntime(dataset). */
  runtime?: RuntimeIdentity | 'committed';
  /** The data whose results to read (default: the dataset loadFashionMnist finds). */
  dataset?: FashionMnist;
}

/** Resolves a selector to its full variant (settings + runtime). */
export async function resolveVariant(sel: RunSelector): Promise<RunVariant & RunSettings> {
  const settings = resolveSettings(sel);
  const runtime = sel.runtime === 'committed' ? committedRuntime() : (sel.runtime ?? (await currentRuntime(sel.dataset)));
  return { ...settings, runtime };
}

/** The verified saved run a selector names (see openVerifiedRun). */
export async function openSavedRun(sel: RunSelector, opts: OpenOptions = {}): Promise<VerifiedRun> {
  return openVerifiedRun(await resolveVariant(sel), opts);
}
