/**
 * A trained Sequential model taken apart for attribution: its class scores before the softmax (the
 * logits every gradient method differentiates, as Simonyan et al. and Adebayo et al. do), the model
 * cut at a named layer (Grad-CAM), and the activations of a hidden layer (embeddings, feature maps).
 * Dropout is applied in inference mode, so every function here is deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS } from '../data/types';

/** Images as the models read them: [n, 28, 28, 1] in [0, 1]. `pixels` is n × 784 row-major, already scaled. */
export function pixelsToTensor(pixels: Float32Array): tf.Tensor4D {
  if (pixels.length % PIXELS !== 0) throw new Error(`pixelsToTensor: ${pixels.length} values is not a whole number of 28×28 images`);
  return tf.tensor4d(pixels, [pixels.length / PIXELS, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/** Raw 0–255 images `indices` of a set, scaled to [0, 1] (n × 784). */
export function scaledImages(images: Uint8Array, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * PIXELS);
  indices.forEach((idx, j) => {
    for (let p = 0; p < PIXELS; p++) out[j * PIXELS + p] = images[idx * PIXELS + p] / 255;
  });
  return out;
}

function layerIndex(model: tf.LayersModel, name: string): number {
  const i = model.layers.findIndex((l) => l.name === name);
  if (i < 0) throw new Error(`model ${model.name} has no layer '${name}'; its layers: ${model.layers.map((l) => l.name).join(', ')}`);
  return i;
}

/** Applies layers [from, to) in inference mode. */
export function applyLayers(model: tf.LayersModel, x: tf.Tensor, from: number, to: number): tf.Tensor {
  let h = x;
  for (let i = from; i < to; i++) h = model.layers[i].apply(h, { training: false }) as tf.Tensor;
  return h;
}

/** The last layer's pre-activation output: for a Dense softmax layer, the logits. */
function lastLayerLogits(model: tf.LayersModel, h: tf.Tensor): tf.Tensor2D {
  const last = model.layers[model.layers.length - 1];
  if (last.getClassName() !== 'Dense') throw new Error(`model ${model.name}: the last layer must be Dense to read its logits, found ${last.getClassName()}`);
  const [kernel, bias] = last.getWeights();
  const z = tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
  return (bias ? z.add(bias) : z) as tf.Tensor2D;
}

/** Class scores before the softmax, [n, classes]. */
export function logits(model: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  return lastLayerLogits(model, applyLayers(model, x, 0, model.layers.length - 1));
}

/** The model cut after layer `name`: `head` gives that layer's output, `tail` the logits from it. */
export function splitAt(model: tf.LayersModel, name: string): { head: (x: tf.Tensor) => tf.Tensor; tail: (a: tf.Tensor) => tf.Tensor2D } {
  const i = layerIndex(model, name);
  const n = model.layers.length;
  return {
    head: (x) => applyLayers(model, x, 0, i + 1),
    tail: (a) => lastLayerLogits(model, applyLayers(model, a, i + 1, n - 1)),
  };
}

/** Output of layer `name` for `x` (inference mode). */
export function activationsAt(model: tf.LayersModel, name: string, x: tf.Tensor): tf.Tensor {
  return applyLayers(model, x, 0, layerIndex(model, name) + 1);
}

/** Name of the penultimate representation: the last Dense layer before the output (CNN 3's dense1, the ANN's dense2). */
export function penultimateLayer(model: tf.LayersModel): string {
  const dense = model.layers.slice(0, -1).filter((l) => l.getClassName() === 'Dense');
  if (dense.length === 0) throw new Error(`model ${model.name} has no Dense layer before its output`);
  return dense[dense.length - 1].name;
}

/** Names of the convolution layers, input to output. */
export function convLayers(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name);
}

/** Names of the layers with weights, output first: the order of the cascading randomisation. */
export function weightedLayersTopDown(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name).reverse();
}

/** Runs `f` on batches of at most `batch` images of `pixels` (n × 784; `f` gets the batch's rows [from, to)) and concatenates the results. */
export async function inBatches(pixels: Float32Array, batch: number, f: (x: tf.Tensor4D, from: number, to: number) => tf.Tensor): Promise<Float32Array> {
  const n = pixels.length / PIXELS;
  const parts: Float32Array[] = [];
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    const out = tf.tidy(() => f(pixelsToTensor(pixels.subarray(from * PIXELS, to * PIXELS)), from, to));
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}
