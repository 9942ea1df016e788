import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES } from '../models/architectures';
import { ARTIFACT_FILES, artifactDir } from '../results/layout';
import type { RunFile } from '../results/report';
import type { RuntimeIdentity } from '../results/runtime';
import type { ProfileName } from '../training/profiles';

/** Which models a main-job run trained itself and which it loaded from the cache of an earlier run. */
export interface TrainedInRun {
  /** `<protocol>/<model>` whose saved run finished training after the job started. */
  trained: string[];
  /** `<protocol>/<model>` whose saved run is older than the job (loaded from the cache). */
  cached: string[];
}

/**
 * Sorts the saved runs of every model under `protocols` by when their training finished: after
 * `since` means this job trained it. `runtime`: the job's backend, tfjs and data (they pick the folders). A model without a saved run is left out of both lists.
 */
export function modelsTrainedSince(since: Date, profile: ProfileName, protocols: readonly SplitProtocol[], runtime: RuntimeIdentity, root?: string): TrainedInRun {
  const out: TrainedInRun = { trained: [], cached: [] };
  for (const protocol of protocols) {
    for (const model of MODEL_NAMES) {
      const file = path.join(artifactDir({ profile, protocol, model, runtime }, root), ARTIFACT_FILES.run);
      if (!fs.existsSync(file)) continue;
      const run = JSON.parse(fs.readFileSync(file, 'utf8')) as RunFile;
      const finished = Date.parse(run.timings.finishedAt);
      (finished >= since.getTime() ? out.trained : out.cached).push(`${protocol}/${model}`);
    }
  }
  return out;
}

/** One sentence for the article: how much of the run's wall time was training. */
export function describeTrainedInRun(t: TrainedInRun): string {
  const total = t.trained.length + t.cached.length;
  if (t.cached.length === 0) return `all ${total} models were trained in this run`;
  if (t.trained.length === 0) return `all ${total} models were loaded from the cache of an earlier run, so this time includes no training`;
  return `${t.trained.length} of the ${total} models ${t.trained.length === 1 ? 'was' : 'were'} trained in this run and the other ${t.cached.length} loaded from the cache of an earlier run`;
}

/**
 * Which trained models a main-job record describes: `<protocol>/<model>` → the saved run's cache key and
 * the time its training finished. Two records with equal fingerprints executed the notebooks on the very
 * same trained models.
 */
export function savedRunsFingerprint(profile: ProfileName, protocols: readonly SplitProtocol[], runtime: RuntimeIdentity, root?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const protocol of protocols) {
    for (const model of MODEL_NAMES) {
      const file = path.join(artifactDir({ profile, protocol, model, runtime }, root), ARTIFACT_FILES.run);
      if (!fs.existsSync(file)) continue;
      const run = JSON.parse(fs.readFileSync(file, 'utf8')) as RunFile;
      out[`${protocol}/${model}`] = `${run.cacheKey} ${run.timings.finishedAt}`;
    }
  }
  return out;
}
