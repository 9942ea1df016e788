import * as path from 'node:path';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { predictionsOfRun, type VerifiedRun } from '../results/artifacts';
import { runtimeSuffix } from '../results/layout';
import type { RuntimeIdentity } from '../results/runtime';
import { openVerifiedRun, resolveSettings } from '../results/saved-runs';
import type { ProfileName } from '../training/profiles';
import { resultsDir } from '../util/paths';
import { writeJsonAtomic } from '../util/atomic';
import { SPLIT_PROTOCOLS } from '../data/splits';
import { COMMITTED_SEED, studySeeds } from './seeds';
import { holmAdjust, mcnemarExact, pairedTTest, summarize, wilcoxonSignedRank, type Summary } from './statistics';

/** Significance level of every statement the report makes from the study. */
export const ALPHA = 0.05;

export interface SeedResult {
  seed: number;
  testAccuracy: number;
  macroF1: number;
  bestEpoch: number;
  /** Training + evaluation wall seconds of this run. */
  seconds: number;
  backend: string;
  cacheKey: string;
  /** The run's results folder, relative to the results root (e.g. paper-seed1/official/cnn3). */
  folder: string;
}

export interface RunSummary {
  protocol: SplitProtocol;
  model: ModelName;
  testAccuracy: Summary;
  macroF1: Summary;
  perSeed: SeedResult[];
}

export interface Comparison {
  protocol: SplitProtocol;
  a: ModelName;
  b: ModelName;
  /** Test accuracy of a minus b, averaged over the seeds (paired by seed). */
  meanDiff: number;
  ci95: [number, number] | null;
  pairedT: { t: number | null; df: number; p: number | null };
  wilcoxon: { wPlus: number; n: number; p: number; minimumP: number };
  /** McNemar's exact test on the committed seed's test predictions: b = a right and b wrong, c = the reverse. */
  mcnemar: { seed: number; b: number; c: number; p: number; pHolm: number };
  /** The paired t-test's p-value, Holm-adjusted over the protocol's pairs. */
  pHolm: number | null;
  /** pHolm < ALPHA. */
  significant: boolean;
}

/** results/study/summary.json */
export interface StudySummary {
  format: 'fmnist-study-1';
  profile: ProfileName;
  seeds: number[];
  committedSeed: number;
  protocols: SplitProtocol[];
  models: ModelName[];
  alpha: number;
  /** Keyed `<protocol>/<model>`. */
  runs: Record<string, RunSummary>;
  comparisons: Comparison[];
  /** Summed over the runs: what training the whole study costs (not its wall time, which timings.json records). */
  compute: { runs: number; seconds: number; backends: string[] };
}

/**
 * results/study/ for the paper profile on the committed runtime (node, pinned tfjs, full data: what
 * the article reads); otherwise results/<profile><runtime>/study/ beside that runtime's run folders,
 * e.g. results/paper-wasm/study/ or results/smoke-wasm-d…/study/, so another machine's study never
 * replaces the committed one.
 */
export function studyDir(profile: ProfileName, runtime: RuntimeIdentity, root: string = resultsDir()): string {
  const variant = `${profile}${runtimeSuffix(runtime)}`;
  return variant === 'paper' ? path.join(root, 'study') : path.join(root, variant, 'study');
}

/**
 * summary.json for the full study (default seeds, both protocols, all four models: what the report
 * reads); a narrower selection gets its own file, e.g. summary-paper-cnn1+cnn2-3seeds.json, so it
 * never replaces the full study's.
 */
export function summaryPath(sel: StudySelection, runtime: RuntimeIdentity, root?: string): string {
  const full = sel.protocols.length === SPLIT_PROTOCOLS.length && sel.models.length === MODEL_NAMES.length && sameSeeds(sel.seeds, studySeeds());
  const name = full ? 'summary.json' : `summary-${sel.protocols.length === SPLIT_PROTOCOLS.length ? 'both' : sel.protocols.join('+')}-${MODEL_NAMES.filter((m) => sel.models.includes(m)).join('+')}-${sel.seeds.length}seeds.json`;
  return path.join(studyDir(sel.profile, runtime, root), name);
}

function sameSeeds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function runId(protocol: SplitProtocol, model: ModelName): string {
  return `${protocol}/${model}`;
}

export interface StudySelection {
  profile: ProfileName;
  protocols: SplitProtocol[];
  models: ModelName[];
  seeds: number[];
}

/** A study run through the one resolver of results folders: verified, weights optional (only the committed seed's are in git). */
function savedRun(sel: StudySelection, protocol: SplitProtocol, model: ModelName, seed: number, runtime: RuntimeIdentity, root?: string): VerifiedRun {
  return openVerifiedRun({ ...resolveSettings({ model, protocol, profile: sel.profile, seed }), runtime }, { root, weightsOptional: true });
}

/** What the statistics need from one saved run. */
export interface StudyRunInput {
  protocol: SplitProtocol;
  model: ModelName;
  result: SeedResult;
  /** The committed seed's test labels and predictions (other seeds may leave them out). */
  predictions?: { labels: Uint8Array; predicted: Uint8Array; testChecksum: string };
}

/** Reads every saved run of the selection made on `runtime` (metrics, provenance, and the committed seed's predictions). */
export function readStudyRuns(sel: StudySelection, runtime: RuntimeIdentity, root?: string): StudyRunInput[] {
  const out: StudyRunInput[] = [];
  for (const protocol of sel.protocols) {
    for (const model of MODEL_NAMES.filter((m) => sel.models.includes(m))) {
      for (const seed of sel.seeds) {
        const saved = savedRun(sel, protocol, model, seed, runtime, root);
        const { run, metrics } = saved;
        const result: SeedResult = {
          seed,
          testAccuracy: metrics.test.accuracy,
          macroF1: metrics.test.macroF1,
          bestEpoch: run.bestEpoch,
          seconds: run.timings.trainSeconds + run.timings.evalSeconds,
          backend: run.backend,
          cacheKey: run.cacheKey,
          folder: path.relative(root ?? resultsDir(), saved.dir).split(path.sep).join('/'),
        };
        let predictions: StudyRunInput['predictions'];
        if (seed === COMMITTED_SEED) {
          const p = predictionsOfRun(saved);
          predictions = { labels: p.labels, predicted: p.predicted, testChecksum: p.file.testChecksum };
        }
        out.push({ protocol, model, result, predictions });
      }
    }
  }
  return out;
}

/** The study's statistics from its saved runs on `runtime` (no training): {@link summarizeStudy} over {@link readStudyRuns}. */
export function buildStudySummary(sel: StudySelection, runtime: RuntimeIdentity, root?: string): StudySummary {
  return summarizeStudy(sel, readStudyRuns(sel, runtime, root));
}

/**
 * Per (protocol, model) the summaries of test accuracy and macro F1 over the seeds; per protocol
 * and pair of models (in the order of MODEL_NAMES, a before b) the paired comparison over seeds,
 * McNemar's test on the committed seed's predictions, and Holm-adjusted p-values over the
 * protocol's pairs. Pure: tests feed it made-up runs.
 */
export function summarizeStudy(sel: StudySelection, inputs: StudyRunInput[]): StudySummary {
  if (!sel.seeds.includes(COMMITTED_SEED)) throw new Error(`the seed study must include the committed seed ${COMMITTED_SEED} (McNemar's test uses its predictions)`);
  const models = MODEL_NAMES.filter((m) => sel.models.includes(m));
  const runs: Record<string, RunSummary> = {};
  const comparisons: Comparison[] = [];
  const backends = new Set<string>();
  let seconds = 0;
  for (const protocol of sel.protocols) {
    const predictions = new Map<ModelName, NonNullable<StudyRunInput['predictions']>>();
    for (const model of models) {
      const perSeed = sel.seeds.map((seed) => {
        const input = inputs.find((x) => x.protocol === protocol && x.model === model && x.result.seed === seed);
        if (!input) throw new Error(`the seed study has no run for ${protocol}/${model} seed ${seed}; run \`fmnist study\``);
        if (seed === COMMITTED_SEED) {
          if (!input.predictions) throw new Error(`${protocol}/${model} seed ${seed}: McNemar's test needs this run's test predictions`);
          predictions.set(model, input.predictions);
        }
        backends.add(input.result.backend);
        seconds += input.result.seconds;
        return input.result;
      });
      runs[runId(protocol, model)] = {
        protocol,
        model,
        testAccuracy: summarize(perSeed.map((r) => r.testAccuracy)),
        macroF1: summarize(perSeed.map((r) => r.macroF1)),
        perSeed,
      };
    }
    const pairs: Array<Omit<Comparison, 'pHolm' | 'significant' | 'mcnemar'> & { mcnemar: Omit<Comparison['mcnemar'], 'pHolm'> }> = [];
    for (let i = 0; i < models.length; i++) {
      for (let j = i + 1; j < models.length; j++) {
        const [a, b] = [models[i], models[j]];
        const accA = runs[runId(protocol, a)].perSeed.map((r) => r.testAccuracy);
        const accB = runs[runId(protocol, b)].perSeed.map((r) => r.testAccuracy);
        const t = pairedTTest(accA, accB);
        const w = wilcoxonSignedRank(accA, accB);
        const pa = predictions.get(a)!;
        const pb = predictions.get(b)!;
        if (pa.testChecksum !== pb.testChecksum) throw new Error(`${protocol}: ${a} and ${b} were tested on different images (test checksums differ); retrain the seed study`);
        const m = mcnemarExact(pa.labels, pa.predicted, pb.predicted);
        pairs.push({
          protocol,
          a,
          b,
          meanDiff: t.meanDiff,
          ci95: t.ci95,
          pairedT: { t: t.t, df: t.df, p: t.p },
          wilcoxon: { wPlus: w.wPlus, n: w.n, p: w.p, minimumP: w.minimumP },
          mcnemar: { seed: COMMITTED_SEED, ...m },
        });
      }
    }
    const holmT = holmAdjust(pairs.map((c) => c.pairedT.p ?? 1));
    const holmM = holmAdjust(pairs.map((c) => c.mcnemar.p));
    pairs.forEach((c, k) => {
      const pHolm = c.pairedT.p === null ? null : holmT[k];
      comparisons.push({ ...c, mcnemar: { ...c.mcnemar, pHolm: holmM[k] }, pHolm, significant: pHolm !== null && pHolm < ALPHA });
    });
  }
  return {
    format: 'fmnist-study-1',
    profile: sel.profile,
    seeds: [...sel.seeds],
    committedSeed: COMMITTED_SEED,
    protocols: [...sel.protocols],
    models,
    alpha: ALPHA,
    runs,
    comparisons,
    compute: { runs: sel.protocols.length * models.length * sel.seeds.length, seconds, backends: [...backends].sort() },
  };
}

export async function writeStudySummary(summary: StudySummary, runtime: RuntimeIdentity, root?: string): Promise<string> {
  const file = summaryPath(summary, runtime, root);
  await writeJsonAtomic(file, summary);
  return file;
}
