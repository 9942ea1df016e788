import * as tf from '@tensorflow/tfjs';
import { NativeOps } from './native-ops';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The part of tfjs-node's backend these kernels call (`executeSingleOutput` runs one TensorFlow op). */
type OpAttr = { name: string; type: number; value: unknown };
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number; TF_ATTR_INT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number };
  executeSingleOutput(name: string, opAttrs: OpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, opAttrs: OpAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
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
 * Training kernels for the native (tfjs-node) backend; `setNodeKernelMode({ fast: false })` turns
 * both replacements off, and the oneDNN convolutions below (the benchmark measures both in one run).
 *
 * 1. ReLU gradient. tfjs differentiates ReLU as `dy * cast(step(x))`, and tfjs-node builds `step` from seven
 * full-size TensorFlow ops (IsNan, Greater, Fill ×2, Select ×2, Cast): measured on CNN 3 they took
 * about a third of a training step's kernel time. TensorFlow's own `ReluGrad` op (what Keras
 * runs) does it in one pass. The ReLU gradient is replaced by a dispatcher that runs `ReluGrad`
 * on the native backend and tfjs' own formula on every other backend, so tests that compare
 * backends in one process still see each backend's stock behaviour.
 *
 * The values are the same: both give dy where x > 0 and 0 elsewhere (tfjs' formula gives
 * dy × 0 = −0 for negative dy, which sums to the same weights). They differ only for NaN
 * inputs, where `ReluGrad` gives 0 instead of NaN.
 *
 * 2. MaxPoolGrad. TensorFlow's generic CPU kernel rescans every window (measured: 18-20 ms for the
 * first pooling layer of CNN 3 at batch 64, a quarter of a step). Keras never runs it: its graph
 * rewrite swaps in oneDNN's pooling, which records the argmax of each window in a workspace. The
 * replacement runs the same oneDNN ops eagerly (`_MklNativeMaxPool` for the workspace, then
 * `_MklNativeMaxPoolGrad`, about 9 ms together). Both send each window's gradient to its first
 * maximum, so the result is identical (tested bit for bit, ties included); where the TensorFlow
 * library has no oneDNN ops (probed once) the stock kernel runs.
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
  replaceMaxPoolGrad();
  replaceFusedForward();
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

/**
 * 3. Forward passes outside training (predict, evaluation): tfjs fuses conv/dense + bias + activation
 * into one kernel call, but tfjs-node runs it as three ops (Conv2D or MatMul, Add, Relu). The
 * replacement runs TensorFlow's fused op (oneDNN's where TensorFlow has it, see native-ops.ts) for
 * the cases the models use (bias, ReLU or no activation, NHWC, no dilation); anything else, and a
 * binding without list attributes, runs the stock kernel. On oneDNN the fused op gives the same bits
 * as the three ops (measured on CNN 3's shapes); tests compare it with the cpu backend.
 */
let forwardOps: NativeOps | undefined;

function replaceFusedForward(): void {
  for (const name of ['FusedConv2D', '_FusedMatMul', 'MaxPool']) {
    const stock = tf.getKernel(name, 'tensorflow');
    if (!stock) throw new Error(`tfjs-node has no ${name} kernel to replace (tfjs-node version change?)`);
    tf.unregisterKernel(name, 'tensorflow');
    tf.registerKernel({
      ...stock,
      kernelFunc: ((args: KernelArgs) => (fastMode ? (fusedForward(name, args) ?? stock.kernelFunc(args)) : stock.kernelFunc(args))) as tf.KernelFunc,
    });
  }
}

function fusedForward(name: string, { inputs, attrs }: KernelArgs): tf.TensorInfo | undefined {
  forwardOps ??= new NativeOps();
  if (name === 'MaxPool') return maxPoolOneDnn(forwardOps, inputs as { x: tf.Tensor }, attrs as unknown as tf.MaxPoolAttrs);
  if (!forwardOps.fused) return undefined;
  const a = attrs as Record<string, unknown>;
  const relu = a.activation === 'relu';
  if (!relu && a.activation !== 'linear') return undefined;
  if (name === 'FusedConv2D') {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.Tensor | undefined>;
    if (!x || !filter || !bias || preluActivationWeights || x.rank !== 4 || x.dtype !== 'float32' || bias.rank !== 1 || a.dataFormat !== 'NHWC') return undefined;
    const dilations = a.dilations as number | [number, number];
    if (dilations !== 1 && !(Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1)) return undefined;
    if ((a.pad !== 'valid' && a.pad !== 'same') || a.dimRoundingMode != null) return undefined;
    const strides = a.strides as number | [number, number];
    const s: [number, number] = Array.isArray(strides) ? [strides[0], strides[1]] : [strides, strides];
    return forwardOps.fusedConv2d(x, filter, bias, s, a.pad === 'valid' ? 'VALID' : 'SAME', relu);
  }
  // tfjs hands _FusedMatMul 3-D tensors (a batch dimension of 1 for a dense layer).
  const { a: x, b: w, bias, preluActivationWeights } = inputs as Record<string, tf.Tensor | undefined>;
  if (!x || !w || !bias || preluActivationWeights || a.transposeA || a.transposeB || x.rank !== 3 || w.rank !== 3 || x.shape[0] !== 1 || w.shape[0] !== 1 || bias.rank !== 1 || x.dtype !== 'float32') return undefined;
  return tf.tidy(() => tf.expandDims(forwardOps!.fusedMatMul(tf.squeeze(x, [0]), tf.squeeze(w, [0]), bias, relu), 0));
}

/**
 * Max pooling on oneDNN (about twice as fast as TensorFlow's eager kernel on CNN 3's shapes, measured
 * in a training step's profile); a maximum is exact, so the values are the same. Its workspace is
 * dropped: inference does not need it, and the gradient (below) makes its own.
 */
function maxPoolOneDnn(ops: NativeOps, { x }: { x: tf.Tensor }, attrs: tf.MaxPoolAttrs): tf.TensorInfo | undefined {
  if (x.dtype !== 'float32' || x.rank !== 4) return undefined;
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if ((info.padInfo.type !== 'VALID' && info.padInfo.type !== 'SAME') || info.dataFormat !== 'channelsLast') return undefined;
  const { y, workspace } = ops.maxPool(x, [info.filterHeight, info.filterWidth], [info.strideHeight, info.strideWidth], info.padInfo.type);
  if (!workspace) {
    y.dispose();
    return undefined; // no oneDNN here: the stock kernel
  }
  workspace.dispose();
  return y;
}

/** null until probed; false once the oneDNN ops turned out to be missing from this TensorFlow build. */
let oneDnnPooling: boolean | null = null;

function replaceMaxPoolGrad(): void {
  const stock = tf.getKernel('MaxPoolGrad', 'tensorflow');
  if (!stock) throw new Error('tfjs-node has no MaxPoolGrad kernel to replace (tfjs-node version change?)');
  tf.unregisterKernel('MaxPoolGrad', 'tensorflow');
  tf.registerKernel({
    ...stock,
    kernelFunc: ((args: KernelArgs) => (fastMode && oneDnnPooling !== false ? (maxPoolGradOneDnn(args) ?? stock.kernelFunc(args)) : stock.kernelFunc(args))) as tf.KernelFunc,
  });
}

/** oneDNN's max-pooling gradient, or undefined for cases it does not cover (then the stock kernel runs). */
function maxPoolGradOneDnn({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | undefined {
  const { dy, input, output } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || input.shape.length !== 4) return undefined;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  if ((info.padInfo.type !== 'VALID' && info.padInfo.type !== 'SAME') || info.dataFormat !== 'channelsLast') return undefined;
  const native = backend as unknown as NativeBackend;
  const b = native.binding;
  const opAttrs: OpAttr[] = [
    { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'ksize', type: b.TF_ATTR_INT, value: [1, info.filterHeight, info.filterWidth, 1] },
    { name: 'strides', type: b.TF_ATTR_INT, value: [1, info.strideHeight, info.strideWidth, 1] },
    { name: 'padding', type: b.TF_ATTR_STRING, value: info.padInfo.type },
    { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'workspace_enabled', type: b.TF_ATTR_BOOL, value: true },
    // oneDNN's "native format" kernels are registered under this label; eager ops must ask for it.
    { name: '_kernel', type: b.TF_ATTR_STRING, value: 'MklNameChangeOp' },
  ];
  try {
    const grad = tf.tidy(() => {
      const [, workspace] = native.executeMultipleOutputs('_MklNativeMaxPool', opAttrs, [input], 2);
      return native.executeSingleOutput('_MklNativeMaxPoolGrad', opAttrs, [input, output, dy, workspace]);
    });
    oneDnnPooling = true;
    return grad;
  } catch (err) {
    if (oneDnnPooling === true) throw err; // it worked before: a real failure, not a missing op
    oneDnnPooling = false;
    return undefined;
  }
}

/** Whether the oneDNN pooling gradient is in use (null before the first pooling gradient). */
export function oneDnnPoolingInUse(): boolean | null {
  return oneDnnPooling;
}

/** TensorFlow's convolution ops and the oneDNN ("native format") kernels Keras' graph rewrite runs for them. */
const ONEDNN_CONV_OPS: Readonly<Record<string, string>> = {
  Conv2D: '_MklNativeConv2D',
  Conv2DBackpropFilter: '_MklNativeConv2DBackpropFilter',
  Conv2DBackpropInput: '_MklNativeConv2DBackpropInput',
};
let oneDnnConv = false;
const plainExecute = new WeakMap<object, NativeBackend['executeSingleOutput']>();

/**
 * Run the convolutions (forward and both gradients) on oneDNN, as Keras does, instead of
 * TensorFlow's eager kernels, which get no oneDNN rewrite: measured on CNN 3 at batch 64, 1.3-1.4×
 * faster training. Unlike the two replacements above, the sums run in another order, so weights
 * differ in the last bits from the `node` backend's: that is why it is a backend of its own
 * (`node-onednn`, with its own results folders), never chosen automatically. Every tfjs-node
 * kernel that convolves (Conv2D, FusedConv2D and the gradients) calls the backend's
 * `executeSingleOutput`, so renaming the op there covers them all.
 */
export function setOneDnnConvolutions(on: boolean): void {
  const backend = tf.findBackend('tensorflow') as unknown as (NativeBackend & object) | null;
  if (!backend) throw new Error('setOneDnnConvolutions needs the native backend (tfjs-node) to be loaded');
  if (!plainExecute.has(backend)) {
    const plain = backend.executeSingleOutput.bind(backend);
    plainExecute.set(backend, plain);
    backend.executeSingleOutput = (name, opAttrs, inputs) => {
      const oneDnn = oneDnnConv && fastMode ? ONEDNN_CONV_OPS[name] : undefined;
      if (!oneDnn) return plain(name, opAttrs, inputs);
      return plain(oneDnn, [...opAttrs, { name: '_kernel', type: backend.binding.TF_ATTR_STRING, value: 'MklNameChangeOp' }], inputs);
    };
  }
  oneDnnConv = on;
}

export function oneDnnConvolutions(): boolean {
  return oneDnnConv;
}
