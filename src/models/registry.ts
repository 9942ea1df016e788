import type { ModelName } from './architectures';

/**
 * One record per model: every fact the figures, the report and the claims need about a model
 * beyond its layers (src/models/architectures.ts builds those). Declared with `satisfies`, so a
 * model added to MODEL_NAMES without its record does not compile.
 */
export interface ModelSpec {
  /** How the article and the figures name it. */
  title: string;
  family: 'dense' | 'convolutional';
  /** The notebook that trains and shows it (notebooks/<name>.ipynb). */
  notebook: string;
  /** The same colour in every figure. */
  colour: string;
  /** How the paper names it. */
  paperName: string;
}

export const MODEL_REGISTRY = {
  ann: { title: 'ANN', family: 'dense', notebook: '03-ann', colour: '#7f7f7f', paperName: 'ANN' },
  cnn1: { title: 'CNN 1', family: 'convolutional', notebook: '04-cnn1', colour: '#1f77b4', paperName: 'Model 1' },
  cnn2: { title: 'CNN 2', family: 'convolutional', notebook: '05-cnn2', colour: '#ff7f0e', paperName: 'Model 2' },
  cnn3: { title: 'CNN 3', family: 'convolutional', notebook: '06-cnn3', colour: '#2ca02c', paperName: 'Model 3' },
} as const satisfies Record<ModelName, ModelSpec>;

const map = <T>(f: (s: ModelSpec) => T): Record<ModelName, T> =>
  Object.fromEntries(Object.entries(MODEL_REGISTRY).map(([m, s]) => [m, f(s)])) as Record<ModelName, T>;

/** Display names ('CNN 3'). */
export const MODEL_TITLES: Record<ModelName, string> = map((s) => s.title);
export const MODEL_COLOURS: Record<ModelName, string> = map((s) => s.colour);

export function modelTitle(model: ModelName): string {
  return MODEL_REGISTRY[model].title;
}
