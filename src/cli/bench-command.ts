import { Command } from 'commander';
import { assertModelName, MODEL_NAMES } from '../models/architectures';
import { initBackend } from '../tf/backend';
import { BenchResult, DEFAULT_BENCH_OPTIONS, profileTrainingStep, runBenchmark } from '../tf/bench';
import { writeJsonAtomic } from '../util/atomic';

/**
 * `fmnist bench`: training and inference throughput of the four models on the active backend
 * (FMNIST_BACKEND picks one), plus CNN 3 with the stock wasm kernels for the speed-up ratio.
 *   fmnist bench                 readable table
 *   fmnist bench --json          one JSON object (issue 6 §1)
 *   fmnist bench --out f.json   also write the JSON object to f.json (atomically)
 *   fmnist bench --profile cnn3  kernel time of one training step, by kernel
 * Not part of the test suite: it takes about a minute on wasm (far longer on the pure-JS cpu
 * backend; use --samples and --models there).
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure training/inference throughput of the four models on the active TensorFlow.js backend')
    .option('--json', 'print one JSON object instead of a table')
    .option('--models <list>', `comma-separated subset of ${MODEL_NAMES.join(',')}`, MODEL_NAMES.join(','))
    .option('--samples <n>', 'training samples timed per model (after warm-up)', String(DEFAULT_BENCH_OPTIONS.trainSamples))
    .option('--no-stock', 'skip the CNN 3 run with stock wasm kernels')
    .option('--out <file>', 'also write the JSON result to this file')
    .option('--profile <model>', 'instead of benchmarking, print kernel times of one training step of <model>')
    .action(async (o: { json?: boolean; models: string; samples: string; stock: boolean; out?: string; profile?: string }) => {
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
      const samples = Number(o.samples);
      if (!Number.isInteger(samples) || samples < 64) {
        throw new Error(`--samples ${o.samples}: give a whole number of at least 64 (default ${DEFAULT_BENCH_OPTIONS.trainSamples})`);
      }
      const models = o.models.split(',').map((m) => assertModelName(m.trim()));
      const result = await runBenchmark({
        models,
        trainSamples: samples,
        compareStock: o.stock && models.includes('cnn3'),
        log: o.json ? undefined : (line) => process.stderr.write(`  ${line}\n`),
      });
      if (o.out) await writeJsonAtomic(o.out, result);
      console.log(o.json ? JSON.stringify(result) : formatBench(result));
    });
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
      `cnn3 with stock wasm kernels: train ${r.stockCnn3TrainSamplesPerSec} samples/s, inference ${r.stockCnn3InferSamplesPerSec} samples/s; ` +
        `speed-up ${r.speedup}× (${r.speedupCpu}× in CPU time)`,
    );
  }
  lines.push(`load average: ${r.loadAverage.before} before, ${r.loadAverage.after} after (${r.cpus} cores)`);
  lines.push(`peak memory (rss): ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  return lines.join('\n');
}
