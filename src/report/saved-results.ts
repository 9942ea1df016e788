import * as path from 'node:path';
import { MODEL_NAMES, type ModelName } from '../models/registry';
import { displayPath, resultsDir } from '../util/paths';
import { ARTIFACT_FILES } from '../results/layout';
import { committedRuntime, type RuntimeIdentity } from '../results/runtime';
import { openVerifiedRun, resolveSettings } from '../results/saved-runs';
import type { VerifiedRun } from '../results/artifacts';
import { nativeBackendFailure, otherBackendNote } from '../tf/backend';

/**
 * The committed runs the report is generated from (results/<protocol>/<model>/, every file verified
 * against its run.json), and the helpers that read fields out of them with errors naming the file.
 * Its own module so the report's parts (variables, claims, interpretability) import it without
 * importing each other.
 */

export type Json = Record<string, unknown>;

export const REPORT_PROTOCOLS = ['paper', 'official'] as const;

const rel = displayPath;

/** One model's saved results under one protocol. */
export interface ModelResults {
  metrics: Json;
  history: Json;
  run: Json;
  /** metrics.json, history.json, run.json (absolute paths, for error messages). */
  files: string[];
}

export type LoadedResults = Record<(typeof REPORT_PROTOCOLS)[number], Record<ModelName, ModelResults>>;

/**
 * Reads every protocol's and model's results through openVerifiedRun (every file checked against
 * the hashes in its run.json), failing with the list of missing results and how to make them, or
 * naming the first damaged file and the fix.
 */
export function loadResults(resultsRoot: string = resultsDir(), runtime: RuntimeIdentity = committedRuntime()): LoadedResults {
  const missing: string[] = [];
  const out = {} as LoadedResults;
  for (const protocol of REPORT_PROTOCOLS) {
    out[protocol] = {} as Record<ModelName, ModelResults>;
    for (const model of MODEL_NAMES) {
      const variant = { ...resolveSettings({ model, protocol, profile: 'paper' }), runtime };
      let saved: VerifiedRun;
      try {
        saved = openVerifiedRun(variant, { root: resultsRoot });
      } catch (err) {
        if ((err as Error).name !== 'NoSavedRunError') throw new Error(`cannot generate the report's numbers: ${(err as Error).message}`);
        missing.push(path.join((err as { dir: string }).dir, ARTIFACT_FILES.run));
        continue;
      }
      const files = [ARTIFACT_FILES.metrics, ARTIFACT_FILES.history, ARTIFACT_FILES.run].map((f) => path.join(saved.dir, f));
      out[protocol][model] = { metrics: saved.metrics as unknown as Json, history: saved.history as unknown as Json, run: saved.run as unknown as Json, files };
    }
  }
  if (missing.length) {
    // On another backend than the committed one, why comes first: retraining is rarely the fix.
    const note = otherBackendNote(runtime);
    const train = 'Run the main job (`npm run main`), or train them with `node bin/fmnist.js train all --profile paper --protocol <paper|official>`.';
    throw new Error(
      `cannot generate the report's numbers: ${note ? `${note}.\nThese results (${runtime.backend} backend) are missing` : 'these results are missing'}:\n  ${missing.map(rel).join('\n  ')}` +
        // After a failed native load the note's fix is the advice; "train them" would mean hours on the fallback.
        (nativeBackendFailure() === undefined ? `\n${train}` : ''),
    );
  }
  return out;
}

export function lookup(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Json)[k] : undefined), obj);
}

export function num(obj: unknown, paths: string[], file: string): number {
  for (const p of paths) {
    const v = lookup(obj, p);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  throw new Error(`${rel(file)}: missing numeric field ${paths.join(' or ')}; regenerate it (fmnist train ... --force)`);
}

export function str(obj: unknown, paths: string[], file: string): string {
  for (const p of paths) {
    const v = lookup(obj, p);
    if (typeof v === 'string' && v) return v;
  }
  throw new Error(`${rel(file)}: missing field ${paths.join(' or ')}; regenerate it (fmnist train ... --force)`);
}
