/**
 * The source of notebooks 03–07 (one per model, then the comparison), generated rather than hand-edited
 * so that each figure cell's Quarto metadata (label, fig-cap, fig-alt) is the very text the figure
 * builders use (model-figure-text.ts). `writeModelNotebooks()` writes them without outputs; the test
 * test/model-figures-notebooks.test.ts fails when the files in notebooks/ drift from this generator.
 *
 * Regenerate after editing this file:  node -e "require('./dist/figures/model-notebooks').writeModelNotebooks()"
 */
import * as path from 'node:path';
import type { Notebook, NotebookCell } from '../pipeline/notebook-file';
import { projectRoot } from '../util/paths';
import { writeFileAtomicSync } from '../util/atomic';
import { COMPARISON_FIGURE_TEXT, keyMetricsTableText, modelFigureText, modelTitle, type FigureText, type ModelFigureKind } from './model-figure-text';

export const MODEL_NOTEBOOKS = { ann: '03-ann', cnn1: '04-cnn1', cnn2: '05-cnn2', cnn3: '06-cnn3' } as const;
export type NotebookModel = keyof typeof MODEL_NOTEBOOKS;
export const COMPARISON_NOTEBOOK = '07-comparison';
/** The model whose mistakes 07 shows: CNN 3, the model the paper recommends. */
export const GALLERY_MODEL = 'cnn3';

const KERNELSPEC = { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' };
const LANGUAGE_INFO = { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' };

function lines(text: string): string[] {
  const parts = text.replace(/^\n+|\s+$/g, '').split('\n');
  return parts.map((l, i) => (i < parts.length - 1 ? l + '\n' : l));
}

/** Builds cells with stable ids (nbformat 4.5), so regenerating gives byte-identical files. */
class CellList {
  readonly cells: NotebookCell[] = [];
  constructor(private readonly prefix: string) {}

  private nextId(label?: string): string {
    return label ?? `${this.prefix}-${String(this.cells.length + 1).padStart(2, '0')}`;
  }

  md(text: string): this {
    this.cells.push({ cell_type: 'markdown', id: this.nextId(), metadata: {}, source: lines(text) });
    return this;
  }

  code(text: string, metadata: Record<string, unknown> = {}): this {
    const label = typeof metadata.label === 'string' ? metadata.label : undefined;
    this.cells.push({ cell_type: 'code', id: this.nextId(label), metadata, source: lines(text), outputs: [], execution_count: null } as NotebookCell);
    return this;
  }

  /** A cell that shows one figure; Quarto reads label, caption and alt text from its metadata. */
  figure(text: FigureText, source: string): this {
    return this.code(source, { label: text.id, 'fig-cap': text.caption, ...(text.alt ? { 'fig-alt': text.alt } : {}), echo: false });
  }

  table(text: FigureText, source: string): this {
    return this.code(source, { label: text.id, 'tbl-cap': text.caption, echo: false });
  }

  notebook(): Notebook {
    return {
      cells: this.cells,
      metadata: { kernelspec: KERNELSPEC, language_info: LANGUAGE_INFO },
      nbformat: 4,
      nbformat_minor: 5,
    };
  }
}

/** What each model is, in the notebook's words (architecture facts only; results are printed from code). */
const MODEL_INTROS: Record<NotebookModel, string> = {
  ann: `
The **artificial neural network (ANN)** is the paper's baseline. It unrolls each 28×28 image into a vector of
784 pixel values and passes it through two fully connected hidden layers (64 and then 128 ReLU units) to a
10-way softmax. Because the image is flattened first, the network has no built-in idea that neighbouring
pixels belong together: a collar or a heel has to be learnt separately at every position where it can occur.
That is exactly what the convolutional models add, so this notebook is the yardstick for notebooks 04–06.`,
  cnn1: `
**CNN 1** is the simplest convolutional model of the paper. A single convolutional layer of 32 filters, each
4×4 pixels with ReLU, slides over the image, so one filter detects the same local pattern (an edge, a
corner of a sleeve) wherever it appears. A 2×2 max-pooling layer then halves the resolution, keeping the
strongest response in each patch; the result is flattened into a dense layer of 128 ReLU units and the
10-way softmax. Almost all of its parameters sit in that dense layer after flattening.`,
  cnn2: `
**CNN 2** is CNN 1 with the strides of its convolution written out as [1, 1]. A stride of one pixel in each
direction is already the default, so both networks have the same layers, shapes and parameter count. Any
difference between their results therefore comes from training randomness (each model's weights and
shuffles are drawn from its own seed), not from the architecture, which makes this pair a direct measure
of run-to-run variation. The paper singles out CNN 2 for overfitting: a high training accuracy with a
clearly lower test accuracy. The train–test gap printed below is ours, measured on our run.`,
  cnn3: `
**CNN 3** is the deepest model of the paper: two convolution + max-pooling blocks (32 filters, then 64),
then a dense layer of 128 ReLU units, **dropout** of 20% and the 10-way softmax. The second block sees the
feature maps of the first, so it can combine simple local patterns into larger ones; pooling twice also
shrinks the flattened vector, so this model has fewer parameters than CNN 1 despite its extra layer.
Dropout switches off a random fifth of the dense activations at every training step, so the network
cannot lean on any single unit; the paper presents it as the remedy for the overfitting of CNN 2.`,
};

/** Which of MODEL_CHOICES' notes document choices that matter for this model. */
const CHOICE_NOTES: Record<NotebookModel, string[]> = {
  ann: ['inputNote', 'initializerNote', 'optimizerNote', 'lossNote'],
  cnn1: ['inputNote', 'paddingNote', 'poolNote', 'initializerNote', 'optimizerNote'],
  cnn2: ['cnn2Note', 'paddingNote', 'poolNote', 'initializerNote', 'optimizerNote'],
  cnn3: ['cnn3KernelNote', 'paddingNote', 'poolNote', 'dropoutNote', 'initializerNote', 'optimizerNote'],
};

const SETTINGS_MD = `
The notebook reads its run settings from the environment: \`FMNIST_PROFILE\` (\`smoke\`, a tiny subset for
tests, or \`paper\`, the full data — the default), \`FMNIST_PROTOCOL\` (\`paper\`, the paper's 60:20:20 split,
or \`official\`, the dataset's own train/test split) and \`FMNIST_SEED\`. All logic lives in \`src/\`; the cells
only call it. Training results are cached under \`results/\`, so running the notebook again loads them
instead of training.`;

function fig(model: string, kind: ModelFigureKind): FigureText {
  return modelFigureText(model, kind);
}

/** Notebook 03–06 for one model. */
export function modelNotebook(model: NotebookModel): Notebook {
  const name = MODEL_NOTEBOOKS[model];
  const t = modelTitle(model);
  const c = new CellList(name);
  c.md(`# ${name.slice(0, 2)} · ${t}\n${MODEL_INTROS[model]}\n${SETTINGS_MD}`);
  c.code(`
import {
  setNotebook, setProvenance, showFigure, showTable, initBackend, buildModel, modelSummary, MODEL_CHOICES,
  trainAndEvaluate, epochLineProgress, formatEpochLine, resultsProvenance,
  architectureFigure, historyFigure, perClassMetricsFigure, confusionFigure, keyMetricsTable, modelHighlights,
} from '../dist/index';
const settings = setNotebook('${name}');
const backend = await initBackend(); // tfjs-node, wasm or cpu: the first that loads`);

  c.md(`
## Architecture

The table is generated from the model that the training code builds: each layer in order, the shape of
its output (the first dimension, \`None\`, is the batch) and how many weights it learns. Where the paper
leaves a detail open, the choice we made is stated in \`MODEL_CHOICES\` (src/models/choices.ts) and printed
below the figure.`);
  c.figure(fig(model, 'architecture'), `
const summary = modelSummary(buildModel('${model}', settings.seed));
await showFigure(architectureFigure('${model}', summary));`);
  c.code(`
for (const note of [${CHOICE_NOTES[model].map((n) => `MODEL_CHOICES.${n}`).join(', ')}]) console.log('- ' + note);`);

  c.md(`
## Training

Adam and sparse categorical cross-entropy, as in the paper; batch size, epochs and learning-rate schedule
come from the profile. The cell prints one line per epoch (from the cache when the run was done before),
then the headline numbers as a table.`);
  c.code(`
const report = await trainAndEvaluate({
  model: '${model}', profile: settings.profile, protocol: settings.protocol, seed: settings.seed,
  progress: epochLineProgress((line) => console.log(line)),
  log: (message) => console.log(message),
});
// A cached run printed no epochs: show its saved history the same way.
if (report.cached) for (const epoch of report.history) console.log(formatEpochLine('${model}', epoch, report.epochs));
setProvenance(await resultsProvenance([report]));`);
  c.table(keyMetricsTableText(model), `
await showTable(keyMetricsTable('${model}', report));`);

  c.md(`
## Learning curves

Accuracy (left) and loss (right) after every epoch, on the images the model trains on and on the
validation images it never trains on. Curves that rise (or fall) together mean the model generalises;
a training curve that keeps improving while the validation curve flattens or turns back is the signature
of overfitting, and the vertical distance between the two is how much of the training accuracy does not
carry over to new images.`);
  c.figure(fig(model, 'history'), `
await showFigure(historyFigure('${model}', report.history));`);

  c.md(`
## Per-class precision, recall and F1

On the test set. *Precision* of a class: of the images predicted as that class, the share that really are;
*recall*: of the images of that class, the share found; F1 is their harmonic mean. Classes with similar
silhouettes (shirts, T-shirts, pullovers and coats) are where a model shows its limits.`);
  c.figure(fig(model, 'per-class'), `
await showFigure(perClassMetricsFigure('${model}', report.test.perClass));`);

  c.md(`
## Confusion matrix

Each row is a true class and each column a predicted class, so the diagonal counts the correct answers
and every other cell is one kind of mistake. The second view divides each row by its total: its diagonal
is each class's recall, and the largest off-diagonal shares show which garments the model mixes up.`);
  c.figure(fig(model, 'confusion'), `
await showFigure(confusionFigure('${model}', report.test.confusion));`);
  c.figure(fig(model, 'confusion-normalised'), `
await showFigure(confusionFigure('${model}', report.test.confusion, undefined, { normalise: true }));`);

  c.md(`
## Reading the results

The sentences below are computed from this run's results (they change when the results do).`);
  c.code(`
for (const line of modelHighlights('${model}', report)) console.log(line);`);
  return c.notebook();
}

/** Notebook 07: the four models side by side, against the paper and the published benchmarks. */
export function comparisonNotebook(): Notebook {
  const c = new CellList(COMPARISON_NOTEBOOK);
  const T = COMPARISON_FIGURE_TEXT;
  c.md(`
# 07 · Comparing the four models

The ANN baseline and the three CNNs side by side on the same test images: accuracy, macro F1, how much
better each does on its training data than on new images, its size and its training time. Then the
classes each model finds hard, examples of the mistakes the paper's recommended model (CNN 3) makes, and
how our numbers compare with those the paper reports and with published Fashion-MNIST results.
${SETTINGS_MD}`);
  c.code(`
import {
  setNotebook, setProvenance, showFigure, showTable, initBackend, MODEL_NAMES, trainAndEvaluate, epochLineProgress, resultsProvenance,
  runData, loadTrainedModel, predict, type ModelReport,
  comparisonRows, comparisonTable, comparisonTableFigure, f1AcrossModelsFigure, selectMisclassified,
  misclassifiedGalleryFigure, paperComparisonTable, paperComparisonFigure, benchmarkComparisonFigure,
} from '../dist/index';
const settings = setNotebook('${COMPARISON_NOTEBOOK}');
const backend = await initBackend(); // tfjs-node, wasm or cpu: the first that loads`);

  c.md(`
## Results of all four models

Each model is trained with the same settings as in its own notebook; when that notebook ran before, the
results come straight from the cache.`);
  c.code(`
const reports: ModelReport[] = [];
for (const model of MODEL_NAMES) {
  reports.push(await trainAndEvaluate({
    model, profile: settings.profile, protocol: settings.protocol, seed: settings.seed,
    progress: epochLineProgress((line) => console.log(line)),
    log: (message) => console.log(message),
  }));
}
setProvenance(await resultsProvenance(reports));
const rows = comparisonRows(reports);`);
  c.table(T.tableText, `
await showTable(comparisonTable(rows));`);
  c.figure(T.table, `
await showFigure(comparisonTableFigure(rows));`);
  c.md(`
The *train–test gap* is accuracy on the training split minus accuracy on the test set: near zero means
the model does as well on new images as on the ones it learnt from; a large gap means it has partly
memorised its training images. Parameters and training time show what each model's accuracy costs.`);

  c.md(`
## Which classes are hard

The F1 of every class for every model. Where all four bars are low, the difficulty lies in the data
(garments that look alike at 28×28 pixels) rather than in any one architecture.`);
  c.figure(T.f1PerClass, `
await showFigure(f1AcrossModelsFigure(reports));`);

  c.md(`
## What the mistakes look like

Test images that ${modelTitle(GALLERY_MODEL)} classifies wrongly, taken one per true class in turn, with the
true and the predicted label. Many are hard for a person too: a thumbnail at 28×28 pixels often leaves a
shirt, a T-shirt and a pullover with the same outline.`);
  c.figure(modelFigureText(GALLERY_MODEL, 'misclassified'), `
const { test } = await runData(settings.protocol, settings.profile, settings.seed);
const trained = await loadTrainedModel(settings.protocol, '${GALLERY_MODEL}', settings.profile, { seed: settings.seed });
const { predicted } = await predict(trained, test);
trained.dispose();
await showFigure(misclassifiedGalleryFigure('${GALLERY_MODEL}', test.images, selectMisclassified(test.labels, predicted, 18)));`);

  c.md(`
## Our results and the paper's

The paper reports few exact numbers: an overall accuracy of about 90% for every model, an F1 of about
0.903 for CNN 3 (without saying which average), and 97.4% training against 90.6% test accuracy for CNN 2.
The table and figure set each of them beside ours; the paper's approximate values are marked.`);
  c.table(T.paperText, `
await showTable(paperComparisonTable(rows));`);
  c.figure(T.paper, `
await showFigure(paperComparisonFigure(rows));`);

  c.md(`
## Against published Fashion-MNIST results

The dataset's own benchmark table lists classical and neural baselines (the best classical one, an SVC,
is the 89.7% the paper also cites) up to deep residual networks trained with data augmentation. Our four
models are placed among them by test accuracy.`);
  c.figure(T.benchmarks, `
await showFigure(benchmarkComparisonFigure(rows));`);
  return c.notebook();
}

/** Every generated notebook by file name. */
export function generatedNotebooks(): Record<string, Notebook> {
  const out: Record<string, Notebook> = {};
  for (const [model, name] of Object.entries(MODEL_NOTEBOOKS)) out[name] = modelNotebook(model as NotebookModel);
  out[COMPARISON_NOTEBOOK] = comparisonNotebook();
  return out;
}

/** The file content as Jupyter writes it (one-space indent, trailing newline), so git diffs stay small. */
export function notebookJson(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + '\n';
}

/** Writes notebooks/03-ann.ipynb … 07-comparison.ipynb (without outputs). Returns the paths written. */
export function writeModelNotebooks(dir = path.join(projectRoot(), 'notebooks')): string[] {
  return Object.entries(generatedNotebooks()).map(([name, nb]) => {
    const file = path.join(dir, `${name}.ipynb`);
    writeFileAtomicSync(file, notebookJson(nb));
    return file;
  });
}
