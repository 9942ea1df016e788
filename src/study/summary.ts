import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { DamagedResultError, displayPath, predictionsOfRun, type VerifiedRun } from '../results/artifacts';
import { runtimeSuffix } from '../results/layout';
import { committedRuntime, type RuntimeIdentity } from '../results/runtime';
import { NoSavedRunError, openVerifiedRun, resolveSettings } from '../results/saved-runs';
import type { ProfileName } from '../training/profiles';
import { resultsDir } from '../util/paths';
import { writeJsonAtomic } from '../util/atomic';
import { SPLIT_PROTOCOLS } from '../data/splits';
import { COMMITTED_SEED, studySeeds } from './seeds';
import { holmAdjust, holmLevels, mcnemarExact, pairedTTest, summarize, wilcoxonSignedRank, type McNemarResult, type Summary } from './statistics';

/** Significance level of every statement the report makes from the study. */
export const ALPHA = 0.05;

export interface SeedResult {
  seed: number;
  testAccuracy: number;
  /** Correct test images (counted from predictions.json): the integer the Wilcoxon test ranks. */
  testCorrect: number;
  /** Test images (the same for every run of a protocol: the split is fixed). */
  testCount: number;
  /** metrics.train.accuracy: the training images scored without augmentation after training. */
  trainAccuracy: number;
  /** Correct training images and training images (metrics.train): the gap's tests use them as integers too. */
  trainCorrect: number;
  trainCount: number;
  /** trainAccuracy − testAccuracy, a fraction (the overfitting gap the paper discusses). */
  gap: number;
  macroF1: number;
  /** Epochs trained (run.epochs). */
  epochs: number;
  bestEpoch: number;
  /** Wall seconds of the training epochs (run.timings.trainSeconds). */
  trainSeconds: number;
  /** Training + evaluation wall seconds of this run. */
  seconds: number;
  backend: string;
  /** The processor it trained on (run.json environment.cpuModel; null for runs before 5 December 2026): training times compare only on one. */
  cpuModel: string | null;
  cacheKey: string;
  /** The run's results folder, relative to the results root (e.g. paper-seed1/official/cnn3). */
  folder: string;
}

export interface RunSummary {
  protocol: SplitProtocol;
  model: ModelName;
  testAccuracy: Summary;
  trainAccuracy: Summary;
  gap: Summary;
  macroF1: Summary;
  /** Training time over the seeds: the median is the model's cost (one contended run does not move it). */
  trainSeconds: { median: number; min: number; max: number };
  perSeed: SeedResult[];
}

/** What a comparison compares: test accuracy, or the train − test gap. */
export type ComparisonMetric = 'testAccuracy' | 'gap';

/** McNemar's exact test on every seed's test predictions (seed by seed: model a's run against model b's run of that seed). */
export interface McNemarOverSeeds {
  /** b = images a got right and b wrong, c = the reverse; pHolm adjusted over the protocol's pairs within the seed. */
  perSeed: Array<{ seed: number; b: number; c: number; p: number; pHolm: number }>;
  /** Seeds whose Holm-adjusted McNemar p is below alpha. */
  significantSeeds: number;
  /**
   * b and c summed over the seeds, as a size, not a test: the seeds share their test images, so
   * pooled counts are not independent draws and a p-value from them would be too small.
   */
  pooled: { b: number; c: number };
}

export interface Comparison {
  protocol: SplitProtocol;
  metric: ComparisonMetric;
  a: ModelName;
  b: ModelName;
  /** The metric of a minus b (a fraction), averaged over the seeds (paired by seed). */
  meanDiff: number;
  /**
   * meanDiff as test images: for test accuracy, the mean difference in correct test images (0.3
   * points of 14,000 = 42); for the gap, meanDiff × the test images, i.e. the gap difference on the
   * test set's scale (how many test images it would take to close it).
   */
  meanDiffImages: number;
  /**
   * The interval of meanDiff at the level Holm's step-down procedure judged this pair (holmLevels):
   * 1 − α/(m − j + 1), so it excludes zero exactly when `significant` is true. Not a simultaneous
   * interval; null with fewer than two seeds.
   */
  ciHolm: [number, number] | null;
  /** The confidence level of ciHolm (e.g. 0.9917 = 1 − 0.05/6 for the smallest of six p-values). */
  ciHolmLevel: number | null;
  /** The plain 95% t interval, NOT adjusted for the protocol's pairs: it may exclude zero for a pair Holm keeps. */
  ci95Unadjusted: [number, number] | null;
  pairedT: { t: number | null; df: number; p: number | null };
  /** Exact signed-rank test on integer counts (correct test images; for the gap, train·test-scaled counts), ties kept. */
  wilcoxon: { wPlus: number; n: number; p: number; minimumP: number };
  /** Test accuracy only (McNemar compares per-image errors on the test set); null for the gap. */
  mcnemar: McNemarOverSeeds | null;
  /** The paired t-test's p-value, Holm-adjusted over the protocol's pairs (within the metric). */
  pHolm: number | null;
  /** pHolm < ALPHA: the verdict every generated sentence uses. */
  significant: boolean;
}

export const STUDY_FORMAT = 'fmnist-study-2';

/** results/study/summary.json */
export interface StudySummary {
  format: typeof STUDY_FORMAT;
  profile: ProfileName;
  seeds: number[];
  committedSeed: number;
  protocols: SplitProtocol[];
  models: ModelName[];
  alpha: number;
  /** Test images per protocol (the same for every run of a protocol). */
  testCounts: Partial<Record<SplitProtocol, number>>;
  /** Keyed `<protocol>/<model>`. */
  runs: Record<string, RunSummary>;
  /** Paired comparisons of test accuracy (metric 'testAccuracy'), with McNemar over every seed. */
  comparisons: Comparison[];
  /** The same comparisons of the train − test gap (metric 'gap'; Holm over the protocol's pairs, as its own family). */
  gapComparisons: Comparison[];
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
 * summary.json for the study the report reads: both protocols, all four models, and the default
 * seeds or the first of them (a study still being completed over several sessions: the summary
 * says how many of the planned seeds it has). Any other selection gets its own file, e.g.
 * summary-paper-cnn1+cnn2-3seeds.json, so it never replaces the report's.
 */
export function summaryPath(sel: StudySelection, runtime: RuntimeIdentity, root?: string): string {
  const name = isReportSelection(sel) ? 'summary.json' : `summary-${sel.protocols.length === SPLIT_PROTOCOLS.length ? 'both' : sel.protocols.join('+')}-${MODEL_NAMES.filter((m) => sel.models.includes(m)).join('+')}-${sel.seeds.length}seeds.json`;
  return path.join(studyDir(sel.profile, runtime, root), name);
}

/** Both protocols, every model, and seeds that are the first of the default list. */
export function isReportSelection(sel: StudySelection): boolean {
  const planned = studySeeds();
  return sel.protocols.length === SPLIT_PROTOCOLS.length && sel.models.length === MODEL_NAMES.length && sel.seeds.length <= planned.length && sameSeeds(sel.seeds, planned.slice(0, sel.seeds.length));
}

/** How many seeds the summary in `file` has; 0 when there is none or it cannot be read. */
function seedsIn(file: string): number {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { seeds?: unknown[] }).seeds?.length ?? 0;
  } catch {
    return 0;
  }
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
  /** The run's test labels and predictions (every study run saves them): McNemar's test per seed. */
  predictions: { labels: Uint8Array; predicted: Uint8Array; testChecksum: string };
}

/** Correct predictions among labels/predicted. */
function countCorrect(labels: Uint8Array, predicted: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predicted[i]) n++;
  return n;
}

/** accuracy × count as the integer it was computed from; an error when it is not one (the files disagree). */
function correctOf(accuracy: number, count: number, what: string): number {
  if (!(Number.isSafeInteger(count) && count > 0)) throw new Error(`${what}: no image count (got ${count}); retrain the run with --force`);
  const k = Math.round(accuracy * count);
  if (Math.abs(k / count - accuracy) > 1e-9) throw new Error(`${what}: accuracy ${accuracy} is not a whole number of ${count} images`);
  return k;
}

/** Reads every saved run of the selection made on `runtime` (metrics, provenance and test predictions), each verified against its run.json. */
export function readStudyRuns(sel: StudySelection, runtime: RuntimeIdentity, root?: string): StudyRunInput[] {
  const out: StudyRunInput[] = [];
  for (const protocol of sel.protocols) {
    for (const model of MODEL_NAMES.filter((m) => sel.models.includes(m))) {
      for (const seed of sel.seeds) {
        const saved = savedRun(sel, protocol, model, seed, runtime, root);
        const { run, metrics } = saved;
        const folder = path.relative(root ?? resultsDir(), saved.dir).split(path.sep).join('/');
        const p = predictionsOfRun(saved);
        const testCorrect = countCorrect(p.labels, p.predicted);
        if (testCorrect !== correctOf(metrics.test.accuracy, p.labels.length, `${folder}/metrics.json test`)) {
          throw new Error(`${folder}: predictions.json has ${testCorrect} of ${p.labels.length} test images right, metrics.json a test accuracy of ${metrics.test.accuracy}; retrain the run with --force`);
        }
        const trainCount = metrics.train.count;
        const trainCorrect = correctOf(metrics.train.accuracy, trainCount, `${folder}/metrics.json train`);
        const result: SeedResult = {
          seed,
          testAccuracy: metrics.test.accuracy,
          testCorrect,
          testCount: p.labels.length,
          trainAccuracy: metrics.train.accuracy,
          trainCorrect,
          trainCount,
          gap: metrics.train.accuracy - metrics.test.accuracy,
          macroF1: metrics.test.macroF1,
          epochs: run.epochs,
          bestEpoch: run.bestEpoch,
          trainSeconds: run.timings.trainSeconds,
          seconds: run.timings.trainSeconds + run.timings.evalSeconds,
          backend: run.backend,
          cpuModel: run.environment?.cpuModel ?? null,
          cacheKey: run.cacheKey,
          folder,
        };
        out.push({ protocol, model, result, predictions: { labels: p.labels, predicted: p.predicted, testChecksum: p.file.testChecksum } });
      }
    }
  }
  return out;
}

/** The study's statistics from its saved runs on `runtime` (no training): {@link summarizeStudy} over {@link readStudyRuns}. */
export function buildStudySummary(sel: StudySelection, runtime: RuntimeIdentity, root?: string): StudySummary {
  return summarizeStudy(sel, readStudyRuns(sel, runtime, root));
}

function median(values: readonly number[]): number {
  const v = [...values].sort((x, y) => x - y);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The one value every run of a protocol must share (the split is fixed per protocol). */
function shared(runs: SeedResult[], key: 'testCount' | 'trainCount', protocol: SplitProtocol): number {
  const values = [...new Set(runs.map((r) => r[key]))];
  if (values.length !== 1) throw new Error(`${protocol}: the runs disagree on ${key} (${values.join(', ')}): they were not made on one split; retrain the seed study`);
  return values[0];
}

/**
 * The paired comparisons of one metric over a protocol's pairs: paired t on the fractions, exact
 * Wilcoxon on integer counts, then Holm over the pairs and each pair's interval at the level Holm
 * judged it (holmLevels), so interval and verdict cannot disagree.
 */
function compareMetric(
  pairs: Array<[ModelName, ModelName]>,
  perSeed: (m: ModelName) => SeedResult[],
  metric: ComparisonMetric,
  protocol: SplitProtocol,
  mcnemar: (a: ModelName, b: ModelName) => McNemarOverSeeds | null,
): Comparison[] {
  const value = (r: SeedResult) => (metric === 'testAccuracy' ? r.testAccuracy : r.gap);
  // Integers whose paired differences are proportional to the metric's: correct test images, and
  // for the gap trainCorrect·testCount − testCorrect·trainCount (= gap × trainCount × testCount).
  const count = (r: SeedResult) => (metric === 'testAccuracy' ? r.testCorrect : r.trainCorrect * r.testCount - r.testCorrect * r.trainCount);
  const tests = pairs.map(([a, b]) => pairedTTest(perSeed(a).map(value), perSeed(b).map(value)));
  const ps = tests.map((t) => t.p ?? 1);
  const holm = holmAdjust(ps);
  const levels = holmLevels(ps, ALPHA);
  return pairs.map(([a, b], k) => {
    const [ra, rb] = [perSeed(a), perSeed(b)];
    const t = tests[k];
    const w = wilcoxonSignedRank(ra.map(count), rb.map(count));
    const adjusted = t.p === null ? null : pairedTTest(ra.map(value), rb.map(value), 1 - levels[k]);
    const pHolm = t.p === null ? null : holm[k];
    return {
      protocol,
      metric,
      a,
      b,
      meanDiff: t.meanDiff,
      meanDiffImages: metric === 'testAccuracy' ? ra.reduce((s, r, i) => s + r.testCorrect - rb[i].testCorrect, 0) / ra.length : t.meanDiff * ra[0].testCount,
      ciHolm: adjusted?.ci95 ?? null,
      ciHolmLevel: adjusted ? 1 - levels[k] : null,
      ci95Unadjusted: t.ci95,
      pairedT: { t: t.t, df: t.df, p: t.p },
      wilcoxon: { wPlus: w.wPlus, n: w.n, p: w.p, minimumP: w.minimumP },
      mcnemar: mcnemar(a, b),
      pHolm,
      significant: pHolm !== null && pHolm < ALPHA,
    };
  });
}

/**
 * Per (protocol, model) the summaries of test accuracy, training accuracy, gap and macro F1 over the
 * seeds; per protocol and pair of models (in the order of MODEL_NAMES, a before b) the paired
 * comparisons of test accuracy and of the gap, with McNemar's test on every seed's predictions.
 * Pure: tests feed it made-up runs.
 */
export function summarizeStudy(sel: StudySelection, inputs: StudyRunInput[]): StudySummary {
  const models = MODEL_NAMES.filter((m) => sel.models.includes(m));
  const runs: Record<string, RunSummary> = {};
  const comparisons: Comparison[] = [];
  const gapComparisons: Comparison[] = [];
  const testCounts: StudySummary['testCounts'] = {};
  const backends = new Set<string>();
  let seconds = 0;
  for (const protocol of sel.protocols) {
    const predictions = new Map<string, StudyRunInput['predictions']>();
    for (const model of models) {
      const perSeed = sel.seeds.map((seed) => {
        const input = inputs.find((x) => x.protocol === protocol && x.model === model && x.result.seed === seed);
        if (!input) throw new Error(`the seed study has no run for ${protocol}/${model} seed ${seed}; run \`fmnist study\``);
        predictions.set(`${model}/${seed}`, input.predictions);
        backends.add(input.result.backend);
        seconds += input.result.seconds;
        return input.result;
      });
      const times = perSeed.map((r) => r.trainSeconds);
      runs[runId(protocol, model)] = {
        protocol,
        model,
        testAccuracy: summarize(perSeed.map((r) => r.testAccuracy)),
        trainAccuracy: summarize(perSeed.map((r) => r.trainAccuracy)),
        gap: summarize(perSeed.map((r) => r.gap)),
        macroF1: summarize(perSeed.map((r) => r.macroF1)),
        trainSeconds: { median: median(times), min: Math.min(...times), max: Math.max(...times) },
        perSeed,
      };
    }
    const all = models.flatMap((m) => runs[runId(protocol, m)].perSeed);
    testCounts[protocol] = shared(all, 'testCount', protocol);
    shared(all, 'trainCount', protocol);
    const checksums = new Set([...predictions.values()].map((p) => p.testChecksum));
    if (checksums.size > 1) throw new Error(`${protocol}: the study's runs were tested on different images (test checksums differ); retrain the seed study`);
    const pairs: Array<[ModelName, ModelName]> = [];
    for (let i = 0; i < models.length; i++) for (let j = i + 1; j < models.length; j++) pairs.push([models[i], models[j]]);
    // McNemar per seed, Holm over the protocol's pairs within each seed (one family per trained set of models).
    const mcnemarBySeed = new Map<number, Array<McNemarResult & { pHolm: number }>>();
    for (const seed of sel.seeds) {
      const tests = pairs.map(([a, b]) => {
        const pa = predictions.get(`${a}/${seed}`)!;
        const pb = predictions.get(`${b}/${seed}`)!;
        return mcnemarExact(pa.labels, pa.predicted, pb.predicted);
      });
      const holm = holmAdjust(tests.map((t) => t.p));
      mcnemarBySeed.set(seed, tests.map((t, k) => ({ ...t, pHolm: holm[k] })));
    }
    const mcnemarOf = (a: ModelName, b: ModelName): McNemarOverSeeds => {
      const k = pairs.findIndex(([x, y]) => x === a && y === b);
      const perSeed = sel.seeds.map((seed) => ({ seed, ...mcnemarBySeed.get(seed)![k] }));
      return {
        perSeed,
        significantSeeds: perSeed.filter((m) => m.pHolm < ALPHA).length,
        pooled: { b: perSeed.reduce((s, m) => s + m.b, 0), c: perSeed.reduce((s, m) => s + m.c, 0) },
      };
    };
    const seedsOf = (m: ModelName) => runs[runId(protocol, m)].perSeed;
    comparisons.push(...compareMetric(pairs, seedsOf, 'testAccuracy', protocol, mcnemarOf));
    gapComparisons.push(...compareMetric(pairs, seedsOf, 'gap', protocol, () => null));
  }
  return {
    format: STUDY_FORMAT,
    profile: sel.profile,
    seeds: [...sel.seeds],
    committedSeed: COMMITTED_SEED,
    protocols: [...sel.protocols],
    models,
    alpha: ALPHA,
    testCounts,
    runs,
    comparisons,
    gapComparisons,
    compute: { runs: sel.protocols.length * models.length * sel.seeds.length, seconds, backends: [...backends].sort() },
  };
}

/** The `fmnist study` command that (re)writes the summary of this selection. */
export function studyCommand(sel: StudySelection, runtime?: RuntimeIdentity): string {
  const flags = [
    ...(sel.profile !== 'paper' ? [`--profile ${sel.profile}`] : []),
    ...(sel.protocols.length === 1 ? [`--protocol ${sel.protocols[0]}`] : []),
    ...(sel.models.length !== MODEL_NAMES.length ? [`--models ${MODEL_NAMES.filter((m) => sel.models.includes(m)).join(' ')}`] : []),
    ...(sel.seeds.length !== studySeeds().length ? [`--seeds ${sel.seeds.length}`] : []),
    ...(runtime && runtime.backend !== committedRuntime().backend ? [`--backend ${runtime.backend}`] : []),
  ];
  return ['node bin/fmnist.js study', ...flags].join(' ');
}

/** Where two JSON values first differ, as a path ('runs["paper/cnn3"].testAccuracy.mean'), or undefined. */
function firstDifference(x: unknown, y: unknown, at = ''): { at: string; file: unknown; runs: unknown } | undefined {
  if (Object.is(x, y)) return undefined;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || Array.isArray(x) !== Array.isArray(y)) return { at: at || '(the whole file)', file: x, runs: y };
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
  for (const k of keys) {
    const step = Array.isArray(x) ? `[${k}]` : /^[A-Za-z_]\w*$/.test(k) ? `${at ? '.' : ''}${k}` : `[${JSON.stringify(k)}]`;
    const d = firstDifference((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], at + step);
    if (d) return d;
  }
  return undefined;
}

/**
 * The summary in `file` checked against the runs it names: rebuilt from their verified files
 * (every artifact matched its run.json hash) and compared field by field. A summary that was edited,
 * damaged, or written before its runs changed fails here, naming the file, the first differing
 * field and the command that rebuilds it, so none of its numbers reaches the article.
 */
export function verifyStudySummary(summary: StudySummary, file: string, runtime: RuntimeIdentity, root?: string): StudySummary {
  const sel: StudySelection = { profile: summary.profile, protocols: summary.protocols, models: summary.models, seeds: summary.seeds };
  const fix = `rebuild it from the saved runs with \`${studyCommand(sel, runtime)}\` (it trains only runs that are missing)`;
  let rebuilt: StudySummary;
  try {
    rebuilt = buildStudySummary(sel, runtime, root);
  } catch (err) {
    if (err instanceof DamagedResultError || err instanceof NoSavedRunError) throw err;
    throw new Error(`${displayPath(file)} cannot be checked against its runs (${(err as Error).message}). Fix: ${fix}`);
  }
  // Compared as JSON: what the file can hold.
  const d = firstDifference(summary, JSON.parse(JSON.stringify(rebuilt)));
  if (d) {
    const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
    throw new Error(`${displayPath(file)} does not match the runs it summarises: ${d.at} is ${show(d.file)} in the file but ${show(d.runs)} from the runs (edited or damaged?). Fix: ${fix}`);
  }
  return summary;
}

export async function writeStudySummary(summary: StudySummary, runtime: RuntimeIdentity, root?: string): Promise<string> {
  let file = summaryPath(summary, runtime, root);
  // A study with fewer seeds never replaces the report's summary of a larger one.
  if (path.basename(file) === 'summary.json' && seedsIn(file) > summary.seeds.length) {
    file = path.join(path.dirname(file), `summary-both-${MODEL_NAMES.join('+')}-${summary.seeds.length}seeds.json`);
  }
  await writeJsonAtomic(file, summary);
  return file;
}
