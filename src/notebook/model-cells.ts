/**
 * The steps notebooks 03–07 share, so each notebook cell is one readable call and nothing is written
 * twice: train (or load) a model with progress printed in the cell, all four models for the comparison,
 * and the misclassified test images of a trained model.
 */
import type { LabelledImages } from '../data/types';
import type { Misclassified } from '../figures/comparison-figures';
import { benchmarkComparisonFigure, comparisonRows, selectMisclassified } from '../figures/comparison-figures';
import { BENCHMARK_PROTOCOL } from '../cited/benchmarks';
import type { FigureSpec } from '../figures/spec';
import { resultsProvenance } from '../figures/model-provenance';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import type { ModelReport } from '../results/report';
import type { TrainingOverrides } from '../training/profiles';
import * as path from 'node:path';
import { DEFAULT_SEED } from '../results/layout';
import { epochLineProgress, formatEpochLine, liveLineProgress, type ProgressSink } from '../training/progress';
import { withKernelInterrupt } from './kernel-interrupt';
import { staleBuildNote } from './stale-build';
import { loadTrainedModel, predict, runData, runLabel, trainAndEvaluate } from '../training/run';
import { displayPath } from '../util/paths';
import { setProvenance, useVariantFiguresDir, type NotebookSettings } from './context';

/** What the notebook cells print to: stdout, so JupyterLab shows it as normal output (stderr is red). */
const say = (line: string) => console.log(line);

/**
 * How a training cell shows progress: in JupyterLab, a line updated in place inside each epoch (batches,
 * samples/s, ETA), left as one line per epoch; when the main job executes the notebook
 * (FMNIST_NOTEBOOK_PROGRESS=epochs), only the epoch lines, so its log and the committed output stay one
 * line per epoch.
 */
function notebookProgress(env: NodeJS.ProcessEnv = process.env): ProgressSink {
  return env.FMNIST_NOTEBOOK_PROGRESS === 'epochs' ? epochLineProgress(say) : liveLineProgress((text) => void process.stdout.write(text));
}

async function trainOne(settings: NotebookSettings, model: ModelName, overrides: TrainingOverrides, { replayEpochs = true } = {}): Promise<ModelReport> {
  const stale = staleBuildNote();
  if (stale) say(stale);
  const label = runLabel({ model, protocol: settings.protocol, profile: settings.profile, seed: settings.seed });
  // Kernel › Interrupt stops training at its next batch and ends this cell with one line (kernel-interrupt.ts).
  const report = await withKernelInterrupt((signal) =>
    trainAndEvaluate({
      ...overrides,
      model,
      profile: settings.profile,
      protocol: settings.protocol,
      seed: settings.seed,
      progress: notebookProgress(),
      log: say,
      logOutcome: false,
      signal,
    }),
  );
  // The cell's output reads the same whether the run trained now or was loaded from the cache, so
  // re-executing a notebook reproduces it byte for byte: a cached run prints its saved epochs the way
  // training printed them live, then both print the run's own record.
  if (report.cached && replayEpochs) for (const epoch of report.history) say(formatEpochLine(label, epoch, report.epochs));
  say(outcomeLine(label, report));
  return report;
}

/** The scores and the run's provenance, e.g. `[cnn3/paper] test accuracy 0.9170, … trained 2026-11-27 (13.2 min, wasm) → results/paper/cnn3`. */
export function outcomeLine(label: string, r: ModelReport): string {
  return (
    `[${label}] test accuracy ${r.test.accuracy.toFixed(4)}, macro F1 ${r.test.macroF1.toFixed(4)}, ` +
    `train accuracy ${r.train.accuracy.toFixed(4)} (best epoch ${r.bestEpoch}/${r.epochs}); ` +
    `trained ${r.trainedAt.slice(0, 10)} (${(r.trainSeconds / 60).toFixed(1)} min, ${r.backend}) → ${displayPath(r.dir)}`
  );
}

/**
 * Trains `model` under the notebook's settings, or loads the saved run when an identical one exists
 * (results/ is the cache), printing one line per epoch; records the run's provenance for the figures
 * shown after it. `overrides` changes hyper-parameters for this run only, e.g. `{ learningRate: 5e-4 }`:
 * such a run gets its own results folder, and the committed results stay untouched.
 */
export async function trainInNotebook(settings: NotebookSettings, model: ModelName, overrides: TrainingOverrides = {}): Promise<ModelReport> {
  const report = await trainOne(settings, model, overrides);
  setProvenance(await resultsProvenance([report]));
  const variant = experimentFolder(settings, overrides, report);
  const figures = useVariantFiguresDir(variant, settings);
  if (variant !== undefined) say(`the figures and tables of this run go to ${displayPath(figures)}/ (figures/ and its manifest.json keep the committed run's)`);
  return report;
}

/**
 * The results folder of an experiment (a run with overrides or another seed: `paper-e5-lr0.0005`),
 * whose figures must not replace the committed ones; undefined for the notebook's own run.
 */
export function experimentFolder(settings: Pick<NotebookSettings, 'seed'>, overrides: TrainingOverrides, report: Pick<ModelReport, 'dir'>): string | undefined {
  const experiment = settings.seed !== DEFAULT_SEED || Object.values(overrides).some((v) => v !== undefined);
  if (!experiment) return undefined;
  // results/<variant>/<protocol>/<model>: the variant's name says what differs.
  return path.basename(path.dirname(path.dirname(report.dir)));
}

/** {@link trainInNotebook} for the four models in the paper's order (ANN, CNN 1–3), for the comparison notebook. */
export async function trainAllInNotebook(settings: NotebookSettings, overrides: TrainingOverrides = {}): Promise<ModelReport[]> {
  // One line per model, not the saved epochs again: notebooks 03-06 already show each run's epochs.
  const reports = await trainEach(settings, overrides, { replayEpochs: false });
  setProvenance(await resultsProvenance(reports));
  return reports;
}

/** trainOne for the four models in the paper's order, one after another. */
async function trainEach(settings: NotebookSettings, overrides: TrainingOverrides, options?: { replayEpochs?: boolean }): Promise<ModelReport[]> {
  const reports: ModelReport[] = [];
  for (const model of MODEL_NAMES) reports.push(await trainOne(settings, model, overrides, options));
  return reports;
}

/**
 * The four models under the official protocol, for notebook 07's benchmark figure (the published
 * results are scores on the official test set): the notebook's own `reports` when it runs under the
 * official protocol, else the official runs with the same profile and seed, loaded from results/
 * (trained first if missing). Each prints its one-line record, in this cell rather than the figure's,
 * so the article (which embeds the figure cell) shows no log lines.
 */
export async function officialSplitReports(settings: NotebookSettings, reports: readonly ModelReport[]): Promise<ModelReport[]> {
  if (settings.protocol === BENCHMARK_PROTOCOL) return [...reports];
  return trainEach({ ...settings, protocol: BENCHMARK_PROTOCOL }, {}, { replayEpochs: false });
}

/** The benchmark figure from {@link officialSplitReports}, its manifest entry naming those runs. */
export async function benchmarkFigureInNotebook(official: readonly ModelReport[]): Promise<FigureSpec> {
  const spec = benchmarkComparisonFigure(comparisonRows(official));
  return { ...spec, provenance: { ...(await resultsProvenance(official)), ...spec.provenance } };
}

/**
 * Up to `count` test images that the saved `model` (trained under the notebook's settings) gets wrong,
 * one per true class in turn: the input of misclassifiedGalleryFigure().
 */
export async function misclassifiedExamples(
  settings: NotebookSettings,
  model: ModelName,
  count: number,
): Promise<{ images: LabelledImages['images']; examples: Misclassified[] }> {
  const { test } = await runData(settings.protocol, settings.profile, settings.seed);
  const trained = await loadTrainedModel(settings.protocol, model, settings.profile, { seed: settings.seed });
  try {
    const { predicted } = await predict(trained, test);
    return { images: test.images, examples: selectMisclassified(test.labels, predicted, count) };
  } finally {
    trained.dispose();
  }
}
