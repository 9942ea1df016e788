/**
 * The notebook API: what notebooks/ import (compiled: `import { … } from '../dist/index'`), grouped by
 * the step of the paper it serves, in the order the notebooks take them. Everything else in src/ is
 * internal (the pipeline, results cache, report generation, backends' kernels, the CLI): import it
 * from its module when a test or a script needs it. test/notebook-api.test.ts checks that every name
 * a notebook imports is here.
 */

// ── Every notebook: set-up, showing figures and tables, paths ───────────────────────────────────
/** First code cell: `const settings = setNotebook('03-ann')` (profile, protocol and seed from the environment). */
export { setNotebook, showFigure, showTable, type TableSpec } from './figures/show';
export { setProvenance, type NotebookSettings, type FigureProvenance } from './notebook/context';
export type { FigureSpec } from './figures/spec';
/** Chooses the TensorFlow.js backend (tfjs-node, wasm or cpu) and prints one line saying which. */
export { initBackend, activeBackend, type BackendInfo } from './tf/backend';
/** Paths as printed in outputs: repository-relative, never this machine's folders. */
export { displayPath } from './util/paths';

// ── Data (Fashion-MNIST: 70,000 28×28 images in ten classes) ────────────────────────────────────
export { loadNotebookDataset, datasetChecksums, combinedImages } from './notebook/dataset';
export { CLASS_NAMES } from './data/classes';
export type { FashionMnist, LabelledImages, SplitProtocol } from './data/types';

// ── 01 · Exploratory analysis ───────────────────────────────────────────────────────────────────
export { classDistribution, meanImageByClass, intensityHistogram } from './eda/stats';
export { pixelStatisticsTable, classStatisticsTable } from './eda/describe';
export { classDistributionBarFigure, classDistributionPieFigure, sampleGridFigure, meanImagesFigure, intensityHistogramFigure } from './eda/figures';

// ── 02 · Principal component analysis ───────────────────────────────────────────────────────────
export { fitPca, componentsFor, projectImages, scatterSample, type PcaFit } from './pca/fit';
export { explainedVarianceFigure, principalComponentsFigure, pcaScatter2dFigure, pcaScatter3dFigure } from './pca/figures';
export { savePcaSummary, readPcaSummary, pcaSummaryPath, type PcaSummary } from './pca/summary';

// ── 03–06 · The four models: architecture ───────────────────────────────────────────────────────
export { MODEL_NAMES, buildModel, type ModelName } from './models/architectures';
/** Every choice the paper leaves open (padding, initialisers, optimiser settings…), stated once. */
export { MODEL_CHOICES } from './models/choices';
export { modelSummary } from './models/summary';
export { architectureTable } from './figures/model-figures';

// ── 03–06 · Training (cached in results/: a rerun loads the saved run) ──────────────────────────
/** `trainInNotebook(settings, 'cnn3', { learningRate: 5e-4 })`: train or load, epochs printed in the cell. */
export { trainInNotebook, trainAllInNotebook, outcomeLine } from './notebook/model-cells';
export type { TrainingOverrides, ProfileName } from './training/profiles';
export type { ModelReport } from './results/report';
/** Lower level: the call behind trainInNotebook and `fmnist train`, and saved runs by their settings. */
export { trainAndEvaluate, loadReport, loadTrainedModel, runData, predict, type TrainAndEvaluateOptions } from './training/run';

// ── 03–06 · Evaluation on the test set ──────────────────────────────────────────────────────────
export { historyFigure, perClassMetricsFigure, confusionFigure, keyMetricsTable } from './figures/model-figures';
export { modelHighlights } from './figures/model-highlights';
export { classificationMetrics, accuracy, type ClassificationMetrics } from './evaluation/metrics';

// ── 07 · Comparison: the four models, their mistakes, the paper, published benchmarks ───────────
/** `benchmarkFigureInNotebook(await officialSplitReports(settings, reports))`: the published benchmarks beside the official split's results. */
export { misclassifiedExamples, officialSplitReports, benchmarkFigureInNotebook } from './notebook/model-cells';
export {
  comparisonRows,
  comparisonTable,
  comparisonTableFigure,
  f1AcrossModelsFigure,
  selectMisclassified,
  misclassifiedGalleryFigure,
  benchmarkComparisonFigure,
  type ComparisonRow,
} from './figures/comparison-figures';
/** What the article cites: the paper's reported numbers and the published benchmarks (src/cited/). */
export { PAPER_REPORTED } from './cited/paper';
export { PUBLISHED_BENCHMARKS } from './cited/benchmarks';

// ── 07 · The seed study: mean, spread and significance over training seeds ─────────────────────
/** `const study = await studyInNotebook(settings)`: the saved study summary (`fmnist study` trains and writes it). */
export { studyInNotebook } from './notebook/study-cells';
export { studyTable, studyPairsTable, studyGapPairsTable, studySeedFigure } from './figures/study-figures';
export type { StudySummary, Comparison, ComparisonMetric, McNemarOverSeeds, RunSummary, SeedResult } from './study/summary';
/** `const claims = claimsInNotebook()`: the paper's claims with a verdict each (src/claims/). */
export { claimsInNotebook, ablationTableInNotebook } from './notebook/study-cells';
/** `const paperNumbers = paperNumbersInNotebook()`: every number the paper reports, with ours over the seeds of both conditions. */
export { paperNumbersInNotebook } from './notebook/study-cells';
export { paperNumbers, paperComparisonTable, paperComparisonFigure, type PaperNumber } from './figures/paper-comparison';
export { ablationTable, ABLATION_TABLE_TEXT } from './figures/ablation-figures';
export { claimsTableSpec, CLAIMS_TABLE_TEXT } from './figures/claims-figures';

// ── 08 · Interpretability: what the networks learned (src/interpretability/) ───────────────────
/** `const ctx = await interpretabilityContext(settings)`: loads CNN 3, the ANN and CNN 1 and CNN 3's test predictions. */
export {
  interpretabilityContext,
  filtersInNotebook,
  featureMapsInNotebook,
  attributionsInNotebook,
  sanityCheckInNotebook,
  sanityFigureInNotebook,
  projectionsInNotebook,
  projectionFigureInNotebook,
  separationTableInNotebook,
  silhouetteFigureInNotebook,
  hardestPairInNotebook,
  saveInterpretability,
  type InterpretabilityContext,
} from './notebook/interpretability-cells';
/** Lower level: the attribution methods, the sanity check, the projections and their separation measures. */
export { gradientSaliency, gradientTimesInput } from './interpretability/saliency';
export { gradCam } from './interpretability/grad-cam';
export { occlusionSensitivity } from './interpretability/occlusion';
export { cascadingRandomisation, spearman, SANITY_THRESHOLD } from './interpretability/randomisation';
export { pcaProjection, umapProjection } from './interpretability/projection';
export { separation } from './interpretability/separation';
