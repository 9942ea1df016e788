import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { loadFashionMnist } from '../data/load';
import type { FashionMnist, SplitProtocol } from '../data/types';
import type { ModelName } from '../models/architectures';
import { DEFAULT_SEED } from '../results/layout';
import { currentRuntime, type RuntimeIdentity } from '../results/runtime';
import { findVerifiedRun, resolveSettings } from '../results/saved-runs';
import { currentMachine, formatDuration } from '../pipeline/timings';
import { readTimings, timingsPath, type StudyTimings, type StudyTimingsFile } from './timings';
import { initBackend, type BackendName } from '../tf/backend';
import { runStatus } from '../training/run';
import { projectRoot } from '../util/paths';
import { writeJsonAtomic } from '../util/atomic';
import { buildStudySummary, writeStudySummary, type StudySelection, type StudySummary } from './summary';

/** One (protocol, model, seed) training run of the study. */
export interface StudyRun {
  protocol: SplitProtocol;
  model: ModelName;
  seed: number;
}

export function studyRunLabel(r: StudyRun): string {
  return `${r.protocol}/${r.model} seed ${r.seed}`;
}

/** Every run of the selection, protocol by protocol, model by model, seed by seed. */
export function planStudy(sel: StudySelection): StudyRun[] {
  const runs: StudyRun[] = [];
  for (const protocol of sel.protocols) for (const model of sel.models) for (const seed of sel.seeds) runs.push({ protocol, model, seed });
  return runs;
}

/** Slowest first, so the short runs fill the gaps at the end (CNN 3 trains longest, the ANN shortest). */
const START_ORDER: readonly ModelName[] = ['cnn3', 'cnn1', 'cnn2', 'ann'];



export interface StudyOptions extends StudySelection {
  /** Training processes at once (default: 2, or fewer cores). */
  concurrency?: number;
  /** Passed to every training process (default: FMNIST_BACKEND or the fastest available). */
  backend?: BackendName;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Where each training process's own output lines go (default: stderr; tests pass a no-op). */
  childOutput?: (line: string) => void;
  signal?: AbortSignal;
  /** The dataset used to compute cache keys (tests pass the fixture; the children load theirs from FASHION_MNIST_DIR). */
  dataset?: FashionMnist;
  /** Only check which runs are current; train nothing, write nothing. */
  dryRun?: boolean;
}

export interface StudyResult {
  summary?: StudySummary;
  summaryFile?: string;
  total: number;
  trained: StudyRun[];
  cached: StudyRun[];
  /** Runs still missing (a dry run's to-do list). */
  missing: StudyRun[];
  wallSeconds: number;
}

/** Which runs of the selection are saved and current (cache key, checksums, predictions), without training. */
export async function studyStatus(sel: StudySelection, dataset?: FashionMnist): Promise<{ current: StudyRun[]; missing: StudyRun[] }> {
  const ds = dataset ?? (await loadFashionMnist());
  const current: StudyRun[] = [];
  const missing: StudyRun[] = [];
  for (const run of planStudy(sel)) {
    const status = await runStatus({ ...run, profile: sel.profile, dataset: ds });
    (status.saved ? current : missing).push(run);
  }
  return { current, missing };
}

/**
 * `fmnist study`: trains every missing (protocol, model, seed) run as an ordinary `fmnist train`
 * process, `concurrency` at a time, each into its own results folder (so an interrupted study
 * resumes, and a finished one reruns in seconds), then writes the statistics to
 * results/study/summary.json. One progress line per finished run: done / total, elapsed, estimate.
 */
export async function runStudy(opts: StudyOptions): Promise<StudyResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const childOutput = opts.childOutput ?? ((l: string) => process.stderr.write(l + '\n'));
  const concurrency = Math.max(1, opts.concurrency ?? Math.min(2, os.availableParallelism()));
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  await initBackend({ backend: opts.backend, quiet: true });
  const all = planStudy(opts);
  log(`[study] ${all.length} runs: ${opts.protocols.join(' + ')} × ${opts.models.join(', ')} × seeds ${opts.seeds.join(', ')} (profile ${opts.profile}); checking which are saved and current`);
  const { current, missing } = await studyStatus(opts, opts.dataset);
  if (opts.dryRun) return { total: all.length, trained: [], cached: current, missing, wallSeconds: (Date.now() - started) / 1000 };
  const trained: StudyRun[] = [];
  if (missing.length > 0) {
    log(`[study] ${current.length} of ${all.length} saved and current; training ${missing.length}, ${concurrency} at a time`);
    const order = [...missing].sort((x, y) => START_ORDER.indexOf(x.model) - START_ORDER.indexOf(y.model));
    await trainRuns(order, { ...opts, concurrency, log, childOutput, started, done: current.length, total: all.length, onDone: (r) => trained.push(r) });
  } else {
    log(`[study] all ${all.length} runs are saved and current`);
  }
  const runtime = await currentRuntime(opts.dataset);
  const summary = buildStudySummary(opts, runtime);
  const summaryFile = await writeStudySummary(summary, runtime);
  const wallSeconds = (Date.now() - started) / 1000;
  if (trained.length > 0) {
    const last: StudyTimings = {
      startedAt,
      finishedAt: new Date().toISOString(),
      wallSeconds,
      concurrency,
      trained: trained.length,
      cached: current.length,
      complete: current.length === 0,
      machine: currentMachine(),
    };
    const file = timingsPath(summaryFile);
    const before = readTimings(file);
    const timings: StudyTimingsFile = { last, complete: last.complete ? last : before?.complete };
    await writeJsonAtomic(file, timings);
  }
  log(`[study] wrote ${displayPath(summaryFile)} (${formatDuration(wallSeconds)}; ${trained.length} trained, ${current.length} loaded)`);
  return { summary, summaryFile, total: all.length, trained, cached: current, missing: [], wallSeconds };
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}



interface PoolOptions extends StudyOptions {
  concurrency: number;
  log: (line: string) => void;
  childOutput: (line: string) => void;
  started: number;
  done: number;
  total: number;
  onDone: (run: StudyRun) => void;
}

/** Seconds a run is expected to take: this study's own runs of the model, else the committed run's time. */
function estimator(opts: StudySelection, runtime: RuntimeIdentity) {
  const measured = new Map<ModelName, number[]>();
  const prior = new Map<string, number>();
  return {
    record(run: StudyRun, seconds: number) {
      measured.set(run.model, [...(measured.get(run.model) ?? []), seconds]);
    },
    async estimate(run: StudyRun): Promise<number | undefined> {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const own = measured.get(run.model);
      if (own?.length) return mean(own);
      const key = `${run.protocol}/${run.model}`;
      if (!prior.has(key)) {
        try {
          const v = { ...resolveSettings({ model: run.model, protocol: run.protocol, profile: opts.profile, seed: DEFAULT_SEED }), runtime };
          const saved = findVerifiedRun(v, { warn: () => {}, weightsOptional: true });
          if (saved) prior.set(key, saved.run.timings.trainSeconds + saved.run.timings.evalSeconds);
        } catch {
          /* a damaged run gives no estimate */
        }
      }
      if (prior.has(key)) return prior.get(key);
      // Nothing about this model yet: any model's runs so far are better than no estimate.
      const any = [...measured.values()].flat();
      return any.length ? mean(any) : undefined;
    },
  };
}

async function trainRuns(queue: StudyRun[], o: PoolOptions): Promise<void> {
  const est = estimator(o, await currentRuntime(o.dataset));
  let done = o.done;
  const running = new Map<StudyRun, number>(); // run → start time
  const failures: string[] = [];
  const pending = [...queue];

  const remainingEstimate = async (): Promise<string> => {
    let sum = 0;
    for (const r of pending) {
      const e = await est.estimate(r);
      if (e === undefined) return 'unknown';
      sum += e;
    }
    for (const [r, t0] of running) {
      const e = await est.estimate(r);
      if (e === undefined) return 'unknown';
      sum += Math.max(0, e - (Date.now() - t0) / 1000);
    }
    return `about ${formatDuration(sum / o.concurrency)}`;
  };

  const runOne = async (run: StudyRun): Promise<void> => {
    const t0 = Date.now();
    running.set(run, t0);
    o.log(`[study] start ${studyRunLabel(run)}`);
    try {
      const report = await trainProcess(run, o);
      const seconds = (Date.now() - t0) / 1000;
      if (!report.cached) est.record(run, seconds);
      running.delete(run);
      done++;
      o.onDone(run);
      const elapsed = (Date.now() - o.started) / 1000;
      o.log(
        `[study] ${done}/${o.total} done  ${studyRunLabel(run)}: test accuracy ${report.testAccuracy.toFixed(4)} ` +
          `(${report.cached ? 'loaded' : `trained in ${formatDuration(seconds)}`})  elapsed ${formatDuration(elapsed)}, remaining ${done === o.total ? '0' : await remainingEstimate()}`,
      );
    } catch (err) {
      running.delete(run);
      failures.push(`${studyRunLabel(run)}: ${(err as Error).message}`);
    }
  };

  const workers = Array.from({ length: Math.min(o.concurrency, pending.length) }, async () => {
    while (pending.length > 0 && failures.length === 0 && !o.signal?.aborted) await runOne(pending.shift()!);
  });
  await Promise.all(workers);
  if (failures.length > 0) {
    throw new Error(`the seed study stopped: ${failures.join('; ')}. Finished runs are saved; rerun \`fmnist study\` to resume`);
  }
  if (o.signal?.aborted) throw new Error('the seed study was interrupted; finished runs are saved, rerun `fmnist study` to resume');
}

/** `fmnist train <model> --protocol … --seed … --json` in its own process (its own core). */
function trainProcess(run: StudyRun, o: PoolOptions): Promise<{ testAccuracy: number; cached: boolean }> {
  const args = [
    path.join(projectRoot(), 'bin', 'fmnist.js'),
    'train',
    run.model,
    '--protocol',
    run.protocol,
    '--profile',
    o.profile,
    '--seed',
    String(run.seed),
    '--json',
    ...(o.backend ? ['--backend', o.backend] : []),
  ];
  return new Promise((resolve, reject) => {
    // The native backend's op threads share the cores between the processes (as in the main job).
    const nodeThreads = process.env.FMNIST_NODE_THREADS || String(Math.max(1, Math.floor(os.availableParallelism() / o.concurrency)));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FMNIST_NODE_THREADS: nodeThreads } });
    const onAbort = () => child.kill('SIGINT'); // the trainer checkpoints each epoch; a rerun resumes
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let stdout = '';
    const tail: string[] = [];
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      o.childOutput(line);
    });
    child.on('error', (err) => reject(err));
    child.on('close', (code, signal) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (code !== 0) {
        reject(new Error(`\`fmnist ${args.slice(1).join(' ')}\` exited with ${signal ?? `status ${code}`}${tail.length ? `:\n${tail.slice(-8).join('\n')}` : ''}`));
        return;
      }
      try {
        // The report is the JSON line; other lines (a backend notice) may precede it.
        const report = JSON.parse(stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
        resolve({ testAccuracy: report.test.accuracy, cached: report.cached });
      } catch {
        reject(new Error(`\`fmnist ${args.slice(1).join(' ')}\` printed no report: ${JSON.stringify(stdout.slice(-200))}`));
      }
    });
  });
}
