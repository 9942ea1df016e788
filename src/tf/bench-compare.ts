import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildModel, ModelName } from '../models/architectures';
import { projectRoot } from '../util/paths';
import { BenchOptions, BenchResult, DEFAULT_BENCH_OPTIONS } from './bench';

/**
 * `fmnist bench`: the native backend and Keras side by side, made to hold on a busy machine. Each
 * configuration (engine × thread count) runs in its own process, since TensorFlow fixes its thread
 * pools when it loads, for at least `seconds` (training and inference of every model); the
 * configurations take turns (node-1, keras-1, node-2, keras-2, then again) for `repeats` rounds, so a
 * burst of other load hits both sides of a ratio alike. Each round gives one ratio per pair
 * (node-N over keras-N of the same round); the result holds their median and spread (min, max), in
 * wall samples/s and in samples per CPU-second.
 */

/** `node-tfjs`: the native backend with tfjs' autograd engine (the training step before the native one), for before/after. */
export type Engine = 'node' | 'node-tfjs' | 'node-onednn' | 'wasm' | 'keras';

export interface CompareOptions {
  models: readonly ModelName[];
  /** Least training samples timed per model (whole batches); `seconds` usually decides. */
  trainSamples: number;
  /** Least wall seconds per configuration (training and inference of every model together). */
  seconds: number;
  /** Rounds of the interleaved schedule. */
  repeats: number;
  /** Thread counts for the native backend and Keras. */
  threads: readonly number[];
  /** tfjs engines to time (Keras is added by `keras`); wasm always runs one thread. */
  engines: ReadonlyArray<Exclude<Engine, 'keras'>>;
  keras: boolean;
  log?: (line: string) => void;
}

export const DEFAULT_COMPARE_MODELS: readonly ModelName[] = ['cnn3', 'cnn1'];
export const DEFAULT_COMPARE_SECONDS = 20;
export const DEFAULT_COMPARE_REPEATS = 3;

export interface ModelRates {
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  trainSamplesPerCpuSec: number;
  inferSamplesPerCpuSec: number;
}

/** One configuration of the schedule: 'node-1' (native, 1 thread), 'keras-2', 'wasm', ... */
export interface CompareConfig {
  id: string;
  engine: Engine;
  threads: number;
}

export interface CompareRun extends CompareConfig {
  /** The round (0-based) of the interleaved schedule. */
  repeat: number;
  detail: string;
  /** Whether TensorFlow ran its oneDNN kernels in this process (null: not TensorFlow, or not known). */
  oneDnn: boolean | null;
  models: Partial<Record<ModelName, ModelRates>>;
  loadAverage: { before: number; after: number };
  seconds: number;
}

/** A ratio over the rounds: its median and spread, and each round's value in order. */
export interface RatioStat {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export type RatioTable = Record<string, Partial<Record<ModelName, { train: RatioStat; infer: RatioStat }>>>;

export interface CompareResult {
  format: 'fmnist-bench-compare-2';
  batchSize: number;
  inferBatchSize: number;
  trainSamples: number;
  inferSamples: number;
  secondsPerConfig: number;
  repeats: number;
  /** The order the configurations ran in (ids with their round). */
  schedule: Array<{ id: string; repeat: number }>;
  runs: CompareRun[];
  /** Per configuration and model: the median over the rounds of each rate. */
  medians: Record<string, Partial<Record<ModelName, ModelRates>>>;
  /** e.g. ratios['node-1/keras-1'].cnn3.train.median: samples/s over samples/s, one value per round. */
  ratios: RatioTable;
  /** The same ratios of samples per CPU-second: steadier on a busy machine. */
  ratiosCpu: RatioTable;
  /** Configurations that could not run, and why (once per configuration). */
  skipped: Array<{ id: string; why: string }>;
  tfjsVersion: string;
  node: string;
  cpus: number;
  cpuModel: string;
  /** TF_ENABLE_ONEDNN_OPTS as this process saw it (unset: TensorFlow decides by CPU). */
  tfEnableOneDnnOpts: string | null;
  date: string;
}

/** The configurations to run: each engine at each thread count (wasm at one), then Keras at each. */
export function compareConfigs(engines: CompareOptions['engines'], threads: readonly number[], keras: boolean): CompareConfig[] {
  const configs: CompareConfig[] = [];
  for (const t of threads) {
    for (const engine of engines) if (engine !== 'wasm') configs.push({ id: `${engine}-${t}`, engine, threads: t });
    if (keras) configs.push({ id: `keras-${t}`, engine: 'keras', threads: t });
  }
  if (engines.includes('wasm')) configs.push({ id: 'wasm', engine: 'wasm', threads: 1 });
  return configs;
}

/** The interleaved order: every configuration once per round, rounds one after another. */
export function interleave(configs: readonly CompareConfig[], repeats: number): Array<CompareConfig & { repeat: number }> {
  const order: Array<CompareConfig & { repeat: number }> = [];
  for (let repeat = 0; repeat < repeats; repeat++) for (const c of configs) order.push({ ...c, repeat });
  return order;
}

/** Median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function ratioStat(values: readonly number[]): RatioStat {
  return { median: round(median(values), 3), min: round(Math.min(...values), 3), max: round(Math.max(...values), 3), values: values.map((v) => round(v, 3)) };
}

/** The pairs whose ratios are reported: every tfjs configuration over Keras at its thread count. */
export function comparePairs(configs: readonly CompareConfig[]): Array<[string, string]> {
  const keras = new Map(configs.filter((c) => c.engine === 'keras').map((c) => [c.threads, c.id]));
  return configs.filter((c) => c.engine !== 'keras' && keras.has(c.threads)).map((c) => [c.id, keras.get(c.threads)!]);
}

/**
 * Ratios per round, paired within the round (a configuration and its Keras counterpart ran minutes
 * apart), then their median and spread. Rounds where either side is missing are left out.
 */
export function summariseRuns(runs: readonly CompareRun[], pairs: ReadonlyArray<[string, string]>, models: readonly ModelName[], cpu: boolean): RatioTable {
  const table: RatioTable = {};
  const rate = (m: ModelRates, phase: 'train' | 'infer') => (cpu ? (phase === 'train' ? m.trainSamplesPerCpuSec : m.inferSamplesPerCpuSec) : phase === 'train' ? m.trainSamplesPerSec : m.inferSamplesPerSec);
  for (const [a, b] of pairs) {
    const per: RatioTable[string] = {};
    for (const model of models) {
      const train: number[] = [];
      const infer: number[] = [];
      for (const x of runs.filter((r) => r.id === a)) {
        const y = runs.find((r) => r.id === b && r.repeat === x.repeat);
        const [mx, my] = [x.models[model], y?.models[model]];
        if (!mx || !my) continue;
        train.push(rate(mx, 'train') / rate(my, 'train'));
        infer.push(rate(mx, 'infer') / rate(my, 'infer'));
      }
      if (train.length) per[model] = { train: ratioStat(train), infer: ratioStat(infer) };
    }
    if (Object.keys(per).length) table[`${a}/${b}`] = per;
  }
  return table;
}

/** Per configuration and model, the median over rounds of each rate. */
export function medianRates(runs: readonly CompareRun[], models: readonly ModelName[]): CompareResult['medians'] {
  const out: CompareResult['medians'] = {};
  for (const id of [...new Set(runs.map((r) => r.id))]) {
    const per: Partial<Record<ModelName, ModelRates>> = {};
    for (const model of models) {
      const rs = runs.filter((r) => r.id === id).map((r) => r.models[model]).filter((m): m is ModelRates => m !== undefined);
      if (!rs.length) continue;
      const med = (k: keyof ModelRates) => round(median(rs.map((m) => m[k])));
      per[model] = { trainSamplesPerSec: med('trainSamplesPerSec'), inferSamplesPerSec: med('inferSamplesPerSec'), trainSamplesPerCpuSec: med('trainSamplesPerCpuSec'), inferSamplesPerCpuSec: med('inferSamplesPerCpuSec') };
    }
    out[id] = per;
  }
  return out;
}

/** Runs one configuration once (a child process by default; tests pass a fake). */
export type ConfigRunner = (config: CompareConfig, opts: CompareOptions) => Omit<CompareRun, 'repeat'> | { why: string };

/** The models' layers as plain data, for scripts/bench-keras.py to rebuild them in Keras. */
export function kerasLayerSpec(name: ModelName): Array<Record<string, unknown>> {
  const model = buildModel(name, 1);
  try {
    return model.layers.map((layer) => {
      const c = layer.getConfig() as Record<string, unknown>;
      switch (layer.getClassName()) {
        case 'Conv2D':
          return { type: 'conv2d', filters: c.filters, kernelSize: c.kernelSize, strides: c.strides, padding: c.padding, activation: c.activation };
        case 'MaxPooling2D':
          return { type: 'maxPooling2d', poolSize: c.poolSize, strides: c.strides, padding: c.padding };
        case 'Flatten':
          return { type: 'flatten' };
        case 'Dense':
          return { type: 'dense', units: c.units, activation: c.activation };
        case 'Dropout':
          return { type: 'dropout', rate: c.rate };
        default:
          throw new Error(`bench: no Keras equivalent written for layer ${layer.getClassName()} of ${name}`);
      }
    });
  } finally {
    model.dispose();
  }
}

/** A Python with TensorFlow: FMNIST_KERAS_PYTHON, else the project's .venv-bench (scripts/bench-venv.sh). */
export function findKerasPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FMNIST_KERAS_PYTHON) return env.FMNIST_KERAS_PYTHON;
  const venv = path.join(projectRoot(), '.venv-bench', 'bin', 'python');
  return fs.existsSync(venv) ? venv : undefined;
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function rates(m: ModelRates): ModelRates {
  return {
    trainSamplesPerSec: m.trainSamplesPerSec,
    inferSamplesPerSec: m.inferSamplesPerSec,
    trainSamplesPerCpuSec: m.trainSamplesPerCpuSec,
    inferSamplesPerCpuSec: m.inferSamplesPerCpuSec,
  };
}

/**
 * How a configuration's seconds are spent: per model, three quarters training and a quarter
 * inference (training is what the study pays for).
 */
export function phaseSeconds(seconds: number, models: number): { trainSeconds: number; inferSeconds: number } {
  return { trainSeconds: (0.75 * seconds) / models, inferSeconds: (0.25 * seconds) / models };
}

/** One tfjs configuration: `fmnist bench --single --json` in a child process. */
function runTfjs(config: CompareConfig, opts: CompareOptions): Omit<CompareRun, 'repeat'> | { why: string } {
  if (config.engine !== 'wasm' && !nativeBuilt()) return { why: 'the native backend is not built (bash scripts/bootstrap.sh builds it)' };
  const bin = path.join(projectRoot(), 'bin', 'fmnist.js');
  const args = [bin, 'bench', '--single', '--json', '--no-stock', '--models', opts.models.join(','), '--samples', String(opts.trainSamples), '--seconds', String(opts.seconds)];
  if (config.engine === 'node-tfjs') args.push('--engine', 'tfjs');
  const before = os.loadavg()[0];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, {
    env: { ...process.env, FMNIST_BACKEND: config.engine === 'node-tfjs' ? 'node' : config.engine, FMNIST_NODE_THREADS: String(config.threads) },
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.status !== 0) return { why: lastLine(r.stderr) || `exit status ${r.status}` };
  const result = JSON.parse(lastLine(r.stdout)) as BenchResult;
  return {
    ...config,
    detail: `tfjs ${result.tfjsVersion}, ${result.backendDetail}`,
    oneDnn: result.oneDnn,
    models: Object.fromEntries(Object.entries(result.models).map(([k, m]) => [k, rates(m!)])),
    loadAverage: { before: round(before, 2), after: round(os.loadavg()[0], 2) },
    seconds: round((Date.now() - t0) / 1000, 1),
  };
}

/** One Keras configuration: scripts/bench-keras.py with the same job. */
function runKeras(config: CompareConfig, opts: CompareOptions): Omit<CompareRun, 'repeat'> | { why: string } {
  const python = findKerasPython();
  if (!python) return { why: 'no Python with TensorFlow: run `bash scripts/bench-venv.sh` or set FMNIST_KERAS_PYTHON' };
  const o = DEFAULT_BENCH_OPTIONS;
  const job = {
    threads: config.threads,
    batchSize: o.batchSize,
    warmupBatches: o.warmupBatches,
    trainSamples: opts.trainSamples,
    inferSamples: o.inferSamples,
    inferBatchSize: o.inferBatchSize,
    ...phaseSeconds(opts.seconds, opts.models.length),
    models: Object.fromEntries(opts.models.map((m) => [m, kerasLayerSpec(m)])),
  };
  const before = os.loadavg()[0];
  const t0 = Date.now();
  const r = spawnSync(python, [path.join(projectRoot(), 'scripts', 'bench-keras.py')], {
    input: JSON.stringify(job),
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.error) return { why: `${python}: ${r.error.message}` };
  if (r.status !== 0) return { why: lastLine(r.stderr) || `exit status ${r.status}` };
  const k = JSON.parse(lastLine(r.stdout)) as { tensorflow: string; keras: string; python: string; jitCompile: string; oneDnn: boolean | null; models: Record<string, ModelRates> };
  return {
    ...config,
    detail: `TensorFlow ${k.tensorflow}, Keras ${k.keras} (jit_compile ${k.jitCompile}), Python ${k.python}`,
    oneDnn: k.oneDnn,
    models: Object.fromEntries(Object.entries(k.models).map(([name, m]) => [name, rates(m)])),
    loadAverage: { before: round(before, 2), after: round(os.loadavg()[0], 2) },
    seconds: round((Date.now() - t0) / 1000, 1),
  };
}

/** The runner `fmnist bench` uses: each configuration in a child process. */
export const processRunner: ConfigRunner = (config, opts) => (config.engine === 'keras' ? runKeras(config, opts) : runTfjs(config, opts));

function lastLine(s: string | null): string {
  return (s ?? '').trim().split('\n').pop() ?? '';
}

/** Whether tfjs-node's binding is built (checked without loading TensorFlow into this process). */
function nativeBuilt(): boolean {
  const lib = path.join(projectRoot(), 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
  try {
    return fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

export function runComparison(opts: CompareOptions, runner: ConfigRunner = processRunner): CompareResult {
  const log = opts.log ?? (() => undefined);
  const o = DEFAULT_BENCH_OPTIONS;
  const configs = compareConfigs(opts.engines, opts.threads, opts.keras);
  const schedule = interleave(configs, opts.repeats);
  const runs: CompareRun[] = [];
  const skipped: CompareResult['skipped'] = [];
  for (const { repeat, ...config } of schedule) {
    if (skipped.some((s) => s.id === config.id)) continue; // it failed once: it would fail again
    const r = runner(config, opts);
    if ('why' in r) {
      skipped.push({ id: config.id, why: r.why });
      log(`${config.id}: skipped (${r.why})`);
    } else {
      runs.push({ ...r, repeat });
      log(`round ${repeat + 1}/${opts.repeats} ${config.id}: ${Object.entries(r.models).map(([m, v]) => `${m} train ${v!.trainSamplesPerSec} (${v!.trainSamplesPerCpuSec}/CPU-s), inference ${v!.inferSamplesPerSec}`).join('; ')} samples/s, load ${r.loadAverage.before}→${r.loadAverage.after}`);
    }
  }
  const pairs = comparePairs(configs);
  const env = process.env.TF_ENABLE_ONEDNN_OPTS;
  return {
    format: 'fmnist-bench-compare-2',
    batchSize: o.batchSize,
    inferBatchSize: o.inferBatchSize,
    trainSamples: opts.trainSamples,
    inferSamples: o.inferSamples,
    secondsPerConfig: opts.seconds,
    repeats: opts.repeats,
    schedule: schedule.map((c) => ({ id: c.id, repeat: c.repeat })),
    runs,
    medians: medianRates(runs, opts.models),
    ratios: summariseRuns(runs, pairs, opts.models, false),
    ratiosCpu: summariseRuns(runs, pairs, opts.models, true),
    skipped,
    tfjsVersion: tf.version.tfjs,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    tfEnableOneDnnOpts: env === undefined ? null : env,
    date: new Date().toISOString(),
  };
}

/** The comparison as a table: median samples/s per configuration and model, then the ratios with their spread. */
export function formatComparison(r: CompareResult): string {
  const models = [...new Set(r.runs.flatMap((run) => Object.keys(run.models)))] as ModelName[];
  const cell = (v: string) => v.padStart(17);
  const head = ['config'.padEnd(22), ...models.flatMap((m) => [cell(`${m} train`), cell(`${m} infer`)])].join(' ');
  const lines = [
    `medians of ${r.repeats} interleaved rounds, each configuration >= ${r.secondsPerConfig} s; train batch ${r.batchSize}, inference batch ${r.inferBatchSize}; ${r.cpus} × ${r.cpuModel}`,
    `samples/s (per CPU-second)`,
    head,
  ];
  for (const [id, per] of Object.entries(r.medians)) {
    const cells = models.flatMap((m) => {
      const x = per[m];
      return x ? [cell(`${x.trainSamplesPerSec} (${x.trainSamplesPerCpuSec})`), cell(`${x.inferSamplesPerSec} (${x.inferSamplesPerCpuSec})`)] : [cell('-'), cell('-')];
    });
    lines.push([id.padEnd(22), ...cells].join(' '));
  }
  const stat = (s: RatioStat | undefined) => cell(s ? `${s.median.toFixed(2)}× [${s.min.toFixed(2)}–${s.max.toFixed(2)}]` : '-');
  const ratioRows = (title: string, ratios: RatioTable) => {
    if (!Object.keys(ratios).length) return;
    lines.push(title);
    for (const [name, per] of Object.entries(ratios)) lines.push([name.padEnd(22), ...models.flatMap((m) => [stat(per[m]?.train), stat(per[m]?.infer)])].join(' '));
  };
  ratioRows('ratios, wall samples/s: median [min–max] over the rounds', r.ratios);
  ratioRows('ratios, samples per CPU-second (steadier when the machine is busy)', r.ratiosCpu);
  const details = new Map(r.runs.map((run) => [run.id, `${run.detail}${run.oneDnn === null ? '' : run.oneDnn ? '; oneDNN on' : '; oneDNN off'}`]));
  for (const [id, d] of details) lines.push(`${id}: ${d}`);
  for (const s of r.skipped) lines.push(`${s.id}: not run (${s.why})`);
  return lines.join('\n');
}
