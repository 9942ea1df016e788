import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, LabelledImages, NUM_CLASSES, PIXELS } from '../data/types';

/** Lets timers (lock refresh, progress, signals) run between synchronous wasm/cpu kernels. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Rows [from, to) of raw 0–255 images as a [n, 28, 28, 1] float tensor scaled to [0, 1], as the paper
 * does. `order` picks the rows (a shuffle); `mirror[k]` = 1 flips the image at position k of `order`
 * left to right (training-time augmentation).
 */
export function imagesToTensor(images: Uint8Array, from: number, to: number, order?: Uint32Array, mirror?: Uint8Array): tf.Tensor4D {
  const n = to - from;
  const buf = new Float32Array(n * PIXELS);
  for (let j = 0; j < n; j++) {
    const src = (order ? order[from + j] : from + j) * PIXELS;
    const dst = j * PIXELS;
    if (mirror?.[from + j]) {
      for (let r = 0; r < IMAGE_SIZE; r++) {
        const row = r * IMAGE_SIZE;
        for (let c = 0; c < IMAGE_SIZE; c++) buf[dst + row + c] = images[src + row + IMAGE_SIZE - 1 - c] / 255;
      }
    } else {
      for (let p = 0; p < PIXELS; p++) buf[dst + p] = images[src + p] / 255;
    }
  }
  return tf.tensor4d(buf, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
}

/** Per-batch hooks of a long prediction: where to stop when asked, and progress. */
export interface BatchHooks {
  /** Checked before every batch: when aborted, {@link beforeBatch} throws (see training/interrupt.ts). */
  beforeBatch?: (batch: number, batches: number) => void;
  /** Called after every batch with the batches done so far. */
  afterBatch?: (done: number, batches: number) => void;
}

/** Class probabilities for every image (inference mode: dropout off), in batches, yielding between them. */
export async function predictProbabilities(model: tf.LayersModel, set: Pick<LabelledImages, 'count' | 'images'>, batchSize = 1000, hooks: BatchHooks = {}): Promise<Float32Array> {
  const out = new Float32Array(set.count * NUM_CLASSES);
  const batches = Math.ceil(set.count / batchSize);
  for (let from = 0; from < set.count; from += batchSize) {
    hooks.beforeBatch?.(from / batchSize, batches);
    const to = Math.min(set.count, from + batchSize);
    // One call per batch: model.predict's own default splits it into calls of 32 images, each paying every op's dispatch again.
    const probs = tf.tidy(() => model.predict(imagesToTensor(set.images, from, to), { batchSize: to - from }) as tf.Tensor);
    out.set(await probs.data(), from * NUM_CLASSES);
    probs.dispose();
    hooks.afterBatch?.(from / batchSize + 1, batches);
    await yieldToEventLoop();
  }
  return out;
}

/** The most probable class of each row (ties → lowest class, like argmax). */
export function argmaxRows(probs: Float32Array, numClasses = NUM_CLASSES): Uint8Array {
  const n = probs.length / numClasses;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) if (probs[i * numClasses + k] > probs[i * numClasses + best]) best = k;
    out[i] = best;
  }
  return out;
}

/** Mean sparse categorical cross-entropy with Keras' clipping to [1e-7, 1 − 1e-7], in float64. */
export function crossEntropy(probs: Float32Array, labels: ArrayLike<number>, numClasses = NUM_CLASSES): number {
  const eps = 1e-7;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i * numClasses + labels[i]]));
    sum -= Math.log(p);
  }
  return labels.length === 0 ? 0 : sum / labels.length;
}

/** Predicted classes for a set of images. */
export async function predictClasses(model: tf.LayersModel, set: Pick<LabelledImages, 'count' | 'images'>, batchSize = 1000): Promise<Uint8Array> {
  return argmaxRows(await predictProbabilities(model, set, batchSize));
}
