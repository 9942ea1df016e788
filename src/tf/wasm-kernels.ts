import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterIm2col, conv2DBackpropFilterViaConv, conv2DBackpropInputViaConv } from './wasm-conv-grads';
import { maxPoolGradFast } from './wasm-pool-grads';
import { batchMatMulFast } from './wasm-matmul';
import { identityShared, sumLeadingAxes } from './wasm-reduce';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Training kernels for the wasm backend.
 *
 * Added (missing from @tensorflow/tfjs-backend-wasm, so conv training fails without it):
 * - Conv2DBackpropFilter: "stock" mode uses the straightforward form (a conv2d over the
 *   transposed input and output gradient, stride as dilation); fast mode uses im2col + one
 *   XNNPACK matrix product for inputs with few channels (the first layer).
 *
 * Replaced in fast mode (the stock kernels are plain loops or take slow paths):
 * - Conv2DBackpropInput: a forward convolution of the zero-stuffed output gradient with the
 *   flipped, transposed filter.
 * - MaxPoolGrad: one pass over the windows using the forward output (the stock kernel is also
 *   wrong on multi-channel inputs; see wasm-pool-grads.ts).
 * - BatchMatMul with transposed operands (dense-layer gradients): transpose, then XNNPACK.
 * - Sum over leading axes (bias gradients): one pass, float64 accumulation.
 * - Identity: shares the input buffer instead of copying it.
 *
 * Each replaced kernel is registered once as a dispatcher that calls either the fast version
 * or the saved stock one, so `setWasmKernelMode` switches between them in one process (the
 * benchmark measures both in the same run). Fast versions return undefined for cases they do
 * not cover, and the stock kernel runs instead.
 */
export interface WasmKernelOptions {
  /** true: replace the slow stock gradient kernels too; false: stock kernels + filter gradient. */
  fast: boolean;
}

/** Kernels whose stock wasm versions are replaced in fast mode. */
export const FAST_WASM_KERNELS = ['Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'Sum', 'Identity'] as const;
/** Kernels that the stock wasm backend lacks and that we always add. */
export const ADDED_WASM_KERNELS = ['Conv2DBackpropFilter'] as const;

let fastMode = true;
/** Inputs with fewer channels than this get the im2col filter gradient (see below). */
const IM2COL_MAX_CHANNELS = 8;
let registered = false;

/** Register (once) the training kernels on wasm and choose fast or stock replacements. */
export function registerWasmTrainingKernels(opts: WasmKernelOptions = { fast: true }): void {
  fastMode = opts.fast;
  if (registered) return;
  registered = true;
  // The stock kernels register when the package loads; load it first so we can wrap them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-backend-wasm');

  // Missing kernel: no stock version. "Stock" mode uses the straightforward convolution form.
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  replaceKernel('Conv2DBackpropFilter', undefined, (args) =>
    // Measured on CNN 3: im2col+matmul halves the time for the 1-channel first layer, but for
    // 32 channels writing the im2col matrix costs more than the convolution form's transposes.
    fastMode && (args.inputs.x as tf.TensorInfo).shape[3] < IM2COL_MAX_CHANNELS
      ? conv2DBackpropFilterIm2col(args, stockMatMul)
      : conv2DBackpropFilterViaConv(args),
  );

  replaceKernel('Conv2DBackpropInput', tf.getKernel('Conv2DBackpropInput', 'wasm'), (args, stock) =>
    fastMode ? (conv2DBackpropInputViaConv(args) ?? stock!(args)) : stock!(args),
  );
  replaceKernel('BatchMatMul', tf.getKernel('BatchMatMul', 'wasm'), (args, stock) =>
    fastMode ? (batchMatMulFast(args, stock!) ?? stock!(args)) : stock!(args),
  );
  replaceKernel('Sum', tf.getKernel('Sum', 'wasm'), (args, stock) =>
    fastMode ? (sumLeadingAxes(args) ?? stock!(args)) : stock!(args),
  );
  replaceKernel('Identity', tf.getKernel('Identity', 'wasm'), (args, stock) =>
    fastMode ? (identityShared(args) ?? stock!(args)) : stock!(args),
  );
  replaceKernel('MaxPoolGrad', tf.getKernel('MaxPoolGrad', 'wasm'), (args, stock) =>
    fastMode ? (maxPoolGradFast(args) ?? stock!(args)) : stock!(args),
  );
}

/** Switch the replaced kernels between the fast versions and the stock ones. */
export function setWasmKernelMode(opts: WasmKernelOptions): void {
  if (!registered) registerWasmTrainingKernels(opts);
  fastMode = opts.fast;
}

export function wasmKernelMode(): WasmKernelOptions {
  return { fast: fastMode };
}

type Impl = (args: KernelArgs, stock: tf.KernelFunc | undefined) => tf.TensorInfo | tf.TensorInfo[];

function replaceKernel(name: string, stock: tf.KernelConfig | undefined, impl: Impl): void {
  if (stock) tf.unregisterKernel(name, 'wasm');
  const stockFunc = stock?.kernelFunc;
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    // The stock kernel binds its wasm function in setupFunc when the backend starts; keep it.
    setupFunc: stock?.setupFunc,
    disposeFunc: stock?.disposeFunc,
    kernelFunc: ((args: KernelArgs) => impl(args, stockFunc)) as tf.KernelFunc,
  });
}
