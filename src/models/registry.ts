import { MODEL_CHOICES } from './choices';

/**
 * One layer of an architecture, as data: src/models/architectures.ts builds it with TensorFlow.js and
 * src/models/params.ts counts its parameters without TensorFlow. Names are stable ('conv1', 'pool1',
 * 'flatten', 'dense1', 'output', ...): figures, saved weights, seeds and tests refer to them.
 */
export type LayerSpec =
  | { kind: 'flatten'; name: string }
  | { kind: 'dense'; name: string; units: number; activation: 'relu' | 'softmax' }
  /** `strides` only where the paper states them (CNN 2): it is part of the saved topology. */
  | { kind: 'conv'; name: string; filters: number; kernelSize: number; strides?: readonly [number, number] }
  | { kind: 'pool'; name: string }
  | { kind: 'dropout'; name: string; rate: number };

/**
 * One record per model: every fact about a model lives here, and everything else (MODEL_NAMES, the
 * notebook plan, the figures' titles and colours, the report, the study's pairs) derives from it.
 * Declared with `satisfies`, so a record with a missing fact does not compile.
 */
export interface ModelSpec {
  /** How the article and the figures name it. */
  title: string;
  /** How a generated sentence names it mid-sentence ("the ANN", "CNN 3"); capitalised at a sentence's start. */
  proseName: string;
  family: 'dense' | 'convolutional';
  /** The notebook that trains and shows it (notebooks/<name>.ipynb), in reading order by its number. */
  notebook: string;
  /** The same colour in every figure; distinct from every other model's (test/model-registry.test.ts). */
  colour: string;
  /** How the paper names it; null for a model the paper does not have. */
  paperName: string | null;
  /** The layers in order, the output layer included. */
  layers: readonly LayerSpec[];
  /**
   * Relative cost of one training epoch on the full split at batch 64, in integer units (from the
   * committed runs' times on the node backend, two processes on two cores: ANN ≈ 9 s, CNN 1 ≈ 41 s,
   * CNN 2 ≈ 43 s, CNN 3 ≈ 100 s). It shares the study between machines (src/study/plans.ts) and
   * orders the main job's notebooks, slowest first (src/pipeline/plan.ts).
   */
  epochCost: number;
}

const OUTPUT = { kind: 'dense', name: 'output', units: 10, activation: 'softmax' } as const;
const K1 = MODEL_CHOICES.cnn1KernelSize;
const K3 = MODEL_CHOICES.cnn3KernelSize;

/** The paper's four models, in the order it presents them (baseline first). */
export const MODEL_REGISTRY = {
  ann: {
    title: 'ANN',
    proseName: 'the ANN',
    family: 'dense',
    notebook: '03-ann',
    colour: '#7f7f7f',
    paperName: 'ANN',
    layers: [{ kind: 'flatten', name: 'flatten' }, { kind: 'dense', name: 'dense1', units: 64, activation: 'relu' }, { kind: 'dense', name: 'dense2', units: 128, activation: 'relu' }, OUTPUT],
    epochCost: 2,
  },
  cnn1: {
    title: 'CNN 1',
    proseName: 'CNN 1',
    family: 'convolutional',
    notebook: '04-cnn1',
    colour: '#1f77b4',
    paperName: 'Model 1',
    layers: [{ kind: 'conv', name: 'conv1', filters: 32, kernelSize: K1 }, { kind: 'pool', name: 'pool1' }, { kind: 'flatten', name: 'flatten' }, { kind: 'dense', name: 'dense1', units: 128, activation: 'relu' }, OUTPUT],
    epochCost: 9,
  },
  cnn2: {
    title: 'CNN 2',
    proseName: 'CNN 2',
    family: 'convolutional',
    notebook: '05-cnn2',
    colour: '#ff7f0e',
    paperName: 'Model 2',
    // CNN 1 with the (default) strides stated explicitly; see MODEL_CHOICES.cnn2Note.
    layers: [{ kind: 'conv', name: 'conv1', filters: 32, kernelSize: K1, strides: [1, 1] }, { kind: 'pool', name: 'pool1' }, { kind: 'flatten', name: 'flatten' }, { kind: 'dense', name: 'dense1', units: 128, activation: 'relu' }, OUTPUT],
    epochCost: 9,
  },
  cnn3: {
    title: 'CNN 3',
    proseName: 'CNN 3',
    family: 'convolutional',
    notebook: '06-cnn3',
    colour: '#2ca02c',
    paperName: 'Model 3',
    layers: [
      { kind: 'conv', name: 'conv1', filters: 32, kernelSize: K3 },
      { kind: 'pool', name: 'pool1' },
      { kind: 'conv', name: 'conv2', filters: 64, kernelSize: K3 },
      { kind: 'pool', name: 'pool2' },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'dense1', units: 128, activation: 'relu' },
      // The training loop re-seeds this layer every step (see setDropoutSeed).
      { kind: 'dropout', name: 'dropout', rate: MODEL_CHOICES.dropoutRate },
      OUTPUT,
    ],
    epochCost: 22,
  },
} as const satisfies Record<string, ModelSpec>;

export type ModelName = keyof typeof MODEL_REGISTRY;

/** Every model id, in the registry's order (the paper's). */
export const MODEL_NAMES: readonly ModelName[] = Object.freeze(Object.keys(MODEL_REGISTRY) as ModelName[]);

/** The registry record of a model, typed as the general ModelSpec. */
export function modelSpec(model: ModelName): ModelSpec {
  return MODEL_REGISTRY[model];
}

export function isModelName(value: unknown): value is ModelName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MODEL_REGISTRY, value);
}

/** Throws a message that lists the valid names (used by the CLI and the notebook API alike). */
export function assertModelName(value: unknown): ModelName {
  if (isModelName(value)) return value;
  throw new Error(`unknown model '${String(value)}'; use one of: ${MODEL_NAMES.join(', ')}`);
}

/** A map from every model to a fact derived from its record. */
export function perModel<T>(f: (spec: ModelSpec, model: ModelName) => T): Record<ModelName, T> {
  return Object.fromEntries(MODEL_NAMES.map((m) => [m, f(MODEL_REGISTRY[m], m)])) as Record<ModelName, T>;
}

/** Display names ('CNN 3'). */
export const MODEL_TITLES: Record<ModelName, string> = perModel((s) => s.title);
export const MODEL_COLOURS: Record<ModelName, string> = perModel((s) => s.colour);

export function modelTitle(model: ModelName): string {
  return MODEL_REGISTRY[model].title;
}

/** The models of a family, in registry order. */
export function modelsOfFamily(family: ModelSpec['family']): ModelName[] {
  return MODEL_NAMES.filter((m) => modelSpec(m).family === family);
}

/** The fully connected baseline the convolutional models are compared with: the registry's one dense model. */
export function baselineModel(): ModelName {
  const dense = modelsOfFamily('dense');
  if (dense.length !== 1) throw new Error(`the registry should have exactly one dense (baseline) model, not ${dense.length}: ${dense.join(', ')}`);
  return dense[0];
}

/** The models the paper has (its reported numbers and claims are about these). */
export function paperModels(): ModelName[] {
  return MODEL_NAMES.filter((m) => modelSpec(m).paperName !== null);
}

/** The model notebooks' names, as the registry spells them (literal types: the plan's NotebookName includes them). */
export type ModelNotebook = (typeof MODEL_REGISTRY)[ModelName]['notebook'];
export function modelNotebook(model: ModelName): ModelNotebook {
  return MODEL_REGISTRY[model].notebook;
}
