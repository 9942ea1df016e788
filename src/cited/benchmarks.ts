import type { SplitProtocol } from '../data/types';

/**
 * Published Fashion-MNIST results, as cited data, and the protocol they are scored under: the
 * comparison figure, the report's variables and the main job's plan read them from here.
 */

/** A published Fashion-MNIST result (test accuracy). A range is given as accuracy..accuracyHigh. */
export interface Benchmark {
  name: string;
  accuracy: number;
  accuracyHigh?: number;
  augmented: boolean;
}

/** The dataset's own benchmark table (Xiao et al., the Fashion-MNIST repository), as listed in the project brief. */
export const PUBLISHED_BENCHMARKS: readonly Benchmark[] = Object.freeze([
  { name: 'Human performance', accuracy: 0.835, augmented: false },
  { name: '2 Conv + pooling', accuracy: 0.876, accuracyHigh: 0.916, augmented: false },
  { name: 'MLP 256-128-100', accuracy: 0.883, augmented: false },
  { name: 'SVC (scikit-learn, best classical)', accuracy: 0.897, augmented: false },
  { name: '2 Conv, < 100K parameters', accuracy: 0.925, augmented: false },
  { name: '3 Conv + pooling + 2 FC + dropout', accuracy: 0.926, augmented: false },
  { name: '2 Conv + pooling + batch norm', accuracy: 0.934, augmented: false },
  { name: 'ResNet18 (augmented)', accuracy: 0.949, augmented: true },
  { name: 'WRN-40-4 (augmented)', accuracy: 0.967, augmented: true },
]);

/** The protocol whose test set the published benchmarks use: the dataset's own 10,000 test images. */
export const BENCHMARK_PROTOCOL = 'official' satisfies SplitProtocol;
