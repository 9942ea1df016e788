import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { modelFromBytes, serializeModel } from '../models/model-io';
import { commitStaged, discardStaged, jsonText, ShortWriteError, stageFile } from '../util/atomic';
import { projectRoot } from '../util/paths';
import { sha256Hex } from './cache-key';
import { ARTIFACT_FILES } from './layout';
import { checkPredictions, type PredictionsFile } from './predictions';
import { dataIdentity } from './runtime';
import { LEGACY_RUN_FORMAT, RUN_FORMAT, type ArtifactRecord, type HistoryFile, type LegacyRunFile, type MetricsFile, type ModelReport, type RunFile } from './report';

/**
 * Every file a finished run writes besides run.json. Each is hashed (from the bytes written) into
 * run.json and verified on every read; a new artifact is covered by adding its name here and
 * passing its content to writeArtifacts.
 */
export const RUN_ARTIFACTS: readonly string[] = [ARTIFACT_FILES.modelJson, ARTIFACT_FILES.weights, ARTIFACT_FILES.history, ARTIFACT_FILES.metrics, ARTIFACT_FILES.predictions];

/**
 * The trained model itself. Only the committed seed's weights are in git (the seed study's other
 * runs keep metrics, history and predictions), so a reader may accept a run whose weights are absent.
 */
const WEIGHT_FILES: readonly string[] = [ARTIFACT_FILES.modelJson, ARTIFACT_FILES.weights];

/** A path relative to the project when inside it, for messages. */
export function displayPath(p: string): string {
  const r = path.relative(projectRoot(), p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : p;
}

/** An fs error in plain words, e.g. 'the disk is full (ENOSPC)'. */
export function describeFsError(err: unknown): string {
  if (err instanceof ShortWriteError) return `the write was cut short (${err.actual} of ${err.expected} bytes reached the disk)`;
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is exhausted (EDQUOT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'ENOTDIR':
    case 'EEXIST':
      return `a file is in the way where a folder should be (${code}: ${(err as NodeJS.ErrnoException).path ?? ''})`;
    default:
      return (err as Error).message ?? String(err);
  }
}

function fixForWriteError(err: unknown, dir: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (err instanceof ShortWriteError || code === 'ENOSPC' || code === 'EDQUOT') {
    return 'free some disk space, or set FMNIST_RESULTS_DIR to a folder on a disk with room, and rerun';
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return `make ${displayPath(dir)} writable (e.g. chmod -R u+w), or set FMNIST_RESULTS_DIR to a writable folder, and rerun`;
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'move that file away, or set FMNIST_RESULTS_DIR to a folder, and rerun';
  return 'fix the cause above and rerun';
}

/** A result could not be saved; what was saved before in its folder is unchanged. */
export class ResultWriteError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly dir: string,
    readonly file: string,
    override readonly cause: unknown,
    what: string,
    replacing = false,
  ) {
    super(
      `could not save ${what} in ${displayPath(dir)}: ${describeFsError(cause)} ${path.resolve(file) === path.resolve(dir) ? 'while creating the folder' : `while writing ${path.basename(file)}`}. ` +
        (replacing
          ? 'The folder is left without run.json, so it counts as not trained (nothing in it will be trusted). '
          : 'Nothing was replaced: the result saved there before (if any) is unchanged. ') +
        `Fix: ${fixForWriteError(cause, dir)}.`,
    );
    this.name = 'ResultWriteError';
  }
}

/** The content of one artifact file, as it will be written. */
export type ArtifactContent = string | Uint8Array;

/** The files of a trained model's result, keyed by RUN_ARTIFACTS names. */
export async function resultFiles(model: tf.LayersModel, history: HistoryFile, metrics: MetricsFile, predictions: PredictionsFile, extra: Record<string, ArtifactContent> = {}): Promise<Record<string, ArtifactContent>> {
  const m = await serializeModel(model);
  return {
    [ARTIFACT_FILES.modelJson]: m.modelJson,
    [ARTIFACT_FILES.weights]: m.weights,
    [ARTIFACT_FILES.history]: jsonText(history),
    [ARTIFACT_FILES.metrics]: jsonText(metrics),
    [ARTIFACT_FILES.predictions]: jsonText(predictions),
    ...extra,
  };
}

const bytesOf = (c: ArtifactContent) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c);

/**
 * Writes a finished run. Every file (run.json included, with the hashes and sizes of the bytes
 * handed to it) is first staged complete and fsynced beside its target; only then is the old
 * run.json removed, the files renamed into place and run.json last. A full disk or a permission
 * error therefore fails before anything old is touched, and a kill at any moment leaves a folder
 * whose run.json (if present) vouches for exactly the files beside it.
 */
export async function writeArtifacts(dir: string, files: Record<string, ArtifactContent>, run: Omit<RunFile, 'artifacts'>, what = `the ${run.model} result`): Promise<RunFile> {
  const names = Object.keys(files);
  const missing = RUN_ARTIFACTS.filter((n) => !names.includes(n));
  const unknown = names.filter((n) => !RUN_ARTIFACTS.includes(n));
  if (missing.length || unknown.length) {
    throw new Error(`writeArtifacts: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `${unknown.join(', ')} not in RUN_ARTIFACTS (src/results/artifacts.ts)` : ''}`);
  }
  const artifacts: Record<string, ArtifactRecord> = {};
  for (const n of RUN_ARTIFACTS) {
    const b = bytesOf(files[n]);
    artifacts[n] = { sha256: sha256Hex(b), bytes: b.byteLength };
  }
  const full: RunFile = { ...run, artifacts };
  const runFile = path.join(dir, ARTIFACT_FILES.run);
  const staged: Array<{ tmp: string; file: string }> = [];
  let current = dir;
  let replacing = false;
  try {
    await fs.promises.mkdir(dir, { recursive: true });
    for (const n of RUN_ARTIFACTS) {
      current = path.join(dir, n);
      staged.push({ tmp: await stageFile(current, files[n]), file: current });
    }
    current = runFile;
    const runTmp = await stageFile(runFile, jsonText(full));
    staged.push({ tmp: runTmp, file: runFile });
    replacing = true;
    await fs.promises.rm(runFile, { force: true });
    // run.json is the last entry: it goes into place only after every file it vouches for.
    for (const s of staged) {
      current = s.file;
      await commitStaged(s.tmp, s.file);
    }
  } catch (err) {
    await discardStaged(staged.map((s) => s.tmp));
    throw new ResultWriteError(dir, current, err, what, replacing);
  }
  return full;
}

/** A saved result that is there but cannot be trusted: names the file, what is wrong and the fix. */
export class DamagedResultError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`the saved result is damaged: ${displayPath(file)} ${problem}. Fix: ${fix}`);
    this.name = 'DamagedResultError';
  }
}

export interface SavedRun {
  run: RunFile;
  history: HistoryFile;
  metrics: MetricsFile;
}

/** A saved run whose every artifact matched run.json, with the verified bytes (read once: no re-read after the check). */
export interface VerifiedRun extends SavedRun {
  dir: string;
  /** Written in LEGACY_RUN_FORMAT: readable, but never reused for training (its cache key cannot match). */
  legacy: boolean;
  /** Verified content of every artifact in RUN_ARTIFACTS (without the model files when read with weightsOptional and they are absent). */
  bytes: Map<string, Buffer>;
}

export interface ReadRunOptions {
  /**
   * Accept a run whose model files (model.json, weights.bin) are absent, as a fresh clone has for
   * the seed study's non-committed seeds; files that are present must still match.
   */
  weightsOptional?: boolean;
}

/** The runtime a legacy run.json implies (it recorded the backend and tfjs version but had no runtime field). */
function upgradeLegacy(run: LegacyRunFile): RunFile {
  return {
    ...run,
    format: RUN_FORMAT,
    runtime: { backend: run.backend, tfjsVersion: run.backendInfo?.tfjsVersion ?? 'unknown', data: run.data?.files ? dataIdentity(run.data.files) : 'unknown' },
    artifacts: Object.fromEntries(Object.entries(run.artifacts ?? {}).map(([k, v]) => [k, { sha256: v, bytes: -1 }])),
  };
}

function parseJson<T>(file: string, bytes: Buffer, fix: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (err) {
    throw new DamagedResultError(file, `is not valid JSON (${(err as Error).message})`, fix);
  }
}

function readBytes(file: string, fix: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new DamagedResultError(file, `cannot be read: ${describeFsError(err)}`, code === 'EACCES' || code === 'EPERM' ? `make it readable (chmod u+r), or ${fix}` : fix);
  }
}

/**
 * Reads and verifies the saved run in `dir`: undefined when there is none (no run.json: never
 * trained, or a writer was killed before it committed); a DamagedResultError, naming the file, when
 * run.json or any artifact is unreadable, missing, of the wrong size or not matching its recorded
 * SHA-256. `fix` is the advice appended to such errors.
 */
export function readVerifiedRun(dir: string, fix: string, opts: ReadRunOptions = {}): VerifiedRun | undefined {
  const runPath = path.join(dir, ARTIFACT_FILES.run);
  const runBytes = readBytes(runPath, fix);
  if (!runBytes) return undefined;
  const raw = parseJson<{ format?: unknown }>(runPath, runBytes, fix);
  if (raw === null || typeof raw !== 'object' || (raw.format !== RUN_FORMAT && raw.format !== LEGACY_RUN_FORMAT)) {
    throw new DamagedResultError(runPath, `has an unknown format ${JSON.stringify((raw as { format?: unknown })?.format)} (expected ${RUN_FORMAT})`, fix);
  }
  const legacy = raw.format === LEGACY_RUN_FORMAT;
  const run = legacy ? upgradeLegacy(raw as LegacyRunFile) : (raw as RunFile);
  if (!run.artifacts || typeof run.artifacts !== 'object') throw new DamagedResultError(runPath, 'records no artifact checksums', fix);
  const bytes = new Map<string, Buffer>();
  for (const name of RUN_ARTIFACTS) {
    const file = path.join(dir, name);
    const rec = run.artifacts[name];
    // Runs of the old format predate per-image predictions: readable (with their retrain warning) without them.
    if (legacy && name === ARTIFACT_FILES.predictions && !rec) continue;
    if (!rec || typeof rec.sha256 !== 'string') {
      throw new DamagedResultError(runPath, `records no checksum for ${name} (saved before runs wrote ${name}, or edited)`, fix);
    }
    const b = readBytes(file, fix);
    if (!b && opts.weightsOptional && WEIGHT_FILES.includes(name)) continue;
    if (!b) throw new DamagedResultError(file, 'is missing', fix);
    if (rec.bytes >= 0 && b.byteLength !== rec.bytes) {
      throw new DamagedResultError(file, `has ${b.byteLength} bytes but run.json records ${rec.bytes} (truncated or replaced)`, fix);
    }
    if (sha256Hex(b) !== rec.sha256) throw new DamagedResultError(file, 'does not match the SHA-256 recorded in run.json (edited or damaged)', fix);
    bytes.set(name, b);
  }
  const history = parseJson<HistoryFile>(path.join(dir, ARTIFACT_FILES.history), bytes.get(ARTIFACT_FILES.history)!, fix);
  const metrics = parseJson<MetricsFile>(path.join(dir, ARTIFACT_FILES.metrics), bytes.get(ARTIFACT_FILES.metrics)!, fix);
  if (bytes.has(ARTIFACT_FILES.modelJson)) parseJson(path.join(dir, ARTIFACT_FILES.modelJson), bytes.get(ARTIFACT_FILES.modelJson)!, fix);
  return { dir, run, history, metrics, legacy, bytes };
}

/** True when the verified run includes its trained model files (not only metrics and predictions). */
export function hasWeights(saved: VerifiedRun): boolean {
  return WEIGHT_FILES.every((f) => saved.bytes.has(f));
}

/** The trained model of a verified run, built from its verified bytes. */
export async function modelOfRun(saved: VerifiedRun): Promise<tf.LayersModel> {
  if (!hasWeights(saved)) {
    throw new Error(
      `${displayPath(saved.dir)} holds this run's metrics and predictions but not its weights (only the committed seed's weights are in git); ` +
        'run its `fmnist train` command (or `fmnist study`) to retrain it: the same seed on the same backend gives the same weights',
    );
  }
  return modelFromBytes(saved.bytes.get(ARTIFACT_FILES.modelJson)!, saved.bytes.get(ARTIFACT_FILES.weights)!);
}

/** The run's per-image test predictions (verified with the run), checked against its test split. */
export function predictionsOfRun(saved: VerifiedRun): { file: PredictionsFile; labels: Uint8Array; predicted: Uint8Array } {
  const file = path.join(saved.dir, ARTIFACT_FILES.predictions);
  const bytes = saved.bytes.get(ARTIFACT_FILES.predictions);
  if (!bytes) throw new Error(`${displayPath(file)}: this run was saved before runs kept their test predictions; retrain it (\`fmnist study\` or its \`fmnist train … --force\`)`);
  const parsed = parseJson<PredictionsFile>(file, bytes, 'retrain the run with --force');
  const { labels, predicted } = checkPredictions(parsed, displayPath(file));
  if (parsed.testChecksum !== saved.run.data.checksums.test) throw new DamagedResultError(file, 'was made on another test split than run.json records', 'retrain the run with --force');
  return { file: parsed, labels, predicted };
}

export function reportFromSaved(dir: string, saved: SavedRun, cached: boolean): ModelReport {
  const { run, history, metrics } = saved;
  return {
    model: run.model,
    profile: run.profile,
    protocol: run.protocol,
    seed: run.seed,
    backend: run.backend,
    params: run.params,
    epochs: run.epochs,
    bestEpoch: run.bestEpoch,
    cached,
    trainSeconds: run.timings.trainSeconds,
    trainedAt: run.timings.finishedAt,
    history: history.history,
    train: metrics.train,
    val: metrics.val,
    test: metrics.test,
    trainTestGap: metrics.trainTestGap,
    cacheKey: run.cacheKey,
    runtime: run.runtime,
    dir,
  };
}
