/**
 * Gradient saliency (Simonyan, Vedaldi and Zisserman, 2014): the gradient of a class's logit with
 * respect to the input pixels, one map per image. Gradient × input is kept as well: Adebayo et al.
 * (2018) found that it stays close to the input itself when the model is randomised, so it is the
 * control that the sanity check should flag.
 */
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS } from '../data/types';
import { inBatches, logits } from './network';

/** Sum over the batch of each row's logit for its class: its gradient holds every image's own gradient. */
export function selectedLogitSum(z: tf.Tensor2D, classes: readonly number[]): tf.Scalar {
  const mask = tf.oneHot(tf.tensor1d(classes as number[], 'int32'), z.shape[1] ?? NUM_CLASSES);
  return z.mul(mask).sum() as tf.Scalar;
}

function checkClasses(pixels: Float32Array, classes: readonly number[]): void {
  if (pixels.length !== classes.length * PIXELS) throw new Error(`${classes.length} classes for ${pixels.length / PIXELS} images`);
}

/** ∂ logit[class] / ∂ pixel for each image (n × 784, signed; figures show its absolute value). */
export async function gradientSaliency(model: tf.LayersModel, pixels: Float32Array, classes: readonly number[], batch = 256): Promise<Float32Array> {
  checkClasses(pixels, classes);
  return inBatches(pixels, batch, (x, from, to) => tf.grad((input: tf.Tensor) => selectedLogitSum(logits(model, input), classes.slice(from, to)))(x));
}

/** Gradient × input, pixel by pixel (n × 784). */
export async function gradientTimesInput(model: tf.LayersModel, pixels: Float32Array, classes: readonly number[], batch = 256): Promise<Float32Array> {
  const g = await gradientSaliency(model, pixels, classes, batch);
  return g.map((v, i) => v * pixels[i]);
}
