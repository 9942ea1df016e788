import * as tf from '@tensorflow/tfjs';
import { LabelledImages } from '../data/types';
import { setDropoutSeed, hasDropout } from '../models/architectures';
import { accuracy } from '../evaluation/metrics';
import { argmaxRows, crossEntropy, imagesToTensor, predictProbabilities, yieldToEventLoop } from '../evaluation/predict';
import { learningRateAt, TrainingConfig } from './profiles';
import { deriveSeed, seededCoinFlips, seededPermutation } from './seeds';
import { ProgressSink, silentProgress } from './progress';
import type { EpochRecord } from './epoch-record';
import { stopIfAsked, type StopPoint } from './interrupt';
import { createStepper } from './engine';
import { activeBackend } from '../tf/backend';

// The history's line type lives in its own module so progress.ts can print it without importing the loop.
export type { EpochRecord } from './epoch-record';

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** A tensor as plain data, for checkpoints. */
export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/**
 * Everything needed to continue training exactly where it stopped. There is no hidden RNG state:
 * shuffles and dropout masks are derived from (seed, model, epoch/step), so the epoch count is the
 * "RNG position".
 */
export interface TrainingState {
  epochsDone: number;
  history: EpochRecord[];
  bestEpoch: number; // 0 until an epoch has been validated
  bestValAccuracy: number;
  weights: SavedTensor[];
  bestWeights: SavedTensor[] | null;
  optimizer: SavedTensor[];
  /** Adam's running β powers: setWeights would recompute them with pow(), which rounds differently. */
  adamBetaPowers: [number, number];
}

export interface TrainOptions {
  /** Seeds shuffles and dropout; combined with `stream` (the model name) so models draw independently. */
  seed: number;
  stream: string;
  label?: string;
  resume?: TrainingState;
  progress?: ProgressSink;
  onEpoch?: (record: EpochRecord) => void | Promise<void>;
  /** Called after every epoch with the state to persist; training waits for it. */
  onCheckpoint?: (state: TrainingState) => Promise<void>;
  /** When aborted, training stops before its next batch with StopRequested (interrupt.ts). */
  signal?: AbortSignal;
}

export interface TrainResult {
  history: EpochRecord[];
  bestEpoch: number;
  /** Epochs run in this call (fewer than config.epochs when resumed). */
  epochsRun: number;
  seconds: number;
  /** The training engine of this call (engine.ts), for provenance. */
  engine: string;
}

/** Adam's protected fields we must read/set (learning rate per epoch; β powers for exact resume). */
interface AdamInternals {
  learningRate: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}
const internals = (opt: tf.AdamOptimizer) => opt as unknown as AdamInternals;

export function createOptimizer(config: TrainingConfig): tf.AdamOptimizer {
  const o = config.optimizer;
  return tf.train.adam(o.learningRate, o.beta1, o.beta2, o.epsilon);
}

function saveTensors(named: Array<{ name: string; tensor: tf.Tensor }>): SavedTensor[] {
  return named.map(({ name, tensor }) => ({
    name,
    shape: tensor.shape.slice(),
    dtype: tensor.dtype === 'int32' ? 'int32' : 'float32',
    data: (tensor.dtype === 'int32' ? Int32Array : Float32Array).from(tensor.dataSync() as ArrayLike<number>),
  }));
}

function toTensor(t: SavedTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.dtype);
}

export function modelWeights(model: tf.LayersModel): SavedTensor[] {
  return saveTensors(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
}

export function setModelWeights(model: tf.LayersModel, saved: SavedTensor[]): void {
  const tensors = saved.map(toTensor);
  model.setWeights(tensors);
  tf.dispose(tensors);
}

async function optimizerState(opt: tf.AdamOptimizer): Promise<{ optimizer: SavedTensor[]; adamBetaPowers: [number, number] }> {
  const named = await opt.getWeights();
  const optimizer = saveTensors(named);
  tf.dispose(named.filter((n) => n.name === 'iter').map((n) => n.tensor)); // saveIterations() makes a fresh scalar
  const { accBeta1, accBeta2 } = internals(opt);
  return { optimizer, adamBetaPowers: [accBeta1.dataSync()[0], accBeta2.dataSync()[0]] };
}

async function restoreOptimizer(opt: tf.AdamOptimizer, state: TrainingState): Promise<void> {
  if (state.optimizer.length === 0) return;
  const named = state.optimizer.map((t) => ({ name: t.name, tensor: toTensor(t) }));
  await opt.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  tf.tidy(() => {
    internals(opt).accBeta1.assign(tf.scalar(state.adamBetaPowers[0]));
    internals(opt).accBeta2.assign(tf.scalar(state.adamBetaPowers[1]));
  });
}

/**
 * Trains `model` with Adam + sparse categorical cross-entropy on `data.train`, validating on
 * `data.val` after every epoch. Deterministic for a given (seed, stream, config, backend): the
 * initial weights come from the model's seeded initialisers, each epoch's order from
 * seededPermutation(seed, stream, epoch) (and its mirrored images, if augmenting, from (seed, stream,
 * 'hflip', epoch)), each step's dropout mask from (seed, stream, step).
 * With config.restoreBest the model ends with the weights of its best validation-accuracy epoch.
 */
export async function trainModel(
  model: tf.LayersModel,
  data: { train: LabelledImages; val: LabelledImages },
  config: TrainingConfig,
  opts: TrainOptions,
): Promise<TrainResult> {
  const { train, val } = data;
  if (train.count === 0) throw new Error('the training set is empty');
  const progress = opts.progress ?? silentProgress;
  const stepsPerEpoch = Math.ceil(train.count / config.batchSize);
  const optimizer = createOptimizer(config);
  const dropout = hasDropout(model);

  let state: Omit<TrainingState, 'weights' | 'optimizer' | 'adamBetaPowers'> = {
    epochsDone: 0,
    history: [],
    bestEpoch: 0,
    bestValAccuracy: -1,
    bestWeights: null,
  };
  if (opts.resume) {
    setModelWeights(model, opts.resume.weights);
    await restoreOptimizer(optimizer, opts.resume);
    state = {
      epochsDone: opts.resume.epochsDone,
      history: opts.resume.history.slice(),
      bestEpoch: opts.resume.bestEpoch,
      bestValAccuracy: opts.resume.bestValAccuracy,
      bestWeights: opts.resume.bestWeights,
    };
  }

  // After any resume: the native engine copies the weights and Adam's state when it starts.
  const stepper = createStepper(model, optimizer, activeBackend()?.name);
  const started = Date.now();
  const startEpoch = state.epochsDone;
  progress.start({ label: opts.label ?? opts.stream, epochs: config.epochs, stepsPerEpoch, startEpoch, samplesPerEpoch: train.count });
  const where = (phase: StopPoint['phase'], epoch: number, batch: number, batches: number): StopPoint => ({ phase, epoch, epochs: config.epochs, batch, batches, checkpointEpoch: state.epochsDone });
  try {
    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      const t0 = Date.now();
      const cpu0 = process.cpuUsage();
      const learningRate = learningRateAt(config, epoch);
      internals(optimizer).learningRate = learningRate;
      const order = seededPermutation(train.count, deriveSeed(opts.seed, opts.stream, 'shuffle', epoch));
      const mirror = config.augmentation === 'hflip' ? seededCoinFlips(train.count, deriveSeed(opts.seed, opts.stream, 'hflip', epoch)) : undefined;
      let lossSum = 0;
      let hits = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        stopIfAsked(opts.signal, () => where('training', epoch + 1, step, stepsPerEpoch));
        const from = step * config.batchSize;
        const to = Math.min(train.count, from + config.batchSize);
        if (dropout) setDropoutSeed(model, deriveSeed(opts.seed, opts.stream, 'dropout', epoch * stepsPerEpoch + step));
        const labels = new Int32Array(to - from);
        for (let j = 0; j < labels.length; j++) labels[j] = train.labels[order[from + j]];
        const x = imagesToTensor(train.images, from, to, order, mirror);
        let loss: number;
        let pred: ArrayLike<number>;
        try {
          ({ loss, predicted: pred } = stepper.step(x, labels));
        } finally {
          x.dispose();
        }
        lossSum += loss * labels.length;
        for (let j = 0; j < labels.length; j++) if (pred[j] === labels[j]) hits++;
        progress.step({ epoch: epoch + 1, step: step + 1, loss: lossSum / to, samples: to });
        await yieldToEventLoop();
      }
      if (dropout) setDropoutSeed(model, undefined);
      stepper.sync(); // the model's weights and Adam's state, for validation and the checkpoint

      const valProbs = await predictProbabilities(model, val, config.evalBatchSize, {
        beforeBatch: (batch, batches) => stopIfAsked(opts.signal, () => where('validation', epoch + 1, batch, batches)),
        afterBatch: (done, batches) => progress.evaluation?.({ phase: 'validation', done, batches }),
      });
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / train.count,
        accuracy: hits / train.count,
        valLoss: crossEntropy(valProbs, val.labels),
        valAccuracy: accuracy(val.labels, argmaxRows(valProbs)),
        learningRate,
        seconds: (Date.now() - t0) / 1000,
        cpuSeconds: cpuSecondsSince(cpu0),
      };
      state.history.push(record);
      state.epochsDone = epoch + 1;
      if (config.restoreBest && record.valAccuracy > state.bestValAccuracy) {
        state.bestValAccuracy = record.valAccuracy;
        state.bestEpoch = record.epoch;
        state.bestWeights = modelWeights(model);
      } else if (!config.restoreBest) {
        state.bestEpoch = record.epoch; // the last epoch is the one kept
        state.bestValAccuracy = record.valAccuracy;
      }
      progress.epoch(record);
      if (opts.onEpoch) await opts.onEpoch(record);
      if (opts.onCheckpoint) {
        await opts.onCheckpoint({ ...state, history: state.history.slice(), weights: modelWeights(model), ...(await optimizerState(optimizer)) });
      }
    }
  } finally {
    progress.stop();
    if (dropout) setDropoutSeed(model, undefined);
    stepper.dispose();
    optimizer.dispose();
  }
  if (config.restoreBest && state.bestWeights) setModelWeights(model, state.bestWeights);
  return {
    history: state.history,
    bestEpoch: state.bestEpoch,
    epochsRun: config.epochs - startEpoch,
    seconds: (Date.now() - started) / 1000,
    engine: stepper.engine,
  };
}
