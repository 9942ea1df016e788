/**
 * Occlusion sensitivity (Zeiler and Fergus, 2014): a grey square slides over the image and the drop
 * in the true class's probability is recorded wherever it sat. A pixel's value is the mean drop over
 * every position of the square that covered it (positive: hiding it costs the class probability).
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS } from '../data/types';
import { pixelsToTensor } from './network';

export interface OcclusionOptions {
  /** Side of the square, in pixels (default 6). */
  patch?: number;
  /** Step between positions (default 2). */
  stride?: number;
  /** Value of the square, on the [0, 1] scale (default 0.5: mid grey). */
  fill?: number;
}

/** Top-left corners along one axis: every `stride`, plus the last position, so every pixel is covered. */
export function patchStarts(size: number, patch: number, stride: number): number[] {
  if (patch < 1 || patch > size || stride < 1) throw new Error(`occlusion: patch ${patch} and stride ${stride} do not fit ${size} pixels`);
  const starts: number[] = [];
  for (let s = 0; s + patch <= size; s += stride) starts.push(s);
  if (starts[starts.length - 1] !== size - patch) starts.push(size - patch);
  return starts;
}

/** n × 784 maps of the mean drop in probability of `classes[i]` when a patch hides each pixel. */
export async function occlusionSensitivity(model: tf.LayersModel, pixels: Float32Array, classes: readonly number[], opts: OcclusionOptions = {}): Promise<Float32Array> {
  const patch = opts.patch ?? 6;
  const stride = opts.stride ?? 2;
  const fill = opts.fill ?? 0.5;
  const n = pixels.length / PIXELS;
  if (n !== classes.length) throw new Error(`${classes.length} classes for ${n} images`);
  const starts = patchStarts(IMAGE_SIZE, patch, stride);
  const positions = starts.flatMap((r) => starts.map((c) => [r, c] as const));
  const out = new Float32Array(n * PIXELS);
  const covered = new Float32Array(PIXELS);
  for (const [r0, c0] of positions) for (let r = r0; r < r0 + patch; r++) for (let c = c0; c < c0 + patch; c++) covered[r * IMAGE_SIZE + c]++;
  for (let i = 0; i < n; i++) {
    const image = pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
    // The image itself first, then one occluded copy per position, in one batch.
    const batch = new Float32Array((positions.length + 1) * PIXELS);
    batch.set(image, 0);
    positions.forEach(([r0, c0], j) => {
      const copy = batch.subarray((j + 1) * PIXELS, (j + 2) * PIXELS);
      copy.set(image);
      for (let r = r0; r < r0 + patch; r++) copy.fill(fill, r * IMAGE_SIZE + c0, r * IMAGE_SIZE + c0 + patch);
    });
    const probs = tf.tidy(() => (model.predict(pixelsToTensor(batch)) as tf.Tensor2D).gather([classes[i]], 1).reshape([-1]));
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
    const map = out.subarray(i * PIXELS, (i + 1) * PIXELS);
    positions.forEach(([r0, c0], j) => {
      const drop = p[0] - p[j + 1];
      for (let r = r0; r < r0 + patch; r++) for (let c = c0; c < c0 + patch; c++) map[r * IMAGE_SIZE + c] += drop;
    });
    for (let q = 0; q < PIXELS; q++) map[q] /= covered[q];
  }
  return out;
}
