import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { guarded } from './wasm-kernel-call';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * BatchMatMul with transposed operands. The stock wasm kernel sends only the plain
 * `a × b` (batch 1) to XNNPACK; any transpose falls back to a naive triple loop, and the dense
 * layers' gradients (dy × Wᵀ, xᵀ × dy) are exactly those cases. Transposing the operand first
 * (one cheap pass) and then calling the stock kernel untransposed is 5-10× faster here.
 * Returns undefined when the stock kernel is already on its fast path or the case is not covered.
 */
export function batchMatMulFast(args: KernelArgs, stock: tf.KernelFunc): tf.TensorInfo | undefined {
  const backend = args.backend as unknown as BackendWasm;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return undefined;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const batch = (shape: number[]) => shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (batch(a.shape) !== 1 || batch(b.shape) !== 1) return undefined;
  const swapLast = (shape: number[]) => {
    const r = shape.length;
    const perm = shape.map((_, i) => i);
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return perm;
  };
  return guarded(backend, (s) => {
    const a2 = transposeA ? s.run('Transpose', { x: a }, { perm: swapLast(a.shape) }) : a;
    const b2 = transposeB ? s.run('Transpose', { x: b }, { perm: swapLast(b.shape) }) : b;
    return s.call(stock, { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  });
}
