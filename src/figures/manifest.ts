/**
 * figures/manifest.json: one entry per figure (keyed by its id), saying which notebook and cell made it,
 * from which data (checksums), under which seed/profile/protocol, at which git commit, and which files hold it.
 * Notebooks may run concurrently, so every update is a locked read-modify-write with an atomic write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as lockfile from 'proper-lockfile';
import { writeJsonAtomic } from '../util/atomic';
import { gitInfo } from '../results/provenance';

export interface ManifestEntry {
  id: string;
  kind: 'figure' | 'table';
  /** Notebook file name without .ipynb (from setNotebook()), or 'unknown'. */
  notebook: string;
  /** Quarto cell label of the cell that shows it: the same as id. */
  cell: string;
  caption: string;
  alt?: string;
  /** Files written, relative to the manifest's folder. */
  files: string[];
  /** SHA-256 of each file in `files`, so a reviewer can check a figure file is the one recorded. */
  sha256?: Record<string, string>;
  seed: number;
  profile: string;
  protocol: string;
  dataChecksums?: Record<string, string>;
  backend?: string;
  gitCommit: string;
  /** True when the working tree had uncommitted changes to tracked files. */
  gitDirty: boolean;
  /** When (and, with gitCommit, from which checkout) an entry with exactly this content was first written. */
  generatedAt: string;
  [key: string]: unknown;
}

/** What says when and from which checkout an entry was written, not what the figure is. */
const WRITTEN_FIELDS = ['gitCommit', 'gitDirty', 'generatedAt'] as const;

function withoutWrittenFields(entry: ManifestEntry): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...entry };
  for (const key of WRITTEN_FIELDS) delete rest[key];
  return rest;
}

/** True when two entries describe the same figure: same files and contents, caption, data, settings. */
export function sameManifestEntry(a: ManifestEntry, b: ManifestEntry): boolean {
  return isDeepStrictEqual(withoutWrittenFields(a), withoutWrittenFields(b));
}

/**
 * Puts `entry` into `figures`, except that an existing entry for the same, unchanged figure is kept as it
 * is: re-running a notebook that reproduces a figure byte for byte leaves the manifest byte-identical.
 * A clean checkout's record does replace one made with uncommitted changes: then a commit reproduces it.
 */
export function mergeManifestEntry(figures: Record<string, ManifestEntry>, entry: ManifestEntry): void {
  const old = figures[entry.id];
  if (!old || !sameManifestEntry(old, entry) || (old.gitDirty && !entry.gitDirty)) figures[entry.id] = entry;
}

export interface Manifest {
  description: string;
  figures: Record<string, ManifestEntry>;
}

export const FIGURE_MANIFEST_NAME = 'manifest.json';
const DESCRIPTION = 'Every figure and table in this folder, with the notebook cell, data, seed and commit that produced it. Written by src/figures/manifest.ts.';

/** Reads <dir>/manifest.json, or an empty manifest if there is none. Throws naming the file if it is not valid JSON. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, FIGURE_MANIFEST_NAME);
  if (!fs.existsSync(file)) return { description: DESCRIPTION, figures: {} };
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Manifest>;
    return { description: DESCRIPTION, figures: parsed.figures ?? {} };
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}): fix or delete it; the next figure run rewrites it`);
  }
}

/** Adds or replaces the entry for `entry.id` in <dir>/manifest.json, under a lock, written atomically. */
export async function recordInManifest(dir: string, entry: ManifestEntry): Promise<void> {
  await updateManifest(dir, (figures) => mergeManifestEntry(figures, entry));
}

/**
 * Locked read-modify-write of <dir>/manifest.json: `update` edits the entries (and may do other work that must
 * not interleave with another writer, e.g. moving the figure files in), then the manifest is written atomically.
 * Every writer (figures shown in a kernel, staged figures promoted by the pipeline) goes through this one lock.
 */
export async function updateManifest(dir: string, update: (figures: Record<string, ManifestEntry>) => void | Promise<void>): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, FIGURE_MANIFEST_NAME);
  const release = await lockfile.lock(file, {
    realpath: false,
    lockfilePath: `${file}.lock`,
    retries: { retries: 200, factor: 1.3, minTimeout: 10, maxTimeout: 200 },
    stale: 30_000,
  });
  try {
    const manifest = readManifest(dir);
    await update(manifest.figures);
    // Sorted keys keep diffs of the committed manifest small and readable.
    const sorted: Record<string, ManifestEntry> = {};
    for (const id of Object.keys(manifest.figures).sort()) sorted[id] = manifest.figures[id];
    await writeJsonAtomic(file, { description: DESCRIPTION, figures: sorted });
  } finally {
    await release();
  }
}

let gitCache: { commit: string; dirty: boolean } | undefined;
/** The repository's HEAD commit and whether tracked files have changes ('unknown' outside a git checkout). Read once per process. */
export function gitState(): { commit: string; dirty: boolean } {
  if (gitCache) return gitCache;
  // One definition of "which commit, with local changes or not" for results and figures alike.
  const info = gitInfo();
  gitCache = { commit: info.commit ?? 'unknown', dirty: info.dirty ?? false };
  return gitCache;
}
