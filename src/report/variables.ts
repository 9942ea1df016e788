import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { MODEL_NAMES, MODEL_TITLES, type ModelName } from '../models/registry';
import { countParams } from '../models/params';
import { CLAIM_CONDITIONS, trainingConfig } from '../training/profiles';
import { displayPath, projectRoot, resultsDir } from '../util/paths';
import { writeFileAtomic } from '../util/atomic';
import { pipelineTimingsPath, type PipelineTimings } from '../pipeline/timings';
import { toGiB } from '../pipeline/memory';
import { describeTrainedInRun } from '../pipeline/trained-models';
import { committedRuntime, type RuntimeIdentity } from '../results/runtime';
import { PAPER_REPORTED, paperFigure } from '../cited/paper';
import { PUBLISHED_BENCHMARKS } from '../cited/benchmarks';
import { studyVariables } from './study-variables';
import { ablationVariables, claimsVariables, conditionVariables, faithfulStudyVariables, machinesVariables } from './claims-variables';
import { loadConditionSummaries, summariesByCondition, type ConditionSummaries } from '../claims/from-summary';
import { formatDifference, formatOurs, paperNumbers, type PaperNumberMetric } from '../figures/paper-comparison';
import { pcaSummaryPath, pcaVariables, readPcaSummary } from '../pca/summary';
import { provenanceVariables, softwareVariables } from './provenance-variables';
import { figuresDirFor } from '../notebook/context';
import { interpretabilityVariables } from './interpretability-variables';
import { loadResults, lookup, num, REPORT_PROTOCOLS, str, type Json, type LoadedResults } from './saved-results';

// Re-exported where they were before saved-results.ts existed.
export { loadResults, num, REPORT_PROTOCOLS, type Json, type LoadedResults, type ModelResults } from './saved-results';

/**
 * Every number the article prints comes from here: `{{< var cnn3.paper.test_accuracy >}}` reads
 * _variables.yml, which this module generates from the saved results (metrics.json, history.json,
 * run.json per protocol and model), the model summaries and the pipeline timings. Nothing is typed
 * by hand; if a result is missing, generation fails and says which file and how to make it.
 */


export function variablesPath(): string {
  return path.join(projectRoot(), '_variables.yml');
}

/** Per model and protocol, the figures the article quotes (all pre-formatted strings). */
export interface ModelVariables {
  test_accuracy: string; // percent, 2 decimals
  test_macro_f1: string; // 3 decimals
  test_weighted_f1: string;
  train_accuracy: string; // percent
  gap: string; // train − test accuracy, percentage points
  best_val_accuracy: string; // percent
  best_epoch: string;
  epochs: string;
  train_minutes: string;
  backend: string;
}

export type ReportVariables = Record<string, unknown>;

/**
 * Builds the variables from results under `resultsRoot` (default: resultsDir(), the paper profile's
 * results) for `runtime` (default: the committed one, i.e. results/<protocol>/<model>/).
 */
/** One model's entry: its name, size and, per protocol, the figures the article quotes. */
export interface ModelEntry {
  name: string;
  params: string;
  layers: string;
  paper: ModelVariables;
  official: ModelVariables;
}

/**
 * What the paper reports for one model, formatted as the article prints it (`cnn2.paper_reported.train_accuracy`):
 * only the metrics the paper gives for that model (exactly; its "about 90%" for every model is
 * `paper_reported.approx_accuracy`). Ours beside them is `<model>.vs_paper.*` (versusPaperVariables).
 */
export interface PaperReportedVariables {
  test_accuracy?: string; // percent, 1 decimal
  train_accuracy?: string;
  /** When it gives both accuracies: train − test, percentage points. */
  gap?: string;
  f1?: string; // 3 decimals
}
/** Per metric the paper reports for the model: ours under the faithful condition and ours − the paper's (`f1_faithful`, `f1_difference`, ...). */
export type VersusPaperVariables = Record<string, string>;

/**
 * The per-model part of the variables, from results/<protocol>/<model>/ only (the README's results
 * table uses it too). `results` defaults to loading them from `resultsRoot`.
 */
export function modelEntries(resultsRoot: string = resultsDir(), runtime: RuntimeIdentity = committedRuntime(), results: LoadedResults = loadResults(resultsRoot, runtime)): Record<ModelName, ModelEntry> {
  const out = {} as Record<ModelName, ModelEntry>;
  for (const model of MODEL_NAMES) {
    // Counted from the registry's layers: no TensorFlow model is built (test/model-params.test.ts checks against tf).
    const size = countParams(model);
    const [paper, official] = REPORT_PROTOCOLS.map((p) => {
      const r = results[p][model];
      return modelVariables(r.metrics, r.history, r.run, r.files);
    });
    out[model] = { name: MODEL_TITLES[model], params: formatInt(size.total), layers: String(size.layers), paper, official };
  }
  return out;
}

export function buildReportVariables(resultsRoot: string = resultsDir(), runtime: RuntimeIdentity = committedRuntime()): ReportVariables {
  const vars: ReportVariables = {};
  const results = loadResults(resultsRoot, runtime);
  const entries = modelEntries(resultsRoot, runtime, results);
  const table: Record<string, Record<ModelName, ModelVariables>> = {};
  for (const protocol of REPORT_PROTOCOLS) {
    table[protocol] = {} as Record<ModelName, ModelVariables>;
    for (const model of MODEL_NAMES) table[protocol][model] = entries[model][protocol];
  }
  for (const model of MODEL_NAMES) {
    const reported = paperReportedFor(model);
    vars[model] = { ...entries[model], ...(reported && { paper_reported: reported }) };
  }
  for (const protocol of REPORT_PROTOCOLS) {
    const t = table[protocol];
    // Models tied at the printed precision are named together ("CNN 1 and CNN 2").
    const best = extremes(t, (v) => v.test_accuracy, 'highest');
    const worst = extremes(t, (v) => v.test_accuracy, 'lowest');
    const widest = extremes(t, (v) => v.gap, 'highest');
    vars[`best_${protocol}`] = { model: modelList(best), test_accuracy: t[best[0]].test_accuracy, test_macro_f1: modelValues(best, (m) => t[m].test_macro_f1) };
    vars[`worst_${protocol}`] = { model: modelList(worst), test_accuracy: t[worst[0]].test_accuracy };
    vars[`widest_gap_${protocol}`] = { model: modelList(widest), gap: t[widest[0]].gap };
  }
  const config = trainingConfig('paper');
  const backends = [...new Set(REPORT_PROTOCOLS.flatMap((p) => MODEL_NAMES.map((m) => table[p][m].backend)))];
  vars.training = {
    batch_size: String(config.batchSize),
    epochs: String(config.epochs),
    learning_rate: String(config.optimizer.learningRate),
    backend: backends.join(', '),
    ...trainingRunVariables(results),
    // For prose: "the WebAssembly backend (wasm)", or several joined with "and".
    backend_phrase: backendPhrase(backends),
  };
  vars.pca = pcaVariables(readPcaSummary(pcaSummaryPath('paper', resultsRoot)));
  vars.paper_reported = paperReportedVariables();
  vars.benchmarks = benchmarkVariables(Number(table.official[ranked(table.official)[0]].test_accuracy) / 100, trainingConfig('paper').augmentation !== 'none');
  vars.pipeline = pipelineVariables(resultsRoot);
  vars.study = studyVariables(resultsRoot, runtime);
  vars.conditions = conditionVariables();
  // Both conditions' summaries, read and verified once for the claims, the faithful study and the machines.
  const conditions = loadConditionSummaries(resultsRoot);
  const versus = versusPaperVariables(conditions);
  for (const model of MODEL_NAMES) if (versus.models[model]) (vars[model] as Json).vs_paper = versus.models[model];
  vars.vs_paper = { seeds: versus.seeds };
  vars.claims = claimsVariables(conditions, resultsRoot);
  vars.ablation = ablationVariables(resultsRoot);
  vars.faithful_study = faithfulStudyVariables(conditions);
  vars.machines = machinesVariables(conditions, resultsRoot);
  vars.provenance = provenanceVariables(figuresDirFor('paper'));
  vars.software = softwareVariables(REPORT_PROTOCOLS.flatMap((p) => MODEL_NAMES.map((m) => results[p][m] as { run: Record<string, unknown> })));
  vars.interpretability = interpretabilityVariables(resultsRoot, results);
  return vars;
}

const ranked = (t: Record<ModelName, ModelVariables>) => [...MODEL_NAMES].sort((a, b) => Number(t[b].test_accuracy) - Number(t[a].test_accuracy));

/** Every model of `t` sharing the highest (or lowest) printed value, in registry order. */
export function extremes(t: Partial<Record<ModelName, ModelVariables>>, value: (v: ModelVariables) => string, which: 'highest' | 'lowest'): ModelName[] {
  const models = MODEL_NAMES.filter((m) => t[m] !== undefined);
  const values = models.map((m) => Number(value(t[m]!)));
  const target = which === 'highest' ? Math.max(...values) : Math.min(...values);
  return models.filter((_, i) => values[i] === target);
}

/** "CNN 2", "CNN 1 and CNN 2", "ANN, CNN 1 and CNN 2". */
export function modelList(models: readonly ModelName[]): string {
  const names = models.map((m) => MODEL_TITLES[m]);
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** One value when the models share it, else each model's ("0.913 and 0.912"). */
function modelValues(models: readonly ModelName[], value: (m: ModelName) => string): string {
  const values = [...new Set(models.map(value))];
  return values.length === 1 ? values[0] : models.map((m) => `${value(m)} (${MODEL_TITLES[m]})`).join(' and ');
}

/** The paper's exact figures for one model (cited in src/cited/paper.ts), or undefined if it reports none. */
export function paperReportedFor(model: ModelName): PaperReportedVariables | undefined {
  const [test, train, f1] = (['testAccuracy', 'trainAccuracy', 'f1'] as const).map((metric) => paperFigure(model, metric)?.value);
  const out: PaperReportedVariables = {
    ...(test !== undefined && { test_accuracy: (test * 100).toFixed(1) }),
    ...(train !== undefined && { train_accuracy: (train * 100).toFixed(1) }),
    ...(test !== undefined && train !== undefined && { gap: ((train - test) * 100).toFixed(1) }),
    ...(f1 !== undefined && { f1: f1.toFixed(3) }),
  };
  return Object.keys(out).length ? out : undefined;
}

/** The article's key for one of the paper's metrics ("test_accuracy", "gap", "f1"). */
const METRIC_KEYS: Record<PaperNumberMetric, string> = { testAccuracy: 'test_accuracy', trainAccuracy: 'train_accuracy', gap: 'gap', f1: 'f1' };

/**
 * Ours against each exact number the paper reports for a model, under its own recipe (the faithful
 * condition's mean over the seeds, paper's split), in the units of the comparison table (the same
 * cells, so text and table agree): `cnn2.vs_paper.gap_faithful`, `cnn2.vs_paper.gap_difference`, ...
 */
function versusPaperVariables(conditions: ConditionSummaries): { models: Partial<Record<ModelName, VersusPaperVariables>>; seeds: string } {
  const summaries = summariesByCondition(conditions);
  const models: Partial<Record<ModelName, VersusPaperVariables>> = {};
  for (const n of paperNumbers(summaries, 'paper').filter((x) => !x.approximate)) {
    const key = METRIC_KEYS[n.metric];
    models[n.model] = { ...models[n.model], [`${key}_faithful`]: formatOurs(n.metric, n.ours.faithful), [`${key}_difference`]: formatDifference(n, 'faithful') };
  }
  return { models, seeds: String(conditions.summaries.faithful?.summary.seeds.length ?? 0) };
}

/** The paper's one number for every model: "about 90%" (its per-model figures are under each model's `paper_reported`). */
export function paperReportedVariables(): { approx_accuracy: string } {
  const approx = [...new Set(PAPER_REPORTED.filter((p) => p.approximate && p.metric === 'testAccuracy').map((p) => p.value))];
  if (approx.length !== 1) throw new Error(`PAPER_REPORTED (src/cited/paper.ts) should give one approximate test accuracy for every model, not ${approx.length}`);
  return { approx_accuracy: (approx[0] * 100).toFixed(0) };
}

/**
 * Published benchmark accuracies (percent), keyed by a slug of their name, e.g.
 * `benchmarks.svc_scikit_learn_best_classical`; ranges add `<slug>_high`. `below_best_official` counts
 * the non-augmented entries (upper end for ranges) that our best official-protocol model beats.
 */
function benchmarkVariables(bestOfficial: number, oursAugmented: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of PUBLISHED_BENCHMARKS) {
    const key = b.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
    out[key] = (b.accuracy * 100).toFixed(1);
    if (b.accuracyHigh !== undefined) out[`${key}_high`] = (b.accuracyHigh * 100).toFixed(1);
  }
  // Like with like: our committed runs are compared only with published results trained the same way (with or without augmentation).
  const same = PUBLISHED_BENCHMARKS.filter((b) => b.augmented === oursAugmented);
  out.below_best_official = String(same.filter((b) => (b.accuracyHigh ?? b.accuracy) < bestOfficial).length);
  out.like_with_like = String(same.length);
  out.like_with_like_phrase = oursAugmented ? 'obtained with data augmentation, as ours are (random flips)' : 'obtained without data augmentation, as ours are';
  out.non_augmented = String(PUBLISHED_BENCHMARKS.filter((b) => !b.augmented).length);
  return out;
}

function modelVariables(metrics: Json, history: Json, run: Json, files: string[]): ModelVariables {
  const [metricsFile, historyFile, runFile] = files;
  const testAcc = num(metrics, ['test.accuracy'], metricsFile);
  const trainAcc = num(metrics, ['train.accuracy'], metricsFile);
  const epochs = historyRows(history, historyFile);
  if (epochs.length === 0) throw new Error(`${rel(historyFile)} has no epochs; retrain with --force`);
  // The epoch whose weights were kept (history.json records it); without that record, the best validation epoch.
  const recorded = (history as { bestEpoch?: unknown }).bestEpoch;
  const best =
    typeof recorded === 'number' && epochs.some((e) => e.epoch === recorded)
      ? epochs.find((e) => e.epoch === recorded)!
      : epochs.reduce((a, b) => (num(b, ['valAccuracy'], historyFile) > num(a, ['valAccuracy'], historyFile) ? b : a));
  return {
    test_accuracy: pct(testAcc),
    test_macro_f1: num(metrics, ['test.macroF1'], metricsFile).toFixed(3),
    test_weighted_f1: num(metrics, ['test.weightedF1'], metricsFile).toFixed(3),
    train_accuracy: pct(trainAcc),
    gap: ((trainAcc - testAcc) * 100).toFixed(1),
    best_val_accuracy: pct(num(best, ['valAccuracy'], historyFile)),
    best_epoch: String(num(best, ['epoch'], historyFile)),
    epochs: String(epochs.length),
    train_minutes: (num({ run, metrics }, ['run.trainSeconds', 'run.timings.trainSeconds', 'metrics.trainSeconds'], runFile) / 60).toFixed(1),
    backend: str(run, ['backend'], runFile),
  };
}

/**
 * How the committed models were trained, from each run's own run.json (not from whichever main-job run
 * last executed the notebooks): a rerun that loads the models from the cache leaves these unchanged.
 */
function trainingRunVariables(results: LoadedResults): Record<string, string> {
  const runs = REPORT_PROTOCOLS.flatMap((p) => MODEL_NAMES.map((m) => results[p][m]));
  const seconds = runs.reduce((sum, r) => sum + num(r, ['run.timings.trainSeconds', 'run.trainSeconds'], r.files[2]), 0);
  const days = [...new Set(runs.map((r) => lookup(r.run, 'timings.finishedAt')).filter((d): d is string => typeof d === 'string').map((d) => d.slice(0, 10)))].sort();
  const recorded = runs.map((r) => lookup(r.run, 'environment') as { cpus?: number; memoryBytes?: number } | undefined).filter((m) => typeof m?.cpus === 'number' && typeof m?.memoryBytes === 'number');
  const machines = new Set(recorded.map(describeMachine));
  return {
    runs: String(runs.length),
    total_minutes: (seconds / 60).toFixed(1),
    finished: days.length === 0 ? 'on a date that was not recorded' : days.length === 1 ? `on ${days[0]}` : `between ${days[0]} and ${days[days.length - 1]}`,
    // Runs from before their machine was recorded say nothing; the sentence counts those that did.
    machine:
      machines.size === 0
        ? 'machines whose size the runs did not record'
        : `${machines.size === 1 ? [...machines][0] : 'machines of different sizes'}${recorded.length < runs.length ? ` (as ${recorded.length} of the ${runs.length} runs record it)` : ''}`,
  };
}

/** "a machine with 2 CPU cores and 24 GiB of memory", from a run's environment or the pipeline's machine record. */
export function describeMachine(m: { cpus?: number; memoryBytes?: number } | undefined): string {
  if (!m || typeof m.cpus !== 'number' || typeof m.memoryBytes !== 'number') return 'a machine whose size was not recorded';
  return `a machine with ${m.cpus} CPU core${m.cpus === 1 ? '' : 's'} and ${Math.round(m.memoryBytes / 2 ** 30)} GiB of memory`;
}

function gib(bytes: number | undefined): string {
  return bytes === undefined ? 'not measured' : toGiB(bytes);
}

function pipelineVariables(resultsRoot: string): Record<string, string> {
  const file = resultsRoot === resultsDir() ? pipelineTimingsPath('paper') : path.join(resultsRoot, 'pipeline-timings.json');
  if (!fs.existsSync(file)) {
    throw new Error(`cannot generate the report's numbers: ${rel(file)} is missing; it is written by a full main-job run (\`npm run main\`)`);
  }
  const t = readJson(file) as unknown as PipelineTimings;
  const stage = (name: string) => t.stages.find((s) => s.stage === name)?.seconds;
  const notebooks = stage('notebooks');
  if (notebooks === undefined) throw new Error(`${rel(file)} has no 'notebooks' stage; rerun the main job`);
  return {
    notebooks_minutes: (notebooks / 60).toFixed(1),
    concurrency: String(t.concurrency),
    notebook_runs: String(Object.keys(t.notebooks).length),
    peak_memory_gib: gib(t.peakMemory?.pssBytes),
    peak_rss_sum_gib: gib(t.peakMemory?.rssSumBytes ?? t.peakRssBytes),
    training_note: t.models ? describeTrainedInRun(t.models) : 'whether models were trained or loaded from the cache was not recorded',
    machine: describeMachine(t.machine),
    date: t.finishedAt.slice(0, 10),
  };
}

/** Writes _variables.yml (atomically) and returns the variables. */
export async function writeReportVariables(file = variablesPath(), resultsRoot?: string, runtime?: RuntimeIdentity): Promise<ReportVariables> {
  const vars = buildReportVariables(resultsRoot, runtime);
  const header = '# Generated by `fmnist main` (src/report/variables.ts) from results/: do not edit by hand.\n';
  await writeFileAtomic(file, header + YAML.stringify(vars));
  return vars;
}

/** All dotted keys of a nested variables object, e.g. `cnn3.paper.test_accuracy`. */
export function variableKeys(vars: unknown, prefix = ''): string[] {
  if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) return prefix ? [prefix] : [];
  return Object.entries(vars as Json).flatMap(([k, v]) => variableKeys(v, prefix ? `${prefix}.${k}` : k));
}

export function historyRows(history: Json | Json[], file: string): Json[] {
  const rows = Array.isArray(history) ? history : (history as Json).history ?? (history as Json).epochs;
  if (!Array.isArray(rows)) throw new Error(`${rel(file)}: expected an array of epochs (or {"history": [...]})`);
  return rows as Json[];
}

function readJson(file: string): Json {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  } catch (err) {
    throw new Error(`cannot read ${rel(file)}: ${(err as Error).message}. Delete it and rerun the main job to regenerate it`);
  }
}

const pct = (x: number) => (x * 100).toFixed(2);
const formatInt = (n: number) => n.toLocaleString('en-US');
const rel = displayPath;

/** Readable names of the TensorFlow.js backends a run can record. */
const BACKEND_NAMES: Record<string, string> = {
  node: 'native TensorFlow (tfjs-node)',
  'node-onednn': 'native TensorFlow with oneDNN convolutions (tfjs-node)',
  tensorflow: 'native TensorFlow (tfjs-node)',
  wasm: 'WebAssembly',
  cpu: 'pure JavaScript CPU',
  webgl: 'WebGL',
};

/** "the WebAssembly backend"; "the native TensorFlow (tfjs-node) and WebAssembly backends". Pure. */
export function backendPhrase(backends: readonly string[]): string {
  const names = [...new Set(backends.map((b) => BACKEND_NAMES[b] ?? `${b}`))];
  const list = names.length <= 1 ? (names[0] ?? 'an unrecorded') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `the ${list} backend${names.length > 1 ? 's' : ''}`;
}
