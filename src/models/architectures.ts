import * as tf from '@tensorflow/tfjs';
import { MODEL_CHOICES } from './choices';
import { deriveSeed } from '../training/seeds';

/** The paper's four models, in the order it presents them (baseline first). */
export const MODEL_NAMES = ['ann', 'cnn1', 'cnn2', 'cnn3'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(value: unknown): value is ModelName {
  return typeof value === 'string' && (MODEL_NAMES as readonly string[]).includes(value);
}

/** Throws a message that lists the valid names (used by the CLI and the notebook API alike). */
export function assertModelName(value: unknown): ModelName {
  if (isModelName(value)) return value;
  throw new Error(`unknown model '${String(value)}'; use one of: ${MODEL_NAMES.join(', ')}`);
}

/** Layer defaults shared by every trainable layer: Keras' initialisers, each with its own seed. */
function init(seed: number, model: ModelName, layer: string) {
  return {
    name: layer,
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, model, layer, 'kernel') }),
    biasInitializer: tf.initializers.zeros(),
  };
}

function dense(seed: number, model: ModelName, layer: string, units: number, activation: 'relu' | 'softmax') {
  return tf.layers.dense({ units, activation, ...init(seed, model, layer) });
}

function conv(
  seed: number,
  model: ModelName,
  layer: string,
  filters: number,
  kernelSize: number,
  extra: { strides?: [number, number]; inputShape?: number[] } = {},
) {
  return tf.layers.conv2d({
    ...extra,
    filters,
    kernelSize,
    padding: MODEL_CHOICES.padding,
    activation: 'relu',
    ...init(seed, model, layer),
  });
}

function pool(layer: string) {
  return tf.layers.maxPooling2d({ name: layer, poolSize: MODEL_CHOICES.poolSize });
}

/**
 * Builds one of the four architectures (see MODEL_CHOICES for what the paper leaves open).
 * Layer names are stable ('conv1', 'pool1', 'flatten', 'dense1', 'output', ...) so figures,
 * saved weights and tests can refer to them. Not compiled: the training loop owns the optimiser.
 */
export function buildModel(name: ModelName, seed: number): tf.Sequential {
  assertModelName(name);
  const inputShape = [...MODEL_CHOICES.inputShape];
  const model = tf.sequential({ name });
  switch (name) {
    case 'ann':
      model.add(tf.layers.flatten({ name: 'flatten', inputShape }));
      model.add(dense(seed, name, 'dense1', 64, 'relu'));
      model.add(dense(seed, name, 'dense2', 128, 'relu'));
      break;
    case 'cnn1':
    case 'cnn2': {
      // CNN 2 differs only by stating the (default) strides explicitly; see MODEL_CHOICES.cnn2Note.
      const strides: [number, number] | undefined = name === 'cnn2' ? [1, 1] : undefined;
      model.add(conv(seed, name, 'conv1', 32, MODEL_CHOICES.cnn1KernelSize, { inputShape, ...(strides ? { strides } : {}) }));
      model.add(pool('pool1'));
      model.add(tf.layers.flatten({ name: 'flatten' }));
      model.add(dense(seed, name, 'dense1', 128, 'relu'));
      break;
    }
    case 'cnn3':
      model.add(conv(seed, name, 'conv1', 32, MODEL_CHOICES.cnn3KernelSize, { inputShape }));
      model.add(pool('pool1'));
      model.add(conv(seed, name, 'conv2', 64, MODEL_CHOICES.cnn3KernelSize));
      model.add(pool('pool2'));
      model.add(tf.layers.flatten({ name: 'flatten' }));
      model.add(dense(seed, name, 'dense1', 128, 'relu'));
      // The training loop re-seeds this layer every step (see setDropoutSeed).
      model.add(tf.layers.dropout({ name: 'dropout', rate: MODEL_CHOICES.dropoutRate }));
      break;
  }
  model.add(dense(seed, name, 'output', 10, 'softmax'));
  return model;
}

/**
 * tf.layers.dropout draws its mask from `seed` on every call, so a fixed seed would reuse ONE
 * mask for the whole run, and no seed is not reproducible. The loop therefore sets a fresh
 * derived seed before each step, and clears it (undefined) afterwards so saved topologies are clean.
 */
export function setDropoutSeed(model: tf.LayersModel, seed: number | undefined): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number | undefined }).seed = seed;
  }
}

export function hasDropout(model: tf.LayersModel): boolean {
  return model.layers.some((l) => l.getClassName() === 'Dropout');
}
