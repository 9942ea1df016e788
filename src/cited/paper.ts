import { paperModels, type ModelName } from '../models/registry';

/**
 * The numbers "Threads of Understanding" reports, as cited data: the comparison figures, the report's
 * variables and the claims read them from here. Values are fractions (0.906 = 90.6%).
 */

/** A number the paper reports, with where it says so. */
export interface PaperFigure {
  model: ModelName;
  metric: 'testAccuracy' | 'trainAccuracy' | 'f1';
  value: number;
  /** true where the paper gives only an approximate value ("about 90%"). */
  approximate: boolean;
  source: string;
}

/**
 * It gives a single approximate accuracy for all its models, an F1 for CNN 3 without saying which
 * average, and train/test accuracy for CNN 2 only.
 */
export const PAPER_REPORTED: readonly PaperFigure[] = Object.freeze([
  ...paperModels().map((model) => ({
    model,
    metric: 'testAccuracy' as const,
    value: 0.9,
    approximate: true,
    source: 'Sec. V (Conclusion): all models reach similar overall accuracy of about 90%',
  })),
  { model: 'cnn3', metric: 'f1', value: 0.9030001359566023, approximate: false, source: 'Fig. 11: F1-score of Model 3 (averaging not stated)' },
  { model: 'cnn2', metric: 'trainAccuracy', value: 0.974, approximate: false, source: 'Sec. IV.C: Model 2 training accuracy 97.4%' },
  { model: 'cnn2', metric: 'testAccuracy', value: 0.906, approximate: false, source: 'Sec. IV.C: Model 2 testing accuracy 90.6%' },
]);

/** The paper's figure for `model` and `metric` (exact unless `approximate`), or undefined if it gives none. */
export function paperFigure(model: ModelName, metric: PaperFigure['metric'], approximate = false): PaperFigure | undefined {
  return PAPER_REPORTED.find((p) => p.model === model && p.metric === metric && p.approximate === approximate);
}
