/**
 * Grad-CAM (Selvaraju et al., 2017) on a convolution layer: each of its feature maps A_k is weighted
 * by the spatial mean of ∂ logit[class] / ∂ A_k, the weighted sum is passed through a ReLU, and the
 * map is resized to the 28×28 input (bilinear), as the method's reference implementation does.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS } from '../data/types';
import { pixelsToTensor, splitAt } from './network';
import { selectedLogitSum } from './saliency';

export interface GradCamMaps {
  /** At the layer's resolution: n × height × width. */
  coarse: Float32Array;
  height: number;
  width: number;
  /** Resized to the input: n × 784. */
  maps: Float32Array;
}

export async function gradCam(model: tf.LayersModel, pixels: Float32Array, classes: readonly number[], layer: string, batch = 256): Promise<GradCamMaps> {
  const n = pixels.length / PIXELS;
  if (n !== classes.length) throw new Error(`${classes.length} classes for ${n} images`);
  const { head, tail } = splitAt(model, layer);
  const coarseParts: Float32Array[] = [];
  const mapParts: Float32Array[] = [];
  let height = 0;
  let width = 0;
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    const [coarse, resized] = tf.tidy(() => {
      const a = head(pixelsToTensor(pixels.subarray(from * PIXELS, to * PIXELS))) as tf.Tensor4D;
      const g = tf.grad((act: tf.Tensor) => selectedLogitSum(tail(act), classes.slice(from, to)))(a) as tf.Tensor4D;
      const alpha = g.mean([1, 2], true); // [b, 1, 1, k]
      const cam = tf.relu(a.mul(alpha).sum(3, true)) as tf.Tensor4D; // [b, h, w, 1]
      return [cam.squeeze([3]), tf.image.resizeBilinear(cam, [IMAGE_SIZE, IMAGE_SIZE]).reshape([to - from, PIXELS])];
    });
    [height, width] = [coarse.shape[1] as number, coarse.shape[2] as number];
    coarseParts.push((await coarse.data()) as Float32Array);
    mapParts.push((await resized.data()) as Float32Array);
    coarse.dispose();
    resized.dispose();
  }
  return { coarse: concat(coarseParts), height, width, maps: concat(mapParts) };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
