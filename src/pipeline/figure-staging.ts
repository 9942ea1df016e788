/**
 * Figure staging: a notebook execution writes its figures, tables and manifest entries into a private
 * folder, <figures>/.staging/<job>-<pid>-<random>/, and only a notebook that ran to the end has them moved
 * into <figures>/ and merged into <figures>/manifest.json. So a failed, interrupted or killed execution
 * never leaves figures that claim to come from a complete run (issue 7, "Interruptions").
 *
 * The staging folder mirrors the final one: a kernel given FMNIST_FIGURES_DIR=<staging> writes the paper
 * profile's figures to <staging>/ and other profiles' to <staging>/<profile>/, and each of those folders
 * is promoted into the same sub-folder of <figures>/. Manifest entries name their files relative to their
 * manifest's folder, so they point at the final file names once moved.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FIGURE_MANIFEST_NAME, mergeManifestEntry, readManifest, updateManifest, type ManifestEntry } from '../figures/manifest';

/** Folder (inside a figures folder) that holds the staging folders; gitignored. */
export const STAGING_DIR_NAME = '.staging';

export interface FigureStaging {
  /** The final figures folder the staged files are promoted into. */
  finalDir: string;
  /** The private folder to give the kernel as FMNIST_FIGURES_DIR. */
  dir: string;
}

/**
 * Creates a private staging folder for one execution under <finalDir>/.staging/, after deleting the
 * staging folders that killed processes left behind. `job` names the execution (e.g. the notebook).
 */
export function createFigureStaging(finalDir: string, job: string): FigureStaging {
  const final = path.resolve(finalDir);
  cleanStaleStaging(final);
  const safeJob = job.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'notebook';
  const dir = path.join(final, STAGING_DIR_NAME, `${safeJob}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  return { finalDir: final, dir };
}

/**
 * Deletes staging folders under <finalDir>/.staging/ whose owning process is gone (killed with SIGKILL,
 * or the machine stopped): nothing in them ever counts as a result. Folders of live processes (another
 * run in progress) are left alone. Returns the folders deleted.
 */
export function cleanStaleStaging(finalDir: string): string[] {
  const root = path.join(finalDir, STAGING_DIR_NAME);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = ownerPid(name);
    if (pid !== undefined && processAlive(pid)) continue;
    const dir = path.join(root, name);
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  removeIfEmpty(root);
  return removed;
}

/**
 * Moves everything the execution staged into the final folder and merges the staged manifest entries
 * into the final manifest.json, one folder at a time under that manifest's lock (concurrent promotions
 * and kernels writing figures directly serialise on it), then deletes the staging folder.
 * Returns the ids of the entries promoted.
 */
export async function promoteFigureStaging(staging: FigureStaging): Promise<string[]> {
  try {
    const promoted: string[] = [];
    for (const rel of stagedFolders(staging.dir)) {
      const from = path.join(staging.dir, rel);
      const to = path.join(staging.finalDir, rel);
      const files = stagedFiles(from);
      const staged = fs.existsSync(path.join(from, FIGURE_MANIFEST_NAME)) ? readManifest(from).figures : {};
      if (files.length === 0 && Object.keys(staged).length === 0) continue;
      await updateManifest(to, async (figures) => {
        for (const file of files) {
          await fs.promises.rename(path.join(from, file), path.join(to, file)); // same file system: atomic per file
        }
        for (const entry of Object.values(staged)) {
          mergeManifestEntry(figures, entry);
          const id = entry.id;
          promoted.push(rel ? `${rel}/${id}` : id);
        }
        await dropRetired(to, figures, staged);
      });
    }
    return promoted;
  } finally {
    discardFigureStaging(staging); // whatever could not be promoted is not a result either
  }
}

/**
 * A notebook that ran to the end showed every figure it still makes: an entry of the same notebook that
 * it no longer wrote (a figure renamed, or turned into a table) is retired with its files, unless
 * another entry names the same file. Without this the folder kept, and the manifest vouched for,
 * figures no cell makes any more.
 */
async function dropRetired(dir: string, figures: Record<string, ManifestEntry>, staged: Record<string, ManifestEntry>): Promise<void> {
  const notebooks = new Set(Object.values(staged).map((e) => e.notebook));
  const retired = Object.values(figures).filter((e) => notebooks.has(e.notebook) && !(e.id in staged));
  for (const e of retired) delete figures[e.id];
  const kept = new Set(Object.values(figures).flatMap((e) => e.files));
  for (const file of retired.flatMap((e) => e.files)) {
    if (!kept.has(file)) await fs.promises.rm(path.join(dir, file), { force: true });
  }
}

/** Deletes the staging folder (a failed or interrupted execution): the final folder is not touched. */
export function discardFigureStaging(staging: FigureStaging): void {
  fs.rmSync(staging.dir, { recursive: true, force: true });
  removeIfEmpty(path.dirname(staging.dir));
}

/** Folders under `dir` (relative, '' for itself) that may hold staged figures: itself and its sub-folders. */
function stagedFolders(dir: string, rel = ''): string[] {
  const out = [rel];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== STAGING_DIR_NAME && !entry.name.endsWith('.lock')) {
      out.push(...stagedFolders(dir, path.join(rel, entry.name)));
    }
  }
  return out;
}

/** The regular files directly in `dir` to promote: not the manifest (merged instead), locks or atomic-write temp files. */
function stagedFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== FIGURE_MANIFEST_NAME && !e.name.endsWith('.lock') && !isAtomicTempName(e.name))
    .map((e) => e.name)
    .sort();
}

/** src/util/atomic.ts writes to `.<name>.tmp-<pid>-<hex>` before renaming (older versions: `<name>.<number>`); one left over is a torn write, never a result. */
function isAtomicTempName(name: string): boolean {
  return /^\..+\.tmp-\d+-[0-9a-f]+$/.test(name) || /\.\d+$/.test(name);
}

/** The pid in a staging folder's name (`<job>-<pid>-<hex>`), or undefined for a name this module did not make. */
function ownerPid(name: string): number | undefined {
  const match = /-(\d+)-[0-9a-f]{8}$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty (another execution is staging) or already gone
  }
}
