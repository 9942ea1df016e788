import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES } from '../data/types';
import { NativeTrainer, nativeTrainerEngine } from '../tf/native-trainer';
import { parseEngine } from '../util/environment';

/**
 * The training engine: what runs one Adam step on a batch. On the native backend (`node`) it is the
 * native step (src/tf/native-trainer.ts: TensorFlow's fused ops and ResourceApplyAdam, about 2×
 * faster); elsewhere, and for models it does not cover, tfjs' autograd and tf.train.adam, the
 * engine of every run before 5 December 2026. Both compute the same maths (tested against each
 * other and the cpu backend); the native step's weights differ in the last bits, so each run's
 * run.json names the engine that trained it (`engine`; absent = TFJS_ENGINE). The cache key does not
 * hold the engine: runs saved by the earlier engine stay valid and are not retrained.
 */

/** The engine of runs whose run.json has no `engine` field. */
export const TFJS_ENGINE = 'tfjs autograd + tf.train.adam';

export type EnginePreference = 'native' | 'tfjs';
/** Set in code (the bench, tests); otherwise FMNIST_ENGINE decides (checked before any work starts). */
let override: EnginePreference | undefined;

/** Force the tfjs engine (e.g. to reproduce an earlier run's weights bit for bit, or to compare). */
export function setEnginePreference(p: EnginePreference): void {
  override = p;
}

export function enginePreference(): EnginePreference {
  return override ?? parseEngine(process.env.FMNIST_ENGINE);
}

export interface StepResult {
  loss: number;
  predicted: Int32Array | Uint8Array | Float32Array;
}

export interface Stepper {
  /** Names this engine in provenance. */
  readonly engine: string;
  /** One Adam step; `x` is consumed by the caller (disposed after). */
  step(x: tf.Tensor, labels: Int32Array): StepResult;
  /** Bring the tfjs model and optimiser up to date (before validating, saving or returning). */
  sync(): void;
  dispose(): void;
}

/** The tfjs engine: the training loop's step as it has always been (clipped cross-entropy of the softmax output). */
function tfjsStepper(model: tf.LayersModel, optimizer: tf.Optimizer): Stepper {
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    engine: TFJS_ENGINE,
    step(x, labels) {
      let predicted: tf.Tensor | undefined;
      const lossTensor = tf.tidy((): tf.Scalar => {
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES);
        return optimizer.minimize(
          () => {
            const probs = model.apply(x, { training: true }) as tf.Tensor;
            predicted = tf.keep(probs.argMax(-1));
            const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
            return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(clipped)), -1))) as tf.Scalar;
          },
          true,
          trainable,
        ) as tf.Scalar;
      });
      const loss = lossTensor.dataSync()[0];
      const pred = predicted!.dataSync() as Int32Array;
      tf.dispose([lossTensor, predicted!]);
      return { loss, predicted: pred };
    },
    sync() {},
    dispose() {},
  };
}

/**
 * The stepper for this model and optimiser: the native step where it applies (native backend
 * `node`, Adam, the layers it covers, not switched off), else tfjs'. `node-onednn` keeps tfjs'
 * engine: its results are its own and were trained that way.
 */
export function createStepper(model: tf.LayersModel, optimizer: tf.Optimizer, backendName: string | undefined): Stepper {
  if (enginePreference() === 'native' && backendName === 'node') {
    const native = NativeTrainer.create(model, optimizer);
    if (typeof native !== 'string') {
      return {
        engine: nativeTrainerEngine(),
        step: (x, labels) => native.step(x, labels),
        sync: () => native.sync(),
        dispose: () => native.dispose(),
      };
    }
  }
  return tfjsStepper(model, optimizer);
}
