import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../util/atomic';
import { displayPath, resultsDir } from '../util/paths';
import { DamagedResultError, readVerifiedRun, RUN_ARTIFACTS, type VerifiedRun } from './artifacts';
import { ARTIFACT_FILES, artifactDir } from './layout';
import { canonicalJson } from './cache-key';
import { variantOfRun } from './saved-runs';

/**
 * `fmnist merge <dir...>`: brings run folders trained on other machines (e.g. the shards of
 * `fmnist study --shard i/n`) into this checkout's results/. Every incoming run is verified on the
 * way in (each file against the SHA-256 and size its run.json records, and run.json against the
 * folder it sits in), so a damaged or edited copy never enters. A run already here with the same
 * cache key and the same file hashes is skipped; one that differs is refused. Nothing is copied
 * unless every run can be, and each run lands by rename of a complete temp folder, so a merge
 * either completes or leaves this results/ as it was (an interrupted one leaves whole runs only).
 * Summaries (study/) are not merged: `fmnist study` rebuilds them from the merged runs.
 */

export type MergeAction = 'copy' | 'identical' | 'replace-unfinished';

export interface MergeEntry {
  /** The run's folder relative to the results root, e.g. paper-seed1/paper/cnn2. */
  folder: string;
  /** The results root it comes from. */
  source: string;
  action: MergeAction;
  /** Whether the incoming copy has its model files (the study keeps weights only for the committed seed). */
  weights: boolean;
}

export interface MergeProblem {
  folder: string;
  source: string;
  problem: string;
}

export interface MergeResult {
  /** Runs copied (or, with dryRun, that would be). */
  copied: MergeEntry[];
  /** Runs already here, identical. */
  identical: MergeEntry[];
  /** Runs refused; when any is, nothing was copied. */
  refused: MergeProblem[];
  dryRun: boolean;
}

/** A checkout's folder means its results/; anything else is taken as a results root itself. */
export function resultsRootOf(dir: string): string {
  const abs = path.resolve(dir);
  const inner = path.join(abs, 'results');
  if (fs.existsSync(path.join(abs, 'package.json')) && isDir(inner)) return inner;
  return abs;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Folders under `root` that hold a run.json (not descending into them), skipping the study
 * summaries, checkpoints, locks and this module's own temp folders. Sorted, so output is stable.
 */
export function findRunFolders(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const dir = path.join(root, rel);
    if (rel && fs.existsSync(path.join(dir, ARTIFACT_FILES.run))) {
      out.push(rel);
      return;
    }
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'study' || e.name === ARTIFACT_FILES.checkpointDir) continue;
      walk(rel ? path.join(rel, e.name) : e.name);
    }
  };
  walk('');
  return out.map((r) => r.split(path.sep).join('/')).sort();
}

/** A verified run and the exact run.json bytes that vouch for it. */
interface Incoming {
  folder: string;
  source: string;
  saved: VerifiedRun;
  runBytes: Buffer;
}

/** history.json without its per-epoch times (`seconds`, `cpuSeconds`: the one part of a result a clock decides). */
function historyWithoutTimes(saved: VerifiedRun): string {
  const history = JSON.parse(saved.bytes.get(ARTIFACT_FILES.history)!.toString('utf8')) as unknown;
  return canonicalJson(JSON.parse(JSON.stringify(history, (k, v: unknown) => (/seconds$/i.test(k) ? undefined : v))));
}

/**
 * Undefined when both copies are the same run: the same cache key and the same recorded hash for
 * every result file (weights, metrics, predictions), history.json equal apart from its epoch
 * times (training the same run twice gives the same numbers but not the same seconds). Otherwise
 * what differs.
 */
function sameRun(a: VerifiedRun, b: VerifiedRun): string | undefined {
  if (a.run.cacheKey !== b.run.cacheKey) return `a different cache key (${a.run.cacheKey.slice(0, 12)}… here, ${b.run.cacheKey.slice(0, 12)}… incoming: other code, settings or data)`;
  const differing = RUN_ARTIFACTS.filter((n) => a.run.artifacts[n]?.sha256 !== b.run.artifacts[n]?.sha256).filter((n) => n !== ARTIFACT_FILES.history || historyWithoutTimes(a) !== historyWithoutTimes(b));
  if (differing.length) return `the same cache key but different results (${differing.join(', ')} differ: trained on two machines whose numerics differ?)`;
  return undefined;
}

function readIncoming(root: string, folder: string): Incoming | MergeProblem {
  const dir = path.join(root, folder);
  const source = root;
  const fix = `leave it out of the merge, or retrain it on the machine that made it`;
  try {
    const runBytes = fs.readFileSync(path.join(dir, ARTIFACT_FILES.run));
    const saved = readVerifiedRun(dir, fix, { weightsOptional: true });
    if (!saved) return { folder, source, problem: 'has no run.json' };
    // The files were verified against this very run.json (not one rewritten in between).
    if (canonicalJson((JSON.parse(runBytes.toString('utf8')) as { artifacts?: unknown }).artifacts) !== canonicalJson(saved.run.artifacts)) {
      return { folder, source, problem: 'run.json changed while it was being read; merge again' };
    }
    if (saved.legacy) return { folder, source, problem: 'is in the old run format (fmnist-run-1), which cannot be verified as this checkout needs; retrain it' };
    const belongs = path.relative(root, artifactDir(variantOfRun(saved.run), root)).split(path.sep).join('/');
    if (belongs !== folder) return { folder, source, problem: `run.json records a run that belongs in ${belongs} (moved or copied by hand?)` };
    return { folder, source, saved, runBytes };
  } catch (err) {
    if (err instanceof DamagedResultError) return { folder, source, problem: `${path.relative(dir, err.file) || err.file} ${err.problem}` };
    return { folder, source, problem: (err as Error).message };
  }
}

export interface MergeOptions {
  /** Where to merge into (default resultsDir()). */
  into?: string;
  /** Only say what would happen. */
  dryRun?: boolean;
}

/** Plans the whole merge, refuses it if any run is refused, then copies run by run (see the top of this file). */
export async function mergeResults(sources: readonly string[], opts: MergeOptions = {}): Promise<MergeResult> {
  const dest = path.resolve(opts.into ?? resultsDir());
  const copied: MergeEntry[] = [];
  const identical: MergeEntry[] = [];
  const refused: MergeProblem[] = [];
  const planned = new Map<string, Incoming & { action: MergeAction }>();
  for (const raw of sources) {
    const root = resultsRootOf(raw);
    if (!isDir(root)) throw new Error(`${raw} is not a folder (give another checkout's results/ folder, or the checkout itself)`);
    if (isDir(dest) && fs.realpathSync(root) === fs.realpathSync(dest)) throw new Error(`${raw} is this checkout's own results folder (${displayPath(dest)}); give the other machines' folders`);
    for (const folder of findRunFolders(root)) {
      const x = readIncoming(root, folder);
      if (!('saved' in x)) {
        refused.push(x);
        continue;
      }
      const entry = (action: MergeAction): MergeEntry => ({ folder, source: root, action, weights: x.saved.bytes.has(ARTIFACT_FILES.weights) });
      const other = planned.get(folder);
      if (other) {
        const diff = sameRun(other.saved, x.saved);
        if (diff) refused.push({ folder, source: root, problem: `conflicts with the copy in ${other.source}: ${diff}` });
        else identical.push(entry('identical'));
        continue;
      }
      const target = path.join(dest, folder);
      let action: MergeAction = 'copy';
      if (fs.existsSync(path.join(target, ARTIFACT_FILES.run))) {
        let here: VerifiedRun | undefined;
        try {
          here = readVerifiedRun(target, 'fix or delete it', { weightsOptional: true });
        } catch (err) {
          const why = err instanceof DamagedResultError ? `${path.basename(err.file)} ${err.problem}` : (err as Error).message;
          refused.push({ folder, source: root, problem: `the copy already here is damaged (${why}); delete ${displayPath(target)} or restore it, then merge again` });
          continue;
        }
        const diff = here && sameRun(here, x.saved);
        if (diff) {
          refused.push({ folder, source: root, problem: `conflicts with the run already here: ${diff}. Nothing is overwritten; delete one of the two copies (\`rm -r\`) and merge again` });
          continue;
        }
        identical.push(entry('identical'));
        continue;
      } else if (fs.existsSync(target)) {
        // A folder without run.json holds no result (an interrupted run's checkpoint), unless a trainer is writing it now.
        if (fs.existsSync(path.join(target, ARTIFACT_FILES.lock))) {
          refused.push({ folder, source: root, problem: `a training process is writing ${displayPath(target)} (it holds ${ARTIFACT_FILES.lock}); merge when it has finished` });
          continue;
        }
        action = 'replace-unfinished';
      }
      planned.set(folder, { ...x, action });
      copied.push(entry(action));
    }
  }
  const result: MergeResult = { copied, identical, refused, dryRun: !!opts.dryRun };
  if (refused.length > 0 || opts.dryRun) return result;
  for (const p of planned.values()) await copyRun(p, dest);
  return result;
}

const tempName = (target: string, what: string) => path.join(path.dirname(target), `.merge-${what}-${path.basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`);

/** Writes the verified bytes into a temp folder beside the target, then renames it into place, then checks it there. */
async function copyRun(p: Incoming & { action: MergeAction }, dest: string): Promise<void> {
  const target = path.join(dest, p.folder);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempName(target, 'new');
  try {
    await fs.promises.mkdir(tmp);
    // The bytes that were verified, not a second read of the source (it could change in between).
    for (const [name, bytes] of p.saved.bytes) await writeFileAtomic(path.join(tmp, name), bytes);
    await writeFileAtomic(path.join(tmp, ARTIFACT_FILES.run), p.runBytes);
    if (p.action === 'replace-unfinished') {
      const old = tempName(target, 'old');
      await fs.promises.rename(target, old);
      await fs.promises.rename(tmp, target);
      await fs.promises.rm(old, { recursive: true, force: true });
    } else {
      // Fails (EEXIST / ENOTEMPTY) rather than replace a folder that appeared since the check.
      await fs.promises.rename(tmp, target);
    }
  } catch (err) {
    await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw new Error(`could not merge ${p.folder} from ${p.source} into ${displayPath(target)}: ${(err as Error).message}`);
  }
  const landed = readVerifiedRun(target, 'merge again', { weightsOptional: true });
  if (!landed || landed.run.cacheKey !== p.saved.run.cacheKey) throw new Error(`${displayPath(target)} does not verify after the merge; delete it and merge again`);
}
