import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Shape4 = [number, number, number, number];

/**
 * MaxPoolGrad in one pass over the pooling windows, reading and writing the wasm heap directly.
 * Same semantics as the CPU backend: each window's gradient goes to the FIRST maximum in
 * row-major window order (strict >), and overlapping windows add up.
 * Returns undefined for inputs it does not cover (non-float32, dilated pooling).
 */
export function maxPoolGradFast(args: KernelArgs): tf.TensorInfo | undefined {
  const backend = args.backend as unknown as BackendWasm;
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const attrs = args.attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;

  const dx = backend.makeOutput(input.shape, 'float32');
  // Views are taken after the allocation: growing the heap would detach older views.
  const xv = backend.typedArrayFromHeap(input) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const dxv = backend.typedArrayFromHeap(dx) as Float32Array;
  dxv.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < OH; p++) {
      const r0 = Math.max(0, p * sh - top);
      const r1 = Math.min(H, p * sh - top + fh);
      for (let q = 0; q < OW; q++) {
        const c0 = Math.max(0, q * sw - left);
        const c1 = Math.min(W, q * sw - left + fw);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let s = c0; s < c1; s++) {
            const base = ((b * H + r) * W + s) * C;
            for (let c = 0; c < C; c++) {
              const v = xv[base + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const outBase = ((b * OH + p) * OW + q) * C;
        for (let c = 0; c < C; c++) {
          const at = where[c];
          if (at >= 0) dxv[at] += dyv[outBase + c];
        }
      }
    }
  }
  return dx;
}
