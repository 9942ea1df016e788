import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildModel, ModelName } from '../models/architectures';
import { projectRoot } from '../util/paths';
import { BenchOptions, BenchResult, DEFAULT_BENCH_OPTIONS } from './bench';

/**
 * `fmnist bench`: the backends side by side, measured in one run. Each configuration runs in
 * its own process, one after another, because TensorFlow fixes its thread pools when it loads:
 * the native backend with 1 and 2 threads, wasm, and Keras (TensorFlow in Python) with the same
 * models, batch, steps and threads where a Python with TensorFlow is available.
 */

export interface CompareOptions {
  models: readonly ModelName[];
  trainSamples: number;
  /** Thread counts for the native backend and Keras. */
  threads: readonly number[];
  keras: boolean;
  log?: (line: string) => void;
}

export const DEFAULT_COMPARE_MODELS: readonly ModelName[] = ['cnn3', 'cnn1'];

export interface ModelRates {
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  trainSamplesPerCpuSec: number;
  inferSamplesPerCpuSec: number;
}

export interface CompareRun {
  /** 'node-1' (native, 1 thread), 'node-2', 'node-onednn-1', 'wasm', 'keras-1', ... */
  id: string;
  engine: 'node' | 'node-onednn' | 'wasm' | 'keras';
  threads: number;
  detail: string;
  models: Partial<Record<ModelName, ModelRates>>;
  loadAverage: { before: number; after: number };
  seconds: number;
}

export interface CompareResult {
  format: 'fmnist-bench-compare-1';
  batchSize: number;
  inferBatchSize: number;
  trainSamples: number;
  inferSamples: number;
  runs: CompareRun[];
  /** e.g. ratios['node-1/keras-1'].cnn3 = { train: 1.05, infer: 0.98 }: samples/s over samples/s. */
  ratios: Record<string, Partial<Record<ModelName, { train: number; infer: number }>>>;
  /** The same ratios of samples per CPU-second: steadier on a busy machine (meaningful for 1 thread). */
  ratiosCpu: Record<string, Partial<Record<ModelName, { train: number; infer: number }>>>;
  /** Configurations that could not run, and why. */
  skipped: Array<{ id: string; why: string }>;
  tfjsVersion: string;
  node: string;
  cpus: number;
  cpuModel: string;
  date: string;
}

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

/** One tfjs configuration: `fmnist bench --single --json` in a child process. */
function runTfjs(id: string, engine: 'node' | 'node-onednn' | 'wasm', threads: number, opts: CompareOptions): CompareRun | { why: string } {
  const bin = path.join(projectRoot(), 'bin', 'fmnist.js');
  const args = [bin, 'bench', '--single', '--json', '--no-stock', '--models', opts.models.join(','), '--samples', String(opts.trainSamples)];
  const before = os.loadavg()[0];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, {
    env: { ...process.env, FMNIST_BACKEND: engine, FMNIST_NODE_THREADS: String(threads) },
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.status !== 0) return { why: lastLine(r.stderr) || `exit status ${r.status}` };
  const result = JSON.parse(lastLine(r.stdout)) as BenchResult;
  return {
    id,
    engine,
    threads,
    detail: `tfjs ${result.tfjsVersion}, ${result.backendDetail}`,
    models: Object.fromEntries(Object.entries(result.models).map(([k, m]) => [k, rates(m!)])),
    loadAverage: { before: round(before, 2), after: round(os.loadavg()[0], 2) },
    seconds: round((Date.now() - t0) / 1000, 1),
  };
}

/** One Keras configuration: scripts/bench-keras.py with the same job. */
function runKeras(python: string, threads: number, opts: CompareOptions, o: BenchOptions): CompareRun | { why: string } {
  const job = {
    threads,
    batchSize: o.batchSize,
    warmupBatches: o.warmupBatches,
    trainSamples: opts.trainSamples,
    inferSamples: o.inferSamples,
    inferBatchSize: o.inferBatchSize,
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
  const k = JSON.parse(lastLine(r.stdout)) as { tensorflow: string; keras: string; python: string; jitCompile: string; models: Record<string, ModelRates> };
  return {
    id: `keras-${threads}`,
    engine: 'keras',
    threads,
    detail: `TensorFlow ${k.tensorflow}, Keras ${k.keras} (jit_compile ${k.jitCompile}), Python ${k.python}`,
    models: Object.fromEntries(Object.entries(k.models).map(([name, m]) => [name, rates(m)])),
    loadAverage: { before: round(before, 2), after: round(os.loadavg()[0], 2) },
    seconds: round((Date.now() - t0) / 1000, 1),
  };
}

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

export function runComparison(opts: CompareOptions): CompareResult {
  const log = opts.log ?? (() => undefined);
  const o = DEFAULT_BENCH_OPTIONS;
  const runs: CompareRun[] = [];
  const skipped: CompareResult['skipped'] = [];
  const record = (id: string, r: CompareRun | { why: string }) => {
    if ('why' in r) {
      skipped.push({ id, why: r.why });
      log(`${id}: skipped (${r.why})`);
    } else {
      runs.push(r);
      log(`${id}: ${Object.entries(r.models).map(([m, v]) => `${m} train ${v!.trainSamplesPerSec}, inference ${v!.inferSamplesPerSec}`).join('; ')} samples/s`);
    }
  };
  for (const engine of ['node', 'node-onednn'] as const) {
    for (const t of opts.threads) {
      const id = `${engine}-${t}`;
      if (!nativeBuilt()) record(id, { why: 'the native backend is not built (bash scripts/bootstrap.sh builds it)' });
      else record(id, runTfjs(id, engine, t, opts));
    }
  }
  record('wasm', runTfjs('wasm', 'wasm', 1, opts));
  if (opts.keras) {
    const python = findKerasPython();
    for (const t of opts.threads) {
      const id = `keras-${t}`;
      if (!python) record(id, { why: 'no Python with TensorFlow: run `bash scripts/bench-venv.sh` or set FMNIST_KERAS_PYTHON' });
      else record(id, runKeras(python, t, opts, o));
    }
  }
  const byId = new Map(runs.map((r) => [r.id, r]));
  const ratios: CompareResult['ratios'] = {};
  const ratiosCpu: CompareResult['ratios'] = {};
  const ratio = (a: CompareRun, b: CompareRun, cpu: boolean) =>
    Object.fromEntries(
      opts.models
        .filter((m) => a.models[m] && b.models[m])
        .map((m) => {
          const [x, y] = [a.models[m]!, b.models[m]!];
          return [
            m,
            cpu
              ? { train: round(x.trainSamplesPerCpuSec / y.trainSamplesPerCpuSec, 2), infer: round(x.inferSamplesPerCpuSec / y.inferSamplesPerCpuSec, 2) }
              : { train: round(x.trainSamplesPerSec / y.trainSamplesPerSec, 2), infer: round(x.inferSamplesPerSec / y.inferSamplesPerSec, 2) },
          ];
        }),
    );
  const pairs: Array<[string, string]> = opts.threads.flatMap((t): Array<[string, string]> => [[`node-${t}`, `keras-${t}`], [`node-onednn-${t}`, `keras-${t}`]]);
  pairs.push(['wasm', 'keras-1']); // wasm runs one thread: compare with single-threaded Keras
  for (const [a, b] of pairs) {
    const [x, y] = [byId.get(a), byId.get(b)];
    if (!x || !y) continue;
    ratios[`${a}/${b}`] = ratio(x, y, false);
    ratiosCpu[`${a}/${b}`] = ratio(x, y, true);
  }
  return {
    format: 'fmnist-bench-compare-1',
    batchSize: o.batchSize,
    inferBatchSize: o.inferBatchSize,
    trainSamples: opts.trainSamples,
    inferSamples: o.inferSamples,
    runs,
    ratios,
    ratiosCpu,
    skipped,
    tfjsVersion: tf.version.tfjs,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
  };
}

/** The comparison as a table: samples/s per run and model, then the ratios. */
export function formatComparison(r: CompareResult): string {
  const models = [...new Set(r.runs.flatMap((run) => Object.keys(run.models)))] as ModelName[];
  const head = ['run'.padEnd(14), ...models.flatMap((m) => [`${m} train`.padStart(11), `${m} infer`.padStart(11)])].join(' ');
  const lines = [
    `samples/s, train batch ${r.batchSize} (${r.trainSamples} samples after warm-up), inference batch ${r.inferBatchSize}; ${r.cpus} × ${r.cpuModel}`,
    head,
  ];
  for (const run of r.runs) {
    const cells = models.flatMap((m) => [run.models[m]?.trainSamplesPerSec, run.models[m]?.inferSamplesPerSec].map((v) => String(v ?? '-').padStart(11)));
    lines.push([run.id.padEnd(14), ...cells].join(' ') + `   load ${run.loadAverage.before}→${run.loadAverage.after}`);
  }
  const ratioRows = (ratios: CompareResult['ratios']) => {
    for (const [name, per] of Object.entries(ratios)) {
      const cells = models.flatMap((m) => [per[m]?.train, per[m]?.infer].map((v) => (v === undefined ? '-' : `${v.toFixed(2)}×`).padStart(11)));
      lines.push([name.padEnd(14), ...cells].join(' '));
    }
  };
  ratioRows(r.ratios);
  if (Object.keys(r.ratiosCpu).length) {
    lines.push('per CPU-second (steadier when the machine is busy; like for like at 1 thread):');
    for (const run of r.runs) {
      const cells = models.flatMap((m) => [run.models[m]?.trainSamplesPerCpuSec, run.models[m]?.inferSamplesPerCpuSec].map((v) => String(v ?? '-').padStart(11)));
      lines.push([run.id.padEnd(14), ...cells].join(' '));
    }
    ratioRows(r.ratiosCpu);
  }
  for (const run of r.runs) lines.push(`${run.id}: ${run.detail}`);
  for (const s of r.skipped) lines.push(`${s.id}: not run (${s.why})`);
  return lines.join('\n');
}
