import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The part of tfjs-node's backend these kernels call (`executeSingleOutput` runs one TensorFlow op). */
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, opAttrs: Array<{ name: string; type: number; value: unknown }>, inputs: tf.TensorInfo[]): tf.Tensor;
}

/** Our kernel name for TensorFlow's fused ReLU gradient (tfjs has no such kernel). */
export const NODE_RELU_GRAD = 'FmnistReluGrad';

let registered = false;
let fastMode = true;

/** Switch between TensorFlow's ReluGrad (fast, the default) and tfjs' stock ReLU gradient, e.g. to benchmark both in one run. */
export function setNodeKernelMode(opts: { fast: boolean }): void {
  fastMode = opts.fast;
}

export function nodeKernelMode(): { fast: boolean } {
  return { fast: fastMode };
}

/**
 * Training kernels for the native (tfjs-node) backend.
 *
 * tfjs differentiates ReLU as `dy * cast(step(x))`, and tfjs-node builds `step` from seven
 * full-size TensorFlow ops (IsNan, Greater, Fill ×2, Select ×2, Cast): measured on CNN 3 they took
 * about a third of a training step's kernel time. TensorFlow's own `ReluGrad` op (what Keras
 * runs) does it in one pass. The ReLU gradient is replaced by a dispatcher that runs `ReluGrad`
 * on the native backend and tfjs' own formula on every other backend, so tests that compare
 * backends in one process still see each backend's stock behaviour.
 *
 * The values are the same: both give dy where x > 0 and 0 elsewhere (tfjs' formula gives
 * dy × 0 = −0 for negative dy, which sums to the same weights). They differ only for NaN
 * inputs, where `ReluGrad` gives 0 instead of NaN.
 */
export function registerNodeTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: NODE_RELU_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }: KernelArgs) => {
      const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
      if (dy.dtype !== 'float32' || x.dtype !== 'float32') throw new Error(`${NODE_RELU_GRAD} takes float32 tensors, got ${dy.dtype} and ${x.dtype}`);
      const native = backend as unknown as NativeBackend;
      const floatType = { name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
      return native.executeSingleOutput('ReluGrad', [floatType], [dy, x]);
    },
  });
  const stock = tf.getGradient('Relu');
  if (!stock) throw new Error('tfjs has no gradient for Relu to replace (tfjs version change?)');
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const native = fastMode && tf.getBackend() === 'tensorflow' && !Array.isArray(dy) && dy.dtype === 'float32' && x.dtype === 'float32';
      if (!native) return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(NODE_RELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor };
    },
  });
}
