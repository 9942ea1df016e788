import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { buildModel, MODEL_NAMES, ModelName, hasDropout, setDropoutSeed } from '../models/architectures';
import { activeBackend, BackendInfo, initBackend, tensorFlowOneDnnDefault } from './backend';
import { setWasmKernelMode, wasmKernelMode } from './wasm-kernels';
import { nodeKernelMode, setNodeKernelMode } from './node-kernels';
import { createStepper, enginePreference, setEnginePreference, TFJS_ENGINE, type Stepper } from '../training/engine';
import type { NativeBackend } from './native-ops';

/**
 * The speed benchmark behind `fmnist bench`: training and inference throughput of the four
 * models on the active backend, plus CNN 3 training with the backend's stock kernels measured in
 * the same process, so the ratio holds however busy the machine is: on wasm the stock kernels with
 * only the missing filter gradient added, on node tfjs' own ReLU gradient instead of TensorFlow's
 * ReluGrad (see node-kernels.ts). Inputs are random images: throughput does not depend on pixel
 * values, and the benchmark then needs no dataset.
 */

export interface BenchOptions {
  /** Training samples timed per model, after the warm-up (rounded up to whole batches): the least, see trainSeconds. */
  trainSamples: number;
  /** If set, training keeps taking whole batches until this many wall seconds have passed (and trainSamples are done). */
  trainSeconds?: number;
  /** If set, inference keeps predicting whole batches until this many wall seconds have passed (and inferSamples are done). */
  inferSeconds?: number;
  batchSize: number;
  warmupBatches: number;
  inferSamples: number;
  inferBatchSize: number;
  models: readonly ModelName[];
  /** Also time CNN 3 training with the stock kernels (wasm and node). */
  compareStock: boolean;
  /** Called with a line of progress (e.g. to stderr). */
  log?: (line: string) => void;
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
  trainSamples: 2048,
  batchSize: 64,
  warmupBatches: 3,
  inferSamples: 10_000,
  inferBatchSize: 1000,
  models: MODEL_NAMES,
  compareStock: true,
};

export interface ModelBench {
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  /** Samples per second of this process's CPU time: near the wall rate on an idle machine, and far less sensitive to other load. */
  trainSamplesPerCpuSec: number;
  inferSamplesPerCpuSec: number;
  trainSamples: number;
  trainSeconds: number;
  inferSamples: number;
  inferSeconds: number;
}

export interface BenchResult {
  backend: BackendInfo['name'];
  backendDetail: string;
  tfjsVersion: string;
  batchSize: number;
  inferBatchSize: number;
  models: Partial<Record<ModelName, ModelBench>>;
  /** CNN 3 training with the stock kernels; null on the cpu backend or when not requested. */
  stockCnn3TrainSamplesPerSec: number | null;
  stockCnn3InferSamplesPerSec: number | null;
  stockCnn3TrainSamplesPerCpuSec: number | null;
  /** models.cnn3.trainSamplesPerSec / stockCnn3TrainSamplesPerSec. */
  speedup: number | null;
  /** The same ratio in CPU time. */
  speedupCpu: number | null;
  /** The training engine timed (src/training/engine.ts). */
  engine: string;
  /** 1-minute load average before and after the run (this machine has `cpus` cores). */
  loadAverage: { before: number; after: number };
  /** Peak resident set size of this process (bytes), from the OS. */
  peakRssBytes: number;
  node: string;
  cpus: number;
  cpuModel: string;
  /** Whether TensorFlow runs its oneDNN kernels (native backend; null elsewhere or unknown). */
  oneDnn: boolean | null;
  date: string;
}

/** Random images in [0, 1] and labels, made once per benchmark. */
function randomData(n: number): { images: Float32Array; labels: Int32Array } {
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = rand();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = Math.floor(rand() * 10);
  return { images, labels };
}

/**
 * One training step exactly as the training loop takes it: Adam minimising clipped
 * sparse categorical cross-entropy of the softmax output, dropout on.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  images: Float32Array,
  labels: Int32Array,
  from: number,
  to: number,
): number {
  const n = to - from;
  const loss = tf.tidy(() => {
    const x = tf.tensor4d(images.subarray(from * 784, to * 784), [n, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(labels.subarray(from, to), 'int32'), 10);
    return optimizer.minimize(() => {
      const probs = model.apply(x, { training: true }) as tf.Tensor;
      const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
      return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(clipped)), -1))) as tf.Scalar;
    }, true) as tf.Scalar;
  });
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

/**
 * Calls `f(0)`, `f(1)`, ... at least `minCalls` times and until `minSeconds` of wall time have
 * passed; returns the count with the wall and CPU seconds they took.
 */
export function timedUntil(minCalls: number, minSeconds: number, f: (i: number) => void, clock: () => number = () => Number(process.hrtime.bigint()) / 1e9): { count: number; seconds: number; cpuSeconds: number } {
  let count = 0;
  const c0 = process.cpuUsage();
  const t0 = clock();
  let seconds = 0;
  while (count < minCalls || seconds < minSeconds) {
    f(count++);
    seconds = clock() - t0;
  }
  const c = process.cpuUsage(c0);
  return { count, seconds, cpuSeconds: (c.user + c.system) / 1e6 };
}

export interface Timing {
  samples: number;
  seconds: number;
  cpuSeconds: number;
}

/** A model, Adam and the training engine the training loop would use on the active backend. */
function benchModel(name: ModelName, seed = 1): { model: tf.LayersModel; optimizer: tf.Optimizer; stepper: Stepper; dispose(): void } {
  const model = buildModel(name, seed);
  const optimizer = tf.train.adam(1e-3);
  const stepper = createStepper(model, optimizer, activeBackend()?.name);
  return {
    model,
    optimizer,
    stepper,
    dispose() {
      stepper.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** One step of the bench's engine on images [from, to) (the training loop's step). */
function engineStep(stepper: Stepper, images: Float32Array, labels: Int32Array, from: number, to: number): number {
  const x = tf.tensor4d(images.subarray(from * 784, to * 784), [to - from, 28, 28, 1]);
  try {
    return stepper.step(x, labels.subarray(from, to)).loss;
  } finally {
    x.dispose();
  }
}

/** Samples per second of training `name` from fresh weights (warm-up steps not timed). */
export function benchTraining(name: ModelName, opts: BenchOptions, data = randomData(opts.batchSize * 8)): Timing & { engine: string } {
  const run = benchModel(name);
  const batches = data.labels.length / opts.batchSize;
  const dropout = hasDropout(run.model);
  const step = (i: number) => {
    const b = i % batches;
    if (dropout) setDropoutSeed(run.model, 1000 + i);
    engineStep(run.stepper, data.images, data.labels, b * opts.batchSize, (b + 1) * opts.batchSize);
  };
  try {
    for (let i = 0; i < opts.warmupBatches; i++) step(i);
    const t = timedUntil(Math.ceil(opts.trainSamples / opts.batchSize), opts.trainSeconds ?? 0, (i) => step(opts.warmupBatches + i));
    return { samples: t.count * opts.batchSize, seconds: t.seconds, cpuSeconds: t.cpuSeconds, engine: run.stepper.engine };
  } finally {
    run.dispose();
  }
}

/** Samples per second of inference (dropout off) over `inferSamples` images. */
export function benchInference(name: ModelName, opts: BenchOptions, data = randomData(opts.inferBatchSize)): Timing {
  const model = buildModel(name, 1);
  const n = opts.inferBatchSize;
  const predictOnce = () => {
    // The whole batch in one call, as Keras' predict_on_batch (model.predict's default splits it into 32s).
    const out = tf.tidy(() => model.predict(tf.tensor4d(data.images.subarray(0, n * 784), [n, 28, 28, 1]), { batchSize: n }) as tf.Tensor);
    out.dataSync();
    out.dispose();
  };
  try {
    predictOnce(); // warm-up
    const t = timedUntil(Math.ceil(opts.inferSamples / n), opts.inferSeconds ?? 0, predictOnce);
    return { samples: t.count * n, seconds: t.seconds, cpuSeconds: t.cpuSeconds };
  } finally {
    model.dispose();
  }
}

/** Run the whole benchmark on the active backend (initialising it if needed). */
export async function runBenchmark(partial: Partial<BenchOptions> = {}): Promise<BenchResult> {
  const opts: BenchOptions = { ...DEFAULT_BENCH_OPTIONS, ...partial };
  const log = opts.log ?? (() => undefined);
  const info = activeBackend() ?? (await initBackend({ quiet: true }));
  const trainData = randomData(opts.batchSize * 8);
  const inferData = randomData(opts.inferBatchSize);
  const modes = info.name === 'wasm' ? { get: wasmKernelMode, set: setWasmKernelMode } : info.name === 'node' || info.name === 'node-onednn' ? { get: nodeKernelMode, set: setNodeKernelMode } : undefined;
  const modeBefore = modes?.get();
  const engineBefore = enginePreference();
  modes?.set({ fast: true });
  let engine = '';
  const models: Partial<Record<ModelName, ModelBench>> = {};
  const rate = (r: Timing) => r.samples / r.seconds;
  const cpuRate = (r: Timing) => r.samples / r.cpuSeconds;
  const loadBefore = os.loadavg()[0];
  try {
    for (const name of opts.models) {
      const train = benchTraining(name, opts, trainData);
      engine = train.engine;
      const infer = benchInference(name, opts, inferData);
      models[name] = {
        trainSamplesPerSec: round(rate(train)),
        inferSamplesPerSec: round(rate(infer)),
        trainSamplesPerCpuSec: round(cpuRate(train)),
        inferSamplesPerCpuSec: round(cpuRate(infer)),
        trainSamples: train.samples,
        trainSeconds: round(train.seconds, 3),
        inferSamples: infer.samples,
        inferSeconds: round(infer.seconds, 3),
      };
      log(`${name}: train ${models[name]!.trainSamplesPerSec} samples/s, inference ${models[name]!.inferSamplesPerSec} samples/s`);
    }
    let stockTrain: number | null = null;
    let stockTrainCpu: number | null = null;
    let stockInfer: number | null = null;
    if (modes && opts.compareStock) {
      modes.set({ fast: false });
      setEnginePreference('tfjs');
      const t = benchTraining('cnn3', opts, trainData);
      stockTrain = round(rate(t));
      stockTrainCpu = round(cpuRate(t));
      stockInfer = round(rate(benchInference('cnn3', opts, inferData)));
      log(`cnn3 with stock ${info.name} kernels: train ${stockTrain} samples/s, inference ${stockInfer} samples/s`);
    }
    const fastCnn3 = models.cnn3?.trainSamplesPerSec;
    const fastCnn3Cpu = models.cnn3?.trainSamplesPerCpuSec;
    return {
      backend: info.name,
      backendDetail: info.detail,
      tfjsVersion: info.tfjsVersion,
      engine,
      batchSize: opts.batchSize,
      inferBatchSize: opts.inferBatchSize,
      models,
      stockCnn3TrainSamplesPerSec: stockTrain,
      stockCnn3InferSamplesPerSec: stockInfer,
      stockCnn3TrainSamplesPerCpuSec: stockTrainCpu,
      speedup: stockTrain && fastCnn3 ? round(fastCnn3 / stockTrain, 2) : null,
      speedupCpu: stockTrainCpu && fastCnn3Cpu ? round(fastCnn3Cpu / stockTrainCpu, 2) : null,
      loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      oneDnn: info.name === 'node' || info.name === 'node-onednn' ? tensorFlowOneDnnDefault() : null,
      date: new Date().toISOString(),
    };
  } finally {
    if (modes && modeBefore) modes.set(modeBefore);
    setEnginePreference(engineBefore);
  }
}

/**
 * Time of one training step, by kernel (tfjs' engine, through tf.profile) or by TensorFlow op (the
 * native engine, which calls the backend directly), largest first (for tuning). Each one's time is
 * its median over `steps` profiled steps, which damps the noise of a busy machine.
 */
export async function profileTrainingStep(
  name: ModelName,
  batchSize = 64,
  steps = 5,
): Promise<Array<{ kernel: string; ms: number; calls: number }>> {
  const data = randomData(batchSize);
  const run = benchModel(name);
  const native = run.stepper.engine !== TFJS_ENGINE;
  const backend = tf.backend() as unknown as NativeBackend;
  const plain = { single: backend.executeSingleOutput, multiple: backend.executeMultipleOutputs };
  let current = new Map<string, { ms: number; calls: number }>();
  const clocked = <A extends unknown[], R>(f: (name: string, ...args: A) => R) => (opName: string, ...args: A): R => {
    const t0 = process.hrtime.bigint();
    try {
      return f.call(backend, opName, ...args);
    } finally {
      const e = current.get(opName) ?? { ms: 0, calls: 0 };
      e.ms += Number(process.hrtime.bigint() - t0) / 1e6;
      e.calls += 1;
      current.set(opName, e);
    }
  };
  try {
    if (hasDropout(run.model)) setDropoutSeed(run.model, 1);
    engineStep(run.stepper, data.images, data.labels, 0, batchSize); // warm-up
    const perStep: Array<Map<string, { ms: number; calls: number }>> = [];
    for (let i = 0; i < steps; i++) {
      current = new Map();
      if (native) {
        backend.executeSingleOutput = clocked(plain.single);
        backend.executeMultipleOutputs = clocked(plain.multiple);
        try {
          engineStep(run.stepper, data.images, data.labels, 0, batchSize);
        } finally {
          backend.executeSingleOutput = plain.single;
          backend.executeMultipleOutputs = plain.multiple;
        }
      } else {
        const prof = await tf.profile(() => void engineStep(run.stepper, data.images, data.labels, 0, batchSize));
        for (const k of prof.kernels) {
          const e = current.get(k.name) ?? { ms: 0, calls: 0 };
          e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
          e.calls += 1;
          current.set(k.name, e);
        }
      }
      perStep.push(current);
    }
    const rows = [...perStep[0].entries()].map(([kernel, e]) => {
      const times = perStep.map((m) => m.get(kernel)?.ms ?? 0).sort((a, b) => a - b);
      return { kernel, ms: round(times[Math.floor(times.length / 2)], 2), calls: e.calls };
    });
    return rows.sort((a, b) => b.ms - a.ms);
  } finally {
    run.dispose();
  }
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
