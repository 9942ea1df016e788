/**
 * Notebook 08's steps, one call per cell: load the committed seed's CNN 3, ANN and CNN 1 (trained
 * under the notebook's profile and protocol; the paper profile only loads them), draw the maps, run
 * the sanity check, project the penultimate layers and save what was measured.
 */
import type * as tf from '@tensorflow/tfjs';
import { combinedImages, loadNotebookDataset } from './dataset';
import { setProvenance, type NotebookSettings } from './context';
import { outcomeLine } from './model-cells';
import { CLASS_NAMES } from '../data/classes';
import { PIXELS } from '../data/types';
import { subsetStratified } from '../data/splits';
import { resultsProvenance } from '../figures/model-provenance';
import type { FigureSpec } from '../figures/spec';
import type { TableSpec } from '../figures/show';
import type { ModelName } from '../models/architectures';
import { fitPca, projectImages } from '../pca/fit';
import type { ModelReport } from '../results/report';
import type { SplitPart } from '../training/data';
import { loadTrainedModel, predict, runData, runLabel, trainAndEvaluate } from '../training/run';
import { displayPath } from '../util/paths';
import { confusions, examplesPerClass, type ExampleImage, firstPerClass, leastSure, meanMap } from '../interpretability/examples';
import { firstLayerFeatureMaps, firstLayerFilters, penultimateActivations } from '../interpretability/features';
import { attributionFigure, featureMapsFigure, filtersFigure, pairFigure, projectionFigure, row, sanityFigure, separationTable, silhouetteFigure, type AttributionMaps, type ProjectionView } from '../interpretability/figures';
import { gradCam } from '../interpretability/grad-cam';
import { convLayers, scaledImages } from '../interpretability/network';
import { occlusionSensitivity } from '../interpretability/occlusion';
import { pcaProjection, toRows, umapProjection } from '../interpretability/projection';
import { cascadingRandomisation, type SanityResult } from '../interpretability/randomisation';
import { gradientSaliency, gradientTimesInput } from '../interpretability/saliency';
import { separation } from '../interpretability/separation';
import { HARDEST_PAIR, INTERPRETED_MODELS, interpretabilityScale, type InterpretabilityScale, type InterpretedModel } from '../interpretability/settings';
import { INTERPRETABILITY_FORMAT, writeInterpretabilitySummary, type InterpretabilitySummary, type ProjectionSeparation } from '../interpretability/summary';
import { interpretabilitySentences } from '../report/interpretability-variables';

const say = (line: string) => console.log(line);

export interface InterpretabilityContext {
  settings: NotebookSettings;
  scale: InterpretabilityScale;
  test: SplitPart;
  models: Record<InterpretedModel, tf.LayersModel>;
  reports: Record<InterpretedModel, ModelReport>;
  /** CNN 3 on the test split. */
  probabilities: Float32Array;
  predicted: Uint8Array;
}

/** Loads (or, under a profile whose runs are not saved yet, trains) the three models and CNN 3's test predictions. */
export async function interpretabilityContext(settings: NotebookSettings): Promise<InterpretabilityContext> {
  const reports = {} as InterpretabilityContext['reports'];
  const models = {} as InterpretabilityContext['models'];
  for (const model of INTERPRETED_MODELS) {
    const r = await trainAndEvaluate({ model: model as ModelName, profile: settings.profile, protocol: settings.protocol, seed: settings.seed, progress: 'silent', log: say, logOutcome: false });
    say(outcomeLine(runLabel({ model, protocol: settings.protocol, profile: settings.profile, seed: settings.seed }), r));
    reports[model] = r;
    models[model] = await loadTrainedModel(settings.protocol, model, settings.profile, { seed: settings.seed });
  }
  setProvenance(await resultsProvenance(Object.values(reports)));
  const { test } = await runData(settings.protocol, settings.profile, settings.seed);
  const { probabilities, predicted } = await predict(models.cnn3, test);
  say(`test split: ${test.count.toLocaleString('en-US')} images; CNN 3 gets ${(predicted.filter((p, i) => p === test.labels[i]).length).toLocaleString('en-US')} right`);
  return { settings, scale: interpretabilityScale(settings.profile), test, models, reports, probabilities, predicted };
}

/** The first-layer filters of CNN 3 and CNN 1. */
export function filtersInNotebook(ctx: InterpretabilityContext): FigureSpec {
  return filtersFigure(firstLayerFilters(ctx.models.cnn3), firstLayerFilters(ctx.models.cnn1));
}

/** The first test image of each class and CNN 3's eight most active first-layer feature maps on them. */
export function featureMapsInNotebook(ctx: InterpretabilityContext, shown = 8): FigureSpec {
  const indices = firstPerClass(ctx.test.labels.subarray(0, ctx.test.count), 1).sort((a, b) => ctx.test.labels[a] - ctx.test.labels[b]);
  const labels = indices.map((i) => ctx.test.labels[i]);
  const pixels = scaledImages(ctx.test.images, indices);
  const maps = firstLayerFeatureMaps(ctx.models.cnn3, pixels);
  const activity = Array.from({ length: maps.channels }, (_, k) => maps.maps.reduce((s, m) => s + m[k].reduce((a, v) => a + v, 0), 0));
  const channels = activity.map((a, k) => [a, k] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]).slice(0, shown).map(([, k]) => k).sort((a, b) => a - b);
  return featureMapsFigure(pixels, labels, maps, channels);
}

/** CNN 3's three maps (for the true class) for the first correct and first misclassified test image of each class. */
export async function attributionsInNotebook(ctx: InterpretabilityContext): Promise<FigureSpec> {
  const examples = examplesPerClass(ctx.test.labels.subarray(0, ctx.test.count), ctx.predicted);
  const chosen = examples.flatMap((e) => [e.correct, e.wrong]).filter((e): e is ExampleImage => e !== undefined);
  const pixels = scaledImages(ctx.test.images, chosen.map((e) => e.index));
  const classes = chosen.map((e) => e.label);
  const model = ctx.models.cnn3;
  const saliency = await gradientSaliency(model, pixels, classes);
  const cam = await gradCam(model, pixels, classes, lastConv(model));
  const occlusion = await occlusionSensitivity(model, pixels, classes);
  const maps = new Map(chosen.map((e, j): [number, AttributionMaps] => [e.index, { ...e, image: row(pixels, j), saliency: row(saliency, j), gradCam: row(cam.maps, j), occlusion: row(occlusion, j) }]));
  const missing = examples.filter((e) => !e.wrong).length;
  if (missing) say(`${missing} class(es) have no misclassified test image: their right-hand tiles stay empty`);
  return attributionFigure(examples.map((e) => ({ correct: e.correct && maps.get(e.correct.index), wrong: e.wrong && maps.get(e.wrong.index) })));
}

const lastConv = (model: tf.LayersModel) => convLayers(model).at(-1)!;

/** The cascading-randomisation sanity check of CNN 3's maps (and of gradient × input, the control), on the first test images of each class. */
export async function sanityCheckInNotebook(ctx: InterpretabilityContext): Promise<SanityResult> {
  const indices = firstPerClass(ctx.test.labels.subarray(0, ctx.test.count), ctx.scale.sanityPerClass);
  const pixels = scaledImages(ctx.test.images, indices);
  const classes = indices.map((i) => ctx.test.labels[i]);
  const layer = lastConv(ctx.models.cnn3);
  const result = await cascadingRandomisation(
    ctx.models.cnn3,
    {
      gradient: (m) => gradientSaliency(m, pixels, classes),
      gradCam: async (m) => (await gradCam(m, pixels, classes, layer)).maps,
      occlusion: (m) => occlusionSensitivity(m, pixels, classes),
      gradientTimesInput: (m) => gradientTimesInput(m, pixels, classes),
    },
    ctx.settings.seed,
  );
  // No elapsed time in the committed output: a rerun of the main job must leave the notebook as it was.
  say(`sanity check on ${indices.length} test images (${ctx.scale.sanityPerClass} per class), layers randomised in the order ${result.layers.join(', ')}`);
  for (const [m, v] of Object.entries(result.verdicts)) say(`  ${m}: rank correlation ${v.final.toFixed(3)} with every layer random: ${v.passed ? 'passed' : 'FAILED'} (threshold ${result.threshold})`);
  return result;
}

export function sanityFigureInNotebook(result: SanityResult): FigureSpec {
  return sanityFigure(result);
}

export interface ProjectionsResult {
  views: ProjectionView[];
  labels: Uint8Array;
  sample: { perClass: number; count: number; seed: number };
  note: string;
}

/**
 * One stratified test sample in two dimensions six ways: PCA and UMAP of its raw pixels and of the ANN's
 * and CNN 3's penultimate layers. The pixel PCA is notebook 02's (fitted on all 70,000 images); every
 * other PCA and every UMAP is fitted on the sample. Each view gets the same separation measures.
 */
export async function projectionsInNotebook(ctx: InterpretabilityContext): Promise<ProjectionsResult> {
  const perClass = ctx.scale.projectionPerClass;
  const sample = subsetStratified(ctx.test, perClass, ctx.settings.seed);
  const pixels = scaledImages(ctx.test.images, Array.from(sample.indices));
  // Progress without times: a committed notebook's outputs carry nothing that changes from run to run.
  const timed = <T>(what: string, f: () => T): T => {
    const out = f();
    say(`  ${what}: done`);
    return out;
  };
  const all = combinedImages(await loadNotebookDataset(ctx.settings.profile));
  const fit = timed(`pixel PCA on ${all.count.toLocaleString('en-US')} images (as notebook 02)`, () => fitPca(all));
  const reps: Array<{ representation: ProjectionSeparation['representation']; rows: number[][] }> = [{ representation: 'pixels', rows: toRows(pixels, PIXELS) }];
  for (const model of ['ann', 'cnn3'] as const) {
    const f = await penultimateActivations(ctx.models[model], pixels);
    reps.push({ representation: model, rows: toRows(f.values, f.units) });
  }
  const views: ProjectionView[] = [];
  for (const method of ['pca', 'umap'] as const) {
    for (const { representation, rows } of reps) {
      const points = timed(`${representation} ${method}`, () =>
        method === 'umap' ? umapProjection(rows, ctx.settings.seed) : representation === 'pixels' ? projectImages(fit, sample, 2) : pcaProjection(rows),
      );
      const s = separation(points, sample.labels, ctx.scale.k);
      views.push({ points, separation: { representation, method, ...s } });
      say(`    k-NN accuracy ${(100 * s.knnAccuracy).toFixed(1)}%, mean silhouette ${s.silhouette.toFixed(3)}`);
    }
  }
  const note = `${perClass.toLocaleString('en-US')} per class, ${sample.count.toLocaleString('en-US')} in all`;
  return { views, labels: sample.labels, sample: { perClass, count: sample.count, seed: ctx.settings.seed }, note };
}

export function projectionFigureInNotebook(p: ProjectionsResult): FigureSpec {
  return projectionFigure(p.views, p.labels);
}

export function separationTableInNotebook(p: ProjectionsResult): TableSpec {
  return separationTable(p.views.map((v) => v.separation));
}

export function silhouetteFigureInNotebook(p: ProjectionsResult): FigureSpec {
  return silhouetteFigure(p.views.map((v) => v.separation));
}

export interface PairResult {
  figure: FigureSpec;
  firstAsSecond: number;
  secondAsFirst: number;
  leastSureCount: number;
}

/** T-shirt/top against shirt: mean Grad-CAM (for the predicted class) per group, and the least-sure images. */
export async function hardestPairInNotebook(ctx: InterpretabilityContext): Promise<PairResult> {
  const [a, b] = HARDEST_PAIR;
  const labels = ctx.test.labels.subarray(0, ctx.test.count);
  const groups = [
    { title: `${CLASS_NAMES[a]} correct`, rows: confusions(labels, ctx.predicted, a, a) },
    { title: `${CLASS_NAMES[a]} as ${CLASS_NAMES[b]}`, rows: confusions(labels, ctx.predicted, a, b) },
    { title: `${CLASS_NAMES[b]} as ${CLASS_NAMES[a]}`, rows: confusions(labels, ctx.predicted, b, a) },
    { title: `${CLASS_NAMES[b]} correct`, rows: confusions(labels, ctx.predicted, b, b) },
  ];
  const layer = lastConv(ctx.models.cnn3);
  const shown = [];
  for (const g of groups) {
    const pixels = scaledImages(ctx.test.images, g.rows);
    const cam = g.rows.length ? (await gradCam(ctx.models.cnn3, pixels, g.rows.map((i) => ctx.predicted[i]), layer)).maps : new Float32Array(0);
    const all = g.rows.map((_, j) => j);
    shown.push({ title: g.title, count: g.rows.length, meanImage: meanMap(pixels, PIXELS, all), meanCam: meanMap(cam, PIXELS, all) });
  }
  const unsure = leastSure(ctx.probabilities, labels, HARDEST_PAIR, ctx.scale.leastSure);
  const hesitant = unsure.map((u) => ({ ...u, image: scaledImages(ctx.test.images, [u.index]) }));
  say(`${groups[1].rows.length} ${CLASS_NAMES[a]} taken for ${CLASS_NAMES[b]}, ${groups[2].rows.length} ${CLASS_NAMES[b]} taken for ${CLASS_NAMES[a]}; the ${unsure.length} least-sure images have margins ${unsure.map((u) => u.margin.toFixed(3)).join(', ')}`);
  return { figure: pairFigure(shown, hesitant), firstAsSecond: groups[1].rows.length, secondAsFirst: groups[2].rows.length, leastSureCount: unsure.length };
}

/** Saves what the notebook measured (results/interpretability/<protocol>.json) and prints the sentences the article takes from it. */
export async function saveInterpretability(ctx: InterpretabilityContext, sanity: SanityResult, projections: ProjectionsResult, pair: PairResult): Promise<InterpretabilitySummary> {
  const summary: InterpretabilitySummary = {
    format: INTERPRETABILITY_FORMAT,
    profile: ctx.settings.profile,
    protocol: ctx.settings.protocol,
    seed: ctx.settings.seed,
    models: Object.fromEntries(Object.entries(ctx.reports).map(([m, r]) => [m, { dir: displayPath(r.dir), cacheKey: r.cacheKey }])),
    testImages: ctx.test.count,
    sanity,
    sample: projections.sample,
    separation: projections.views.map((v) => v.separation),
    pair: { classes: [HARDEST_PAIR[0], HARDEST_PAIR[1]], firstAsSecond: pair.firstAsSecond, secondAsFirst: pair.secondAsFirst, leastSureCount: pair.leastSureCount },
  };
  const file = await writeInterpretabilitySummary(summary);
  say(`saved ${displayPath(file)}`);
  for (const line of Object.values(interpretabilitySentences(summary))) say(line);
  return summary;
}
