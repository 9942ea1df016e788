import { MODEL_CHOICES } from './choices';
import { modelSpec, type LayerSpec, type ModelName } from './registry';

/** One layer's output shape (without the batch dimension) and its number of parameters. */
export interface LayerCount {
  layer: string;
  outputShape: number[];
  params: number;
}

/**
 * The parameters of each layer of a model, from its registry record alone: no TensorFlow model is
 * built (the report counts them this way; test/model-params.test.ts checks every model against
 * tf's countParams). Follows MODEL_CHOICES: 'valid' padding, pooling windows with stride = size.
 */
export function layerCounts(model: ModelName): LayerCount[] {
  if (MODEL_CHOICES.padding !== 'valid') throw new Error(`layerCounts assumes 'valid' padding, not '${MODEL_CHOICES.padding}'`);
  let shape: number[] = [...MODEL_CHOICES.inputShape];
  return modelSpec(model).layers.map((l) => {
    const { outputShape, params } = step(l, shape);
    shape = outputShape;
    return { layer: l.name, outputShape, params };
  });
}

function step(l: LayerSpec, shape: number[]): { outputShape: number[]; params: number } {
  const [h, w, c] = shape;
  switch (l.kind) {
    case 'flatten':
      return { outputShape: [shape.reduce((a, b) => a * b, 1)], params: 0 };
    case 'dense':
      // Like Keras, a dense layer maps the last dimension (every model here flattens first).
      return { outputShape: [...shape.slice(0, -1), l.units], params: shape[shape.length - 1] * l.units + l.units };
    case 'conv': {
      const [sh, sw] = l.strides ?? [1, 1];
      const out = [Math.floor((h - l.kernelSize) / sh) + 1, Math.floor((w - l.kernelSize) / sw) + 1, l.filters];
      return { outputShape: out, params: l.kernelSize * l.kernelSize * c * l.filters + l.filters };
    }
    case 'pool': {
      const p = MODEL_CHOICES.poolSize;
      return { outputShape: [Math.floor((h - p) / p) + 1, Math.floor((w - p) / p) + 1, c], params: 0 };
    }
    case 'dropout':
      return { outputShape: shape, params: 0 };
  }
}

/** The model's total number of parameters and its number of layers, without TensorFlow. */
export function countParams(model: ModelName): { total: number; layers: number } {
  const counts = layerCounts(model);
  return { total: counts.reduce((n, l) => n + l.params, 0), layers: counts.length };
}
