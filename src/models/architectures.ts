import * as tf from '@tensorflow/tfjs';
import { MODEL_CHOICES } from './choices';
import { assertModelName, MODEL_REGISTRY, type LayerSpec, type ModelName } from './registry';
import { deriveSeed } from '../training/seeds';

// The model ids and their records live in the registry; re-exported here, where they always were.
export { MODEL_NAMES, isModelName, assertModelName, type ModelName } from './registry';

/** Layer defaults shared by every trainable layer: Keras' initialisers, each with its own seed. */
function init(seed: number, model: ModelName, layer: string) {
  return {
    name: layer,
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, model, layer, 'kernel') }),
    biasInitializer: tf.initializers.zeros(),
  };
}

/** One registry layer as a tf layer; the first layer of a model gets the input shape. */
function layer(seed: number, model: ModelName, spec: LayerSpec, inputShape: number[] | undefined): tf.layers.Layer {
  const input = inputShape ? { inputShape } : {};
  switch (spec.kind) {
    case 'flatten':
      return tf.layers.flatten({ name: spec.name, ...input });
    case 'dense':
      return tf.layers.dense({ ...input, units: spec.units, activation: spec.activation, ...init(seed, model, spec.name) });
    case 'conv':
      return tf.layers.conv2d({
        ...input,
        ...(spec.strides ? { strides: [...spec.strides] as [number, number] } : {}),
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        padding: MODEL_CHOICES.padding,
        activation: 'relu',
        ...init(seed, model, spec.name),
      });
    case 'pool':
      return tf.layers.maxPooling2d({ name: spec.name, ...input, poolSize: MODEL_CHOICES.poolSize });
    case 'dropout':
      return tf.layers.dropout({ name: spec.name, ...input, rate: spec.rate });
  }
}

/**
 * Builds a model from its registry record (see MODEL_CHOICES for what the paper leaves open).
 * Not compiled: the training loop owns the optimiser.
 */
export function buildModel(name: ModelName, seed: number): tf.Sequential {
  assertModelName(name);
  const model = tf.sequential({ name });
  MODEL_REGISTRY[name].layers.forEach((spec, i) => model.add(layer(seed, name, spec, i === 0 ? [...MODEL_CHOICES.inputShape] : undefined)));
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
