/**
 * What the layers compute: the first convolution's filters, its feature maps for given images, and
 * the penultimate dense layer's activations (the representation the output layer separates).
 */
import * as tf from '@tensorflow/tfjs';
import { activationsAt, convLayers, inBatches, penultimateLayer, pixelsToTensor } from './network';

export interface Filters {
  layer: string;
  /** Kernel side (3 for CNN 3, 4 for CNN 1). */
  size: number;
  /** One size × size kernel per filter (row-major), of the first input channel. */
  kernels: Float32Array[];
}

/** The kernels of the first convolution layer. */
export function firstLayerFilters(model: tf.LayersModel): Filters {
  const layer = convLayers(model)[0];
  if (!layer) throw new Error(`model ${model.name} has no convolution layer`);
  const kernel = model.getLayer(layer).getWeights()[0]; // [kh, kw, inChannels, filters]
  const [kh, kw, , count] = kernel.shape as number[];
  const values = kernel.dataSync() as Float32Array;
  const kernels = Array.from({ length: count }, (_, f) => {
    const k = new Float32Array(kh * kw);
    for (let r = 0; r < kh; r++) for (let c = 0; c < kw; c++) k[r * kw + c] = values[((r * kw + c) * 1 + 0) * count + f];
    return k;
  });
  return { layer, size: kh, kernels };
}

export interface FeatureMaps {
  layer: string;
  height: number;
  width: number;
  channels: number;
  /** maps[image][channel]: height × width, row-major. */
  maps: Float32Array[][];
}

/** The first convolution's output (after its ReLU) for each image of `pixels` (n × 784). */
export function firstLayerFeatureMaps(model: tf.LayersModel, pixels: Float32Array): FeatureMaps {
  const layer = convLayers(model)[0];
  const a = tf.tidy(() => activationsAt(model, layer, pixelsToTensor(pixels)));
  const [n, height, width, channels] = a.shape as number[];
  const values = a.dataSync() as Float32Array;
  a.dispose();
  const maps = Array.from({ length: n }, (_, i) =>
    Array.from({ length: channels }, (_, k) => {
      const m = new Float32Array(height * width);
      for (let p = 0; p < height * width; p++) m[p] = values[(i * height * width + p) * channels + k];
      return m;
    }),
  );
  return { layer, height, width, channels, maps };
}

/** The penultimate layer's activations for every image (n × units) and its name and width. */
export async function penultimateActivations(model: tf.LayersModel, pixels: Float32Array, batch = 1000): Promise<{ layer: string; units: number; values: Float32Array }> {
  const layer = penultimateLayer(model);
  const values = await inBatches(pixels, batch, (x) => activationsAt(model, layer, x));
  const units = model.getLayer(layer).getWeights()[0].shape[1] as number;
  return { layer, units, values };
}
