import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { NativeOps, type Padding } from './native-ops';

/**
 * A lean training step for the native backend: the four models' layers run forward and backward
 * as the TensorFlow ops Keras' compiled graph runs (conv + bias + ReLU fused in `_FusedConv2D`,
 * dense layers in `_FusedMatMul`, oneDNN max pooling with its workspace, `ReluGrad`,
 * `BiasAddGrad`, the convolution gradients), and Adam is TensorFlow's fused `ResourceApplyAdam`
 * on resource variables: about 45 ops per CNN 3 step instead of about 230 through tfjs' autograd
 * and optimiser. The weights live in those variables while training; `sync()` writes them (and
 * Adam's moments, β powers and step count) back into the tfjs model and optimiser, which the
 * training loop does before it validates, checkpoints or returns.
 *
 * The maths is tfjs' (what trained the earlier runs): the loss is the mean cross-entropy of the
 * softmax output clipped to [1e-7, 1 − 1e-7], its gradient flows through the clip and the softmax
 * exactly as tfjs differentiates them, dropout draws tfjs' mask from the layer's seed, and Adam puts
 * ε beside the bias-corrected √v̂ as tf.train.adam does (TensorFlow's op adds it to √v, so it is
 * given ε·√(1 − β2ᵗ), which is the same update). The sums run in other orders, so weights differ
 * from the tfjs path in the last bits; test/native-trainer.test.ts checks both against the cpu backend.
 */

/** Names this engine in provenance (run.json `engine`); bump the version when its numerics change. */
export const NATIVE_TRAINER_ENGINE = 'tfjs-node native step v1';

/**
 * The engine with the ops it runs on this machine (fused or not, oneDNN or TensorFlow's own kernels),
 * which decide the last bits of the weights. Probes the ops once.
 */
export function nativeTrainerEngine(): string {
  const ops = sharedOps();
  const fused = ops.fused ? (ops.probeOneDnnFused() ? 'oneDNN fused conv/dense + bias + ReLU' : 'fused conv/dense + bias + ReLU') : 'unfused conv/dense';
  return `${NATIVE_TRAINER_ENGINE} (${fused}, ${ops.probeOneDnnPool() ? 'oneDNN' : 'TensorFlow'} max pooling, ResourceApplyAdam)`;
}

let ops: NativeOps | undefined;
function sharedOps(): NativeOps {
  return (ops ??= new NativeOps());
}

type Pair = [number, number];
type Step =
  | { kind: 'conv'; kernel: tf.LayerVariable; bias: tf.LayerVariable; strides: Pair; padding: Padding }
  | { kind: 'pool'; size: Pair; strides: Pair; padding: Padding }
  | { kind: 'flatten' }
  | { kind: 'dense'; kernel: tf.LayerVariable; bias: tf.LayerVariable; activation: 'relu' | 'softmax' }
  | { kind: 'dropout'; layer: { seed?: number }; rate: number };

const pair = (v: unknown): Pair => (Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)]);
const padding = (v: unknown): Padding | undefined => (v === 'valid' ? 'VALID' : v === 'same' ? 'SAME' : undefined);

/** The model as steps this trainer runs, or why it cannot (then the tfjs path trains it). */
export function planModel(model: tf.LayersModel): Step[] | string {
  const steps: Step[] = [];
  for (const [i, layer] of model.layers.entries()) {
    const c = layer.getConfig() as Record<string, unknown>;
    const weights = layer.trainableWeights;
    const last = i === model.layers.length - 1;
    switch (layer.getClassName()) {
      case 'Conv2D': {
        const pad = padding(c.padding);
        if (c.activation !== 'relu' || !c.useBias || weights.length !== 2 || !pad || c.dataFormat !== 'channelsLast' || pair(c.dilationRate).some((d) => d !== 1)) return `${layer.name}: only conv2d with bias, ReLU, channels last and no dilation`;
        steps.push({ kind: 'conv', kernel: weights[0], bias: weights[1], strides: pair(c.strides), padding: pad });
        break;
      }
      case 'MaxPooling2D': {
        const pad = padding(c.padding);
        if (!pad || c.dataFormat !== 'channelsLast') return `${layer.name}: only channels-last max pooling`;
        steps.push({ kind: 'pool', size: pair(c.poolSize), strides: pair(c.strides ?? c.poolSize), padding: pad });
        break;
      }
      case 'Flatten':
        steps.push({ kind: 'flatten' });
        break;
      case 'Dense': {
        const activation = c.activation;
        if (!c.useBias || weights.length !== 2 || !(activation === 'relu' || (activation === 'softmax' && last))) return `${layer.name}: only dense layers with bias and ReLU, or softmax last`;
        steps.push({ kind: 'dense', kernel: weights[0], bias: weights[1], activation });
        break;
      }
      case 'Dropout': {
        if (c.noiseShape != null) return `${layer.name}: dropout with a noise shape`;
        steps.push({ kind: 'dropout', layer: layer as unknown as { seed?: number }, rate: Number(c.rate) });
        break;
      }
      default:
        return `${layer.name}: no native step for ${layer.getClassName()}`;
    }
  }
  const lastStep = steps[steps.length - 1];
  if (lastStep?.kind !== 'dense' || lastStep.activation !== 'softmax') return 'the model must end in a softmax dense layer';
  return steps;
}

/** tfjs' Adam fields the trainer reads and writes back (the training loop checkpoints them). */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  readonly iterations: number;
  iterations_: number;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

const CLIP_LO = Math.fround(1e-7);
const CLIP_HI = Math.fround(1 - 1e-7);
let nextId = 0;

export interface NativeStepResult {
  /** Mean clipped cross-entropy of the batch (before the update). */
  loss: number;
  /** Each image's most probable class (before the update). */
  predicted: Int32Array;
}

export class NativeTrainer {
  private readonly ops = sharedOps();
  private readonly weights: tf.LayerVariable[];
  private readonly vars: tf.Tensor[];
  private readonly ms: tf.Tensor[];
  private readonly vs: tf.Tensor[];
  private readonly constants: { beta1: tf.Tensor; beta2: tf.Tensor };
  private lr: { value: number; tensor: tf.Tensor } | undefined;
  private beta1Power: number;
  private beta2Power: number;
  private pendingSteps = 0;
  private disposed = false;

  private constructor(
    private readonly steps: Step[],
    private readonly optimizer: tf.AdamOptimizer,
  ) {
    const adam = this.adam();
    this.weights = steps.flatMap((s) => (s.kind === 'conv' || s.kind === 'dense' ? [s.kernel, s.bias] : []));
    const id = nextId++;
    this.vars = this.weights.map((w, i) => this.ops.variable(w.read(), `fmnist_native_${id}_w${i}`));
    const moment = (list: AdamFields['accumulatedFirstMoment'], i: number) => list[i]?.variable ?? tf.zerosLike(this.weights[i].read());
    this.ms = this.weights.map((_, i) => tf.tidy(() => this.ops.variable(moment(adam.accumulatedFirstMoment, i), `fmnist_native_${id}_m${i}`)));
    this.vs = this.weights.map((_, i) => tf.tidy(() => this.ops.variable(moment(adam.accumulatedSecondMoment, i), `fmnist_native_${id}_v${i}`)));
    this.constants = { beta1: tf.scalar(adam.beta1), beta2: tf.scalar(adam.beta2) };
    this.beta1Power = adam.accBeta1.dataSync()[0];
    this.beta2Power = adam.accBeta2.dataSync()[0];
  }

  /**
   * A trainer for `model` and this tf.train.adam optimiser on the native backend, or the reason
   * there is none (another backend, or a layer it does not cover). `trainable` must be the weights
   * the loop would pass to minimize(): all of the model's, in order.
   */
  static create(model: tf.LayersModel, optimizer: tf.Optimizer): NativeTrainer | string {
    if (tf.getBackend() !== 'tensorflow') return `the ${tf.getBackend()} backend`;
    if ((optimizer.constructor as { className?: string }).className !== 'Adam') return 'an optimiser other than Adam';
    const plan = planModel(model);
    if (typeof plan === 'string') return plan;
    const covered = plan.flatMap((s) => (s.kind === 'conv' || s.kind === 'dense' ? [s.kernel, s.bias] : []));
    const trainable = model.trainableWeights;
    if (covered.length !== trainable.length || covered.some((w, i) => w !== trainable[i])) return 'trainable weights outside the layers it runs';
    return new NativeTrainer(plan, optimizer as tf.AdamOptimizer);
  }

  private adam(): AdamFields {
    return this.optimizer as unknown as AdamFields;
  }

  /** One Adam step on a batch: `x` the images as the model takes them, `labels` their classes. */
  step(x: tf.Tensor, labels: ArrayLike<number>): NativeStepResult {
    const { grads, ...result } = this.gradients(x, labels);
    try {
      this.applyAdam(grads);
    } finally {
      tf.dispose(grads);
    }
    return result;
  }

  /** The loss, predictions and the loss gradient of every trainable weight (in model.trainableWeights' order), without updating. */
  gradients(x: tf.Tensor, labels: ArrayLike<number>): NativeStepResult & { grads: tf.Tensor[] } {
    if (this.disposed) throw new Error('NativeTrainer: used after dispose()');
    const n = x.shape[0];
    let result: NativeStepResult | undefined;
    const grads = tf.tidy(() => {
      const w = this.vars.map((v) => this.ops.readVariable(v));
      type Saved = { input: tf.Tensor; output: tf.Tensor; extra?: tf.Tensor };
      const saved: Saved[] = [];
      let h = x;
      let wi = 0;
      for (const s of this.steps) {
        const input = h;
        let extra: tf.Tensor | undefined;
        switch (s.kind) {
          case 'conv':
            h = this.ops.fusedConv2d(h, w[wi], w[wi + 1], s.strides, s.padding, true);
            wi += 2;
            break;
          case 'pool': {
            const r = this.ops.maxPool(h, s.size, s.strides, s.padding);
            h = r.y;
            extra = r.workspace;
            break;
          }
          case 'flatten':
            h = tf.reshape(h, [n, -1]);
            break;
          case 'dense':
            h = this.ops.fusedMatMul(h, w[wi], w[wi + 1], s.activation === 'relu');
            wi += 2;
            break;
          case 'dropout':
            // tfjs' own dropout (the same mask from the same seed): floor(u + keep) / keep.
            extra = dropoutMask(h.shape, s.rate, s.layer.seed);
            h = tf.mul(h, extra);
            break;
        }
        saved.push({ input, output: h, extra });
      }
      // h: the output layer's logits; the loss and its gradient are computed here in JavaScript.
      const probs = this.ops.softmax(h);
      const { loss, predicted, dLogits } = lossAndGradient(probs.dataSync() as Float32Array, labels, n, h.shape[1]!);
      result = { loss, predicted };
      let dy: tf.Tensor = tf.tensor2d(dLogits, [n, h.shape[1]!]);
      const grads: tf.Tensor[] = new Array(this.vars.length);
      // Set by a max pooling right after a conv + ReLU: that conv's ReLU gradient is already applied and its bias gradient taken.
      let pooledConv: { biasGrad: tf.Tensor } | undefined;
      for (let i = this.steps.length - 1; i >= 0; i--) {
        const s = this.steps[i];
        const { input, output, extra } = saved[i];
        const first = i === 0;
        switch (s.kind) {
          case 'conv': {
            wi -= 2;
            const dz = pooledConv ? dy : this.ops.reluGrad(dy, output);
            grads[wi] = this.ops.conv2dBackpropFilter(input, s.kernel.shape as number[], dz, s.strides, s.padding);
            grads[wi + 1] = pooledConv ? pooledConv.biasGrad : this.ops.biasAddGrad(dz);
            pooledConv = undefined;
            if (!first) dy = this.ops.conv2dBackpropInput(input.shape, w[wi], dz, s.strides, s.padding);
            break;
          }
          case 'pool': {
            if (this.steps[i - 1]?.kind === 'conv') {
              // Pooling after ReLU: its gradient reaches only each window's maximum, and a window whose
              // maximum is 0 passes nothing through the ReLU either; so ReluGrad on the pooled output
              // (a quarter of the size) gives the same conv gradient, and its sum over positions the bias gradient.
              const g = this.ops.reluGrad(dy, output);
              pooledConv = { biasGrad: this.ops.biasAddGrad(g) };
              dy = this.ops.maxPoolGrad(input, output, g, extra, s.size, s.strides, s.padding);
            } else {
              dy = this.ops.maxPoolGrad(input, output, dy, extra, s.size, s.strides, s.padding);
            }
            break;
          }
          case 'flatten':
            dy = tf.reshape(dy, input.shape);
            break;
          case 'dense': {
            wi -= 2;
            const dz = s.activation === 'relu' ? this.ops.reluGrad(dy, output) : dy; // softmax: dy is already d(logits)
            grads[wi] = this.ops.matMul(input, dz, true, false);
            grads[wi + 1] = this.ops.biasAddGrad(dz);
            if (!first) dy = this.ops.matMul(dz, w[wi], false, true);
            break;
          }
          case 'dropout':
            dy = tf.mul(dy, extra!);
            break;
        }
      }
      return grads;
    });
    return { ...result!, grads };
  }

  /** Adam's update of every weight with these gradients (tfjs' maths, TensorFlow's op). */
  applyAdam(grads: tf.Tensor[]): void {
    const adam = this.adam();
    if (!this.lr || this.lr.value !== adam.learningRate) {
      this.lr?.tensor.dispose();
      this.lr = { value: adam.learningRate, tensor: tf.scalar(adam.learningRate) };
    }
    // tfjs: lr · m̂ / (√v̂ + ε); TensorFlow: lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε'), equal for ε' = ε·√(1−β2ᵗ).
    const oneMinusBeta2Power = Math.fround(1 - this.beta2Power);
    const scalars = {
      beta1Power: tf.scalar(this.beta1Power),
      beta2Power: tf.scalar(this.beta2Power),
      epsilon: tf.scalar(adam.epsilon * Math.sqrt(oneMinusBeta2Power)),
      lr: this.lr.tensor,
      ...this.constants,
    };
    try {
      for (let i = 0; i < this.vars.length; i++) this.ops.applyAdam(this.vars[i], this.ms[i], this.vs[i], scalars, grads[i]);
    } finally {
      tf.dispose([scalars.beta1Power, scalars.beta2Power, scalars.epsilon]);
    }
    // tfjs keeps the β powers as float32 variables multiplied once per step.
    this.beta1Power = Math.fround(this.beta1Power * Math.fround(adam.beta1));
    this.beta2Power = Math.fround(this.beta2Power * Math.fround(adam.beta2));
    this.pendingSteps++;
  }

  /** Write the weights and Adam's state back into the tfjs model and optimiser. */
  sync(): void {
    if (this.disposed) return;
    const adam = this.adam();
    tf.tidy(() => {
      this.weights.forEach((w, i) => w.write(this.ops.readVariable(this.vars[i])));
      const put = (list: AdamFields['accumulatedFirstMoment'], handles: tf.Tensor[], suffix: string) =>
        handles.forEach((h, i) => {
          const value = this.ops.readVariable(h);
          const entry = list[i];
          if (entry) entry.variable.assign(value);
          else list[i] = { originalName: `${(this.weights[i].read() as tf.Variable).name}/${suffix}`, variable: tf.keep(value.variable(false)) };
        });
      put(adam.accumulatedFirstMoment, this.ms, 'm');
      put(adam.accumulatedSecondMoment, this.vs, 'v');
      adam.accBeta1.assign(tf.scalar(this.beta1Power));
      adam.accBeta2.assign(tf.scalar(this.beta2Power));
    });
    adam.iterations_ = adam.iterations + this.pendingSteps;
    this.pendingSteps = 0;
  }

  /** sync(), then free the TensorFlow variables. */
  dispose(): void {
    if (this.disposed) return;
    this.sync();
    this.disposed = true;
    for (const h of [...this.vars, ...this.ms, ...this.vs]) this.ops.destroyVariable(h);
    tf.dispose([...this.vars, ...this.ms, ...this.vs, this.constants.beta1, this.constants.beta2]);
    this.lr?.tensor.dispose();
  }
}

/**
 * tfjs' dropout multiplier (ops/dropout.ts: floor(uniform + keep) / keep, in float32) with the same
 * numbers: tf.randomUniform draws them from seedrandom's alea seeded with the seed's string, one per
 * element, which is what this does, minus the cost of tfjs' generic op (measured at 2-3 ms for
 * CNN 3's 64 × 128 mask, a sixth of a step). Without a seed tfjs' op draws one at random.
 */
export function dropoutMask(shape: number[], rate: number, seed: number | undefined): tf.Tensor {
  const keep = 1 - rate;
  if (seed == null) return tf.tidy(() => tf.div(tf.floor(tf.add(tf.randomUniform(shape, 0, 1, 'float32', seed), keep)), keep));
  const random = seedrandom.alea(seed.toString());
  const keep32 = Math.fround(keep);
  const kept = Math.fround(1 / keep32);
  const mask = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < mask.length; i++) mask[i] = Math.floor(Math.fround(Math.fround(random()) + keep32)) === 0 ? 0 : kept;
  return tf.tensor(mask, shape);
}

/**
 * The batch's mean clipped cross-entropy, each row's argmax, and the gradient of the loss with
 * respect to the logits, as tfjs' autograd gives it: through clipByValue (zero where a probability
 * is outside [1e-7, 1 − 1e-7], bounds included as inside) and softmax (dx = dy·p − Σ(dy·p)·p).
 */
export function lossAndGradient(p: Float32Array, labels: ArrayLike<number>, n: number, classes: number): { loss: number; predicted: Int32Array; dLogits: Float32Array } {
  const dLogits = new Float32Array(n * classes);
  const predicted = new Int32Array(n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * classes;
    let best = 0;
    for (let j = 1; j < classes; j++) if (p[row + j] > p[row + best]) best = j;
    predicted[i] = best;
    const c = labels[i];
    const pc = p[row + c];
    const clipped = Math.min(Math.max(pc, CLIP_LO), CLIP_HI);
    loss -= Math.log(clipped);
    // d loss / d p_c = −1/(n·clip(p_c)) inside the clip range; d/d logit_j = g·p_c·([j = c] − p_j).
    const gpc = pc >= CLIP_LO && pc <= CLIP_HI ? -pc / (n * clipped) : 0;
    for (let j = 0; j < classes; j++) dLogits[row + j] = (j === c ? gpc : 0) - gpc * p[row + j];
  }
  return { loss: loss / n, predicted, dLogits };
}
