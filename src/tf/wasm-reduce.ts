import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Sum over the leading axes (e.g. a bias gradient: dy [N,H,W,C] summed to [C]) in one pass
 * over the wasm heap, accumulating in float64. The stock kernel first transposes the reduced
 * axes to the end, which costs more than the sum itself. Returns undefined for other cases.
 */
export function sumLeadingAxes(args: KernelArgs): tf.TensorInfo | undefined {
  const backend = args.backend as unknown as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  if (x.dtype !== 'float32') return undefined;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k >= rank || axes.some((a, i) => a !== i)) return undefined;
  const outer = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
  const out = backend.makeOutput(outShape, 'float32');
  const xv = backend.typedArrayFromHeap(x) as Float32Array; // after makeOutput (heap growth)
  const acc = new Float64Array(inner);
  for (let o = 0, base = 0; o < outer; o++, base += inner) {
    for (let i = 0; i < inner; i++) acc[i] += xv[base + i];
  }
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}

/** Identity without a copy: tensors are immutable, so the output can share the input's buffer (as on the CPU backend). */
export function identityShared(args: KernelArgs): tf.TensorInfo | undefined {
  const backend = args.backend as unknown as BackendWasm;
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') return undefined;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
