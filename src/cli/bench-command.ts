import { Command } from 'commander';
import { assertModelName, MODEL_NAMES } from '../models/architectures';
import { initBackend } from '../tf/backend';
import { BenchResult, DEFAULT_BENCH_OPTIONS, profileTrainingStep, runBenchmark } from '../tf/bench';
import { writeJsonAtomic } from '../util/atomic';
import { setEnginePreference } from '../training/engine';
import { DEFAULT_COMPARE_MODELS, DEFAULT_COMPARE_REPEATS, DEFAULT_COMPARE_SECONDS, formatComparison, phaseSeconds, runComparison, type CompareOptions } from '../tf/bench-compare';

/**
 * `fmnist bench`: training and inference throughput.
 *   fmnist bench                 the native backend and Keras side by side (CNN 3 and CNN 1, 1 and
 *                                2 threads), each configuration in its own process for >= 20 s,
 *                                three interleaved rounds: median ratios to Keras and their spread
 *   fmnist bench --json          the same as one JSON object
 *   fmnist bench --single        only the active backend (FMNIST_BACKEND picks one), all four
 *                                models, plus CNN 3 with the stock kernels (wasm, node)
 *   fmnist bench --out f.json    also write the JSON object to f.json (atomically)
 *   fmnist bench --profile cnn3  kernel time of one training step, by kernel (active backend)
 * Not part of the test suite: the comparison takes a few minutes.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure training/inference throughput: the backends and Keras side by side, or (--single) the active backend')
    .option('--json', 'print one JSON object instead of a table')
    .option('--single', 'benchmark only the active backend (FMNIST_BACKEND), in this process')
    .option('--models <list>', `comma-separated subset of ${MODEL_NAMES.join(',')} (default: cnn3,cnn1; with --single all four)`)
    .option('--threads <list>', 'thread counts for the native backend and Keras', '1,2')
    .option('--engines <list>', 'tfjs engines to compare with Keras: node, node-tfjs (node with tfjs\' autograd step), node-onednn, wasm', 'node')
    .option('--engine <name>', 'with --single: the training engine, native (default where it applies) or tfjs', 'native')
    .option('--no-keras', 'skip the Keras runs')
    .option('--seconds <s>', `least wall seconds per configuration (both models, training and inference; with --single, split the same way)`, String(DEFAULT_COMPARE_SECONDS))
    .option('--repeats <n>', 'interleaved rounds of the comparison', String(DEFAULT_COMPARE_REPEATS))
    .option('--samples <n>', 'least training samples timed per model (after warm-up)', String(DEFAULT_BENCH_OPTIONS.trainSamples))
    .option('--no-stock', 'with --single: skip the CNN 3 run with stock kernels')
    .option('--out <file>', 'also write the JSON result to this file')
    .option('--profile <model>', 'instead of benchmarking, print kernel times of one training step of <model>')
    .action(
      async (o: { json?: boolean; single?: boolean; models?: string; threads: string; engines: string; engine: string; keras: boolean; seconds: string; repeats: string; samples: string; stock: boolean; out?: string; profile?: string }) => {
        const samples = Number(o.samples);
        if (!Number.isInteger(samples) || samples < 64) {
          throw new Error(`--samples ${o.samples}: give a whole number of at least 64 (default ${DEFAULT_BENCH_OPTIONS.trainSamples})`);
        }
        const seconds = Number(o.seconds);
        if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`--seconds ${o.seconds}: give a number of seconds, at least 0 (default ${DEFAULT_COMPARE_SECONDS})`);
        const repeats = Number(o.repeats);
        if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats ${o.repeats}: give a whole number of at least 1 (default ${DEFAULT_COMPARE_REPEATS})`);
        const log = o.json ? undefined : (line: string) => process.stderr.write(`  ${line}\n`);
        if (!o.single && o.profile === undefined) {
          const models = (o.models ?? DEFAULT_COMPARE_MODELS.join(',')).split(',').map((m) => assertModelName(m.trim()));
          const threads = o.threads.split(',').map((t) => {
            const n = Number(t);
            if (!Number.isInteger(n) || n < 1) throw new Error(`--threads ${o.threads}: give thread counts of at least 1, e.g. 1,2`);
            return n;
          });
          // This process only builds the models to describe them to Keras: the cpu backend, quietly.
          await initBackend({ backend: 'cpu', quiet: true });
          const engines = o.engines.split(',').map((e) => {
            const engine = e.trim();
            if (engine !== 'node' && engine !== 'node-tfjs' && engine !== 'node-onednn' && engine !== 'wasm') throw new Error(`--engines ${o.engines}: use node, node-tfjs, node-onednn or wasm`);
            return engine as CompareOptions['engines'][number];
          });
          const result = runComparison({ models, trainSamples: samples, seconds, repeats, threads, engines, keras: o.keras, log });
          if (o.out) await writeJsonAtomic(o.out, result);
          console.log(o.json ? JSON.stringify(result) : formatComparison(result));
          return;
        }
        if (o.engine !== 'native' && o.engine !== 'tfjs') throw new Error(`--engine ${o.engine}: use native or tfjs`);
        setEnginePreference(o.engine);
        await initBackend({ quiet: Boolean(o.json) });
        if (o.profile !== undefined) {
          const rows = await profileTrainingStep(assertModelName(o.profile));
          if (o.json) console.log(JSON.stringify(rows));
          else {
            for (const r of rows) console.log(`${r.kernel.padEnd(28)} ${r.ms.toFixed(2).padStart(9)} ms  ${String(r.calls).padStart(4)} calls`);
            console.log(`${'total (sum of medians)'.padEnd(28)} ${rows.reduce((t, r) => t + r.ms, 0).toFixed(2).padStart(9)} ms`);
          }
          return;
        }
        const models = (o.models ?? MODEL_NAMES.join(',')).split(',').map((m) => assertModelName(m.trim()));
        const result = await runBenchmark({
          models,
          trainSamples: samples,
          ...(o.seconds !== undefined && seconds > 0 ? phaseSeconds(seconds, models.length) : {}),
          compareStock: o.stock && models.includes('cnn3'),
          log,
        });
        if (o.out) await writeJsonAtomic(o.out, result);
        console.log(o.json ? JSON.stringify(result) : formatBench(result));
      },
    );
}

export function formatBench(r: BenchResult): string {
  const lines = [`backend: ${r.backend} (${r.backendDetail}), tfjs ${r.tfjsVersion}, train batch ${r.batchSize}, inference batch ${r.inferBatchSize}`];
  lines.push('model   train samples/s   inference samples/s   (per CPU-second: train, inference)');
  for (const [name, m] of Object.entries(r.models)) {
    lines.push(
      `${name.padEnd(6)} ${String(m!.trainSamplesPerSec).padStart(16)} ${String(m!.inferSamplesPerSec).padStart(21)}` +
        `   (${m!.trainSamplesPerCpuSec}, ${m!.inferSamplesPerCpuSec})`,
    );
  }
  if (r.stockCnn3TrainSamplesPerSec !== null) {
    lines.push(
      `cnn3 with stock ${r.backend} kernels: train ${r.stockCnn3TrainSamplesPerSec} samples/s, inference ${r.stockCnn3InferSamplesPerSec} samples/s; ` +
        `speed-up ${r.speedup}× (${r.speedupCpu}× in CPU time)`,
    );
  }
  lines.push(`load average: ${r.loadAverage.before} before, ${r.loadAverage.after} after (${r.cpus} cores)`);
  lines.push(`peak memory (rss): ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  return lines.join('\n');
}
