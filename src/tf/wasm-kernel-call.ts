import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Call another wasm kernel directly (no engine bookkeeping, no tape). */
export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown>,
): tf.TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel ${name} is not registered`);
  const out = config.kernelFunc({ inputs, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

/** Free an intermediate TensorInfo produced by runWasmKernel. */
export function disposeInfo(backend: BackendWasm, info: tf.TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** Runs kernels and frees every intermediate it made, except the one it returns. */
export class Scratch {
  private readonly made: tf.TensorInfo[] = [];
  constructor(readonly backend: BackendWasm) {}
  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>): tf.TensorInfo {
    const out = runWasmKernel(name, this.backend, inputs, attrs);
    this.made.push(out);
    return out;
  }
  /** Like run, for a kernel function held directly (e.g. the stock kernel a replacement wraps). */
  call(fn: tf.KernelFunc, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>): tf.TensorInfo {
    const res = fn({ inputs, backend: this.backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap });
    const out = Array.isArray(res) ? res[0] : res;
    this.made.push(out);
    return out;
  }
  /** Track a buffer made directly with backend.makeOutput, so it is freed like the others. */
  adopt(info: tf.TensorInfo): void {
    this.made.push(info);
  }
  /** Free all intermediates but `keep`. */
  finish(keep: tf.TensorInfo): tf.TensorInfo {
    for (const t of this.made) if (t !== keep) disposeInfo(this.backend, t);
    return keep;
  }
  /** Free everything (on error). */
  abandon(): void {
    for (const t of this.made) disposeInfo(this.backend, t);
  }
}

export function guarded(backend: BackendWasm, body: (s: Scratch) => tf.TensorInfo): tf.TensorInfo {
  const s = new Scratch(backend);
  try {
    return s.finish(body(s));
  } catch (err) {
    s.abandon();
    throw err;
  }
}

