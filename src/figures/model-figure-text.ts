import { DEFAULT_SEED } from '../results/layout';
import { MODEL_NAMES, MODEL_TITLES as REGISTRY_TITLES } from '../models/registry';
import { numberWord } from '../util/words';
/**
 * Ids, captions and alt texts of the model and comparison figures, in one place. The builders use them,
 * and notebooks 03–07 carry the same text in each figure cell's Quarto metadata (label, fig-cap, fig-alt;
 * test/model-figures-notebooks.test.ts checks they agree). They therefore depend only on the model, never
 * on results: the metadata is static while the numbers change from run to run.
 */

/** Human names of the model ids (the registry's titles). */
const MODEL_TITLES: Record<string, string> = REGISTRY_TITLES; // indexed by any string: ids outside the registry print as themselves

export function modelTitle(model: string): string {
  return MODEL_TITLES[model] ?? model;
}

/** `fig-<model>-<suffix>`, lowercase and hyphenated, because Quarto labels must look like that. */
export function figureId(model: string, suffix: string, prefix: 'fig' | 'tbl' = 'fig'): string {
  const slug = `${model}-${suffix}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${prefix}-${slug}`;
}

export interface FigureText {
  id: string;
  caption: string;
  /** Absent for tables (Quarto has no tbl-alt). */
  alt?: string;
}

export const MODEL_FIGURE_KINDS = ['history', 'per-class', 'confusion', 'confusion-normalised', 'misclassified'] as const;
export type ModelFigureKind = (typeof MODEL_FIGURE_KINDS)[number];

/** Id, caption and alt text of one per-model figure. */
export function modelFigureText(model: string, kind: ModelFigureKind): Required<FigureText> {
  const t = modelTitle(model);
  const id = figureId(model, kind);
  switch (kind) {
    case 'history':
      return {
        id,
        caption: `${t} learning curves of the committed seed's run (seed ${DEFAULT_SEED}; the seed study's other runs are summarised in notebook 07): accuracy (left) and loss (right) after each epoch; training values are the running ones, in training mode (see the text).`,
        alt: `Two line charts over the training epochs of ${t}: training and validation accuracy on the left, training and validation loss on the right.`,
      };
    case 'per-class':
      return {
        id,
        caption: `${t} on the test set: precision, recall and F1 for each class (a dot plot; the score axis is zoomed to the values and states where it starts).`,
        alt: `Dot plot of precision, recall and F1 of ${t} for each of the ten clothing classes, one row per class.`,
      };
    case 'confusion':
      return {
        id,
        caption: `${t} confusion matrix on the test set: rows are the true class, columns the predicted class; each cell is the number of test images.`,
        alt: `Heatmap of the ten-by-ten confusion matrix of ${t}, in counts; the diagonal holds the correct predictions.`,
      };
    case 'confusion-normalised':
      return {
        id,
        caption: `${t} confusion matrix on the test set, row-normalised: each cell is the share of the true class (row) predicted as the column's class, so rows sum to 1 and the diagonal is each class's recall.`,
        alt: `Heatmap of the ten-by-ten confusion matrix of ${t}, each row divided by its total; the diagonal holds the share of each class recognised correctly.`,
      };
    case 'misclassified':
      return {
        id,
        caption: `Misclassified test images of ${t}, with the true class and the class it predicted (one per true class in turn).`,
        alt: `Grid of greyscale 28-by-28 test images that ${t} classified wrongly; under each image its true and predicted class.`,
      };
  }
}

/** Id and caption of the per-model headline-metrics table. */
/** The architecture table (a real table, so the PDF sets it as text: issue 22). */
export function architectureTableText(model: string): FigureText {
  return {
    id: figureId(model, 'architecture', 'tbl'),
    caption: `${modelTitle(model)} architecture: layers in order, with each layer's settings (filters, kernel, stride, padding, activation, units, dropout rate), output shape and number of trainable parameters.`,
  };
}

export function keyMetricsTableText(model: string): FigureText {
  return {
    id: figureId(model, 'metrics', 'tbl'),
    caption: `${modelTitle(model)}: headline results (accuracy and F1 on the test set, accuracy on the training split, their gap, size and training time).`,
  };
}

export const COMPARISON_FIGURE_TEXT = Object.freeze({
  table: {
    id: 'fig-comparison-table',
    caption:
      `All ${numberWord(MODEL_NAMES.length)} models on the test set: accuracy, macro-averaged F1, accuracy on the training split, the train–test gap (percentage points), trainable parameters and training time.`,
    alt: 'Table with one row per model and columns test accuracy, macro F1, train accuracy, train–test gap, parameters and training seconds.',
  },
  f1PerClass: {
    id: 'fig-comparison-f1-per-class',
    caption: 'Test-set F1 of each class for every model (a dot plot; the F1 axis is zoomed to the values and states where it starts).',
    alt: 'Dot plot: for each of the ten clothing classes, one row with a dot per model at its F1 on the test set.',
  },
  paper: {
    id: 'fig-comparison-paper',
    caption:
      "Every number the paper reports (dashed lines) beside ours on the paper's split, under its recipe (faithful) and under ours (improved): " +
      "each seed a dot, the mean a bar with its 95% interval. Each panel has its own scale. The paper gives about 90% test accuracy for every model " +
      "and exactly 90.6% for CNN 2; CNN 2's gap is its training minus its test accuracy.",
    alt: "Dot plots in four panels (test accuracy of every model, CNN 2 training accuracy, CNN 2 train–test gap, CNN 3 F1): the paper's values as dashed lines, our seeds and means under both conditions as dots and bars.",
  },
  benchmarks: {
    id: 'fig-comparison-benchmarks',
    caption:
      "Our models' test accuracy on the official test split (the dataset's 10,000 test images, which the published results use; committed seed) among the published Fashion-MNIST benchmarks (the dataset's benchmark table; augmented entries marked). A range is shown as a bar from its lowest to its highest reported value.",
    alt: 'Horizontal dot chart of test accuracies sorted from lowest to highest: the published Fashion-MNIST benchmarks, with our models on the official test split highlighted among them.',
  },
  tableText: {
    id: 'tbl-comparison',
    caption: `All ${numberWord(MODEL_NAMES.length)} models on the committed seed's run: test accuracy, macro F1, training accuracy (measured after training, dropout off), the train − test gap in percentage points, parameters and training time.`,
  },
  paperText: {
    id: 'tbl-comparison-paper',
    caption:
      "Every number the paper reports next to ours on the paper's split, mean ± sd over the seeds under each condition; the difference is the faithful mean minus the paper's number ('≈' marks the paper's approximate values).",
  },
} as const);
