import * as tf from '@tensorflow/tfjs';

/**
 * TensorFlow ops called by name through tfjs-node's binding, the way tfjs-node's own kernels call
 * them (`executeSingleOutput`), for the native training step (native-trainer.ts). Each wrapper
 * spells out the op's attributes once; inputs and outputs are ordinary tfjs tensors, so tf.tidy
 * and tf.memory() account for them.
 */

export type OpAttr = { name: string; type: number; value: unknown };

/** The part of tfjs-node's backend these calls use. */
export interface NativeBackend {
  binding: {
    TF_ATTR_TYPE: number;
    TF_ATTR_INT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_SHAPE: number;
    TF_ATTR_FLOAT: number;
    TF_FLOAT: number;
    TF_INT32: number;
  };
  executeSingleOutput(name: string, opAttrs: OpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, opAttrs: OpAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}

export function nativeBackend(): NativeBackend {
  const backend = tf.findBackend('tensorflow') as unknown as NativeBackend | null;
  if (!backend) throw new Error('the native backend (tfjs-node) is not loaded');
  return backend;
}

export type Padding = 'VALID' | 'SAME';

export class NativeOps {
  private readonly b: NativeBackend['binding'];
  private readonly float: OpAttr;
  /** oneDNN's fused convolution and matrix product: null until probed, then whether this TensorFlow has them. */
  private oneDnnFused: boolean | null = null;
  /** oneDNN's pooling with a workspace: null until probed, then whether this TensorFlow build has it. */
  private oneDnnPool: boolean | null = null;

  /** Whether the binding passes lists of strings (the fused ops' `fused_ops`): stock tfjs-node 4.22 does not. */
  readonly fused: boolean;

  constructor(private readonly backend: NativeBackend = nativeBackend()) {
    this.b = backend.binding;
    this.float = { name: 'T', type: this.b.TF_ATTR_TYPE, value: this.b.TF_FLOAT };
    this.fused = bindingTakesStringLists(backend);
  }

  private run(name: string, attrs: OpAttr[], inputs: tf.Tensor[]): tf.Tensor {
    return this.backend.executeSingleOutput(name, attrs, inputs);
  }

  private ints(name: string, value: number[] | number): OpAttr {
    return { name, type: this.b.TF_ATTR_INT, value };
  }

  private str(name: string, value: string | string[]): OpAttr {
    return { name, type: this.b.TF_ATTR_STRING, value };
  }

  private bool(name: string, value: boolean): OpAttr {
    return { name, type: this.b.TF_ATTR_BOOL, value };
  }

  private convAttrs(strides: [number, number], padding: Padding): OpAttr[] {
    return [
      this.float,
      this.ints('strides', [1, strides[0], strides[1], 1]),
      this.str('padding', padding),
      this.str('data_format', 'NHWC'),
      this.ints('dilations', [1, 1, 1, 1]),
      this.bool('use_cudnn_on_gpu', true),
    ];
  }

  /**
   * relu(conv2d(x, filter) + bias) in one op where the binding can pass its list attributes (what
   * Keras' graph runs after Grappler's fusion: oneDNN's `_MklNativeFusedConv2D` where TensorFlow has
   * oneDNN, else `_FusedConv2D`), otherwise as Conv2D, BiasAdd, Relu.
   */
  fusedConv2d(x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor, strides: [number, number], padding: Padding, relu: boolean): tf.Tensor {
    if (this.fused) {
      const args = [this.ints('num_args', 1), { name: 'TArgs', type: this.b.TF_ATTR_TYPE, value: [this.b.TF_FLOAT] }, this.str('fused_ops', relu ? ['BiasAdd', 'Relu'] : ['BiasAdd'])];
      return this.oneDnnOr(
        () => this.run('_MklNativeFusedConv2D', [...this.convAttrs(strides, padding), ...args, this.bool('is_filter_const', false), this.str('_kernel', 'MklNameChangeOp')], [x, filter, bias]),
        () => this.run('_FusedConv2D', [...this.convAttrs(strides, padding), ...args], [x, filter, bias]),
      );
    }
    return tf.tidy(() => this.activate(this.biasAdd(this.run('Conv2D', this.convAttrs(strides, padding), [x, filter]), bias), relu));
  }

  /** oneDNN's op where this TensorFlow has it (probed on first use), else the plain one. */
  private oneDnnOr<T>(oneDnn: () => T, plain: () => T): T {
    if (this.oneDnnFused === false) return plain();
    try {
      const out = oneDnn();
      this.oneDnnFused = true;
      return out;
    } catch (err) {
      if (this.oneDnnFused === true) throw err;
      this.oneDnnFused = false;
      return plain();
    }
  }

  /** Whether the fused ops run on oneDNN (tries a 1×1 convolution if none ran yet). */
  probeOneDnnFused(): boolean {
    if (!this.fused) return false;
    if (this.oneDnnFused === null) tf.tidy(() => void this.fusedConv2d(tf.ones([1, 1, 1, 1]), tf.ones([1, 1, 1, 1]), tf.ones([1]), [1, 1], 'VALID', true).dataSync());
    return this.oneDnnFused === true;
  }

  /** Whether max pooling runs on oneDNN with a workspace (tries a 2×2 pooling if none ran yet). */
  probeOneDnnPool(): boolean {
    if (this.oneDnnPool === null) tf.tidy(() => void this.maxPool(tf.ones([1, 2, 2, 1]), [2, 2], [2, 2], 'VALID').y.dataSync());
    return this.oneDnnPool === true;
  }

  private biasAdd(x: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    return this.run('BiasAdd', [this.float, this.str('data_format', 'NHWC')], [x, bias]);
  }

  private activate(x: tf.Tensor, relu: boolean): tf.Tensor {
    return relu ? this.run('Relu', [this.float], [x]) : x;
  }

  conv2dBackpropFilter(x: tf.Tensor, filterShape: number[], dy: tf.Tensor, strides: [number, number], padding: Padding): tf.Tensor {
    return tf.tidy(() => this.run('Conv2DBackpropFilter', this.convAttrs(strides, padding), [x, tf.tensor1d(filterShape, 'int32'), dy]));
  }

  conv2dBackpropInput(inputShape: number[], filter: tf.Tensor, dy: tf.Tensor, strides: [number, number], padding: Padding): tf.Tensor {
    return tf.tidy(() => this.run('Conv2DBackpropInput', this.convAttrs(strides, padding), [tf.tensor1d(inputShape, 'int32'), filter, dy]));
  }

  /** act(a·b + bias) in one op; `relu: false` for a·b + bias. */
  fusedMatMul(a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor, relu: boolean): tf.Tensor {
    if (!this.fused) return tf.tidy(() => this.activate(this.biasAdd(this.matMul(a, b, false, false), bias), relu));
    const attrs = [this.float, this.bool('transpose_a', false), this.bool('transpose_b', false), this.ints('num_args', 1), this.str('fused_ops', relu ? ['BiasAdd', 'Relu'] : ['BiasAdd'])];
    return this.oneDnnOr(
      () => this.run('_MklNativeFusedMatMul', [...attrs, this.bool('is_filter_const', false), this.str('_kernel', 'MklNameChangeOp')], [a, b, bias]),
      () => this.run('_FusedMatMul', attrs, [a, b, bias]),
    );
  }

  matMul(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
    return this.run('MatMul', [this.float, this.bool('transpose_a', transposeA), this.bool('transpose_b', transposeB)], [a, b]);
  }

  /** The gradient of a bias: dy summed over every axis but the last (channels). */
  biasAddGrad(dy: tf.Tensor): tf.Tensor {
    return this.run('BiasAddGrad', [this.float, this.str('data_format', 'NHWC')], [dy]);
  }

  /** dy where the ReLU's output (or input) is > 0, else 0. */
  reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return this.run('ReluGrad', [this.float], [dy, y]);
  }

  softmax(logits: tf.Tensor): tf.Tensor {
    return this.run('Softmax', [this.float], [logits]);
  }

  private poolAttrs(ksize: [number, number], strides: [number, number], padding: Padding, oneDnn: boolean): OpAttr[] {
    const attrs = [this.float, this.ints('ksize', [1, ksize[0], ksize[1], 1]), this.ints('strides', [1, strides[0], strides[1], 1]), this.str('padding', padding), this.str('data_format', 'NHWC')];
    // oneDNN's "native format" kernels are registered under this label; eager ops must ask for it.
    return oneDnn ? [...attrs, this.bool('workspace_enabled', true), this.str('_kernel', 'MklNameChangeOp')] : attrs;
  }

  /**
   * Max pooling; with oneDNN also the workspace (each window's argmax) that makes its gradient one
   * cheap pass. TensorFlow's generic gradient kernel rescans every window (see node-kernels.ts).
   */
  maxPool(x: tf.Tensor, ksize: [number, number], strides: [number, number], padding: Padding): { y: tf.Tensor; workspace?: tf.Tensor } {
    if (this.oneDnnPool !== false) {
      try {
        const [y, workspace] = this.backend.executeMultipleOutputs('_MklNativeMaxPool', this.poolAttrs(ksize, strides, padding, true), [x], 2);
        this.oneDnnPool = true;
        return { y, workspace };
      } catch (err) {
        if (this.oneDnnPool === true) throw err;
        this.oneDnnPool = false;
      }
    }
    return { y: this.run('MaxPool', this.poolAttrs(ksize, strides, padding, false), [x]) };
  }

  maxPoolGrad(x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor, workspace: tf.Tensor | undefined, ksize: [number, number], strides: [number, number], padding: Padding): tf.Tensor {
    if (workspace) return this.run('_MklNativeMaxPoolGrad', this.poolAttrs(ksize, strides, padding, true), [x, y, dy, workspace]);
    return this.run('MaxPoolGrad', this.poolAttrs(ksize, strides, padding, false), [x, y, dy]);
  }

  /** A TensorFlow resource variable holding `value` (copied on its first in-place update). */
  variable(value: tf.Tensor, name: string): tf.Tensor {
    const handle = this.run(
      'VarHandleOp',
      [{ name: 'dtype', type: this.b.TF_ATTR_TYPE, value: this.b.TF_FLOAT }, { name: 'shape', type: this.b.TF_ATTR_SHAPE, value: value.shape }, this.str('container', ''), this.str('shared_name', name)],
      [],
    );
    this.assignVariable(handle, value);
    return handle;
  }

  assignVariable(handle: tf.Tensor, value: tf.Tensor): void {
    this.backend.executeMultipleOutputs('AssignVariableOp', [{ name: 'dtype', type: this.b.TF_ATTR_TYPE, value: this.b.TF_FLOAT }], [handle, value], 0);
  }

  readVariable(handle: tf.Tensor): tf.Tensor {
    return this.run('ReadVariableOp', [{ name: 'dtype', type: this.b.TF_ATTR_TYPE, value: this.b.TF_FLOAT }], [handle]);
  }

  destroyVariable(handle: tf.Tensor): void {
    this.backend.executeMultipleOutputs('DestroyResourceOp', [this.bool('ignore_lookup_error', true)], [handle], 0);
  }

  /**
   * TensorFlow's Adam update, in place (what Keras' optimiser runs): m += (g − m)(1 − β1),
   * v += (g² − v)(1 − β2), var −= lr·√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε). Scalars are float32 tensors.
   */
  applyAdam(variable: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: { beta1Power: tf.Tensor; beta2Power: tf.Tensor; lr: tf.Tensor; beta1: tf.Tensor; beta2: tf.Tensor; epsilon: tf.Tensor }, grad: tf.Tensor): void {
    this.backend.executeMultipleOutputs(
      'ResourceApplyAdam',
      [this.float, this.bool('use_locking', false), this.bool('use_nesterov', false)],
      [variable, m, v, s.beta1Power, s.beta2Power, s.lr, s.beta1, s.beta2, s.epsilon, grad],
      0,
    );
  }
}

let stringLists: boolean | undefined;

/** Probed once: a `_FusedMatMul` on 1×1 tensors either runs or the binding refuses its string-list attribute. */
function bindingTakesStringLists(backend: NativeBackend): boolean {
  if (stringLists !== undefined) return stringLists;
  const b = backend.binding;
  try {
    tf.tidy(() => {
      const one = tf.ones([1, 1]);
      backend
        .executeSingleOutput(
          '_FusedMatMul',
          [
            { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
            { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: false },
            { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: false },
            { name: 'num_args', type: b.TF_ATTR_INT, value: 1 },
            { name: 'fused_ops', type: b.TF_ATTR_STRING, value: ['BiasAdd'] },
          ],
          [one, one, tf.ones([1])],
        )
        .dataSync();
    });
    stringLists = true;
  } catch {
    stringLists = false;
  }
  return stringLists;
}
