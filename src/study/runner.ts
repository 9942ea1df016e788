import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { loadFashionMnist } from '../data/load';
import type { FashionMnist } from '../data/types';
import { DEFAULT_SEED } from '../results/layout';
import { currentRuntime, type RuntimeIdentity } from '../results/runtime';
import { findVerifiedRun, resolveSettings } from '../results/saved-runs';
import { currentMachine, formatDuration } from '../pipeline/timings';
import { readTimings, timingsPath, type StudyTimings, type StudyTimingsFile } from './timings';
import { initBackend, type BackendName } from '../tf/backend';
import { runStatus } from '../training/run';
import { projectRoot } from '../util/paths';
import { writeJsonAtomic } from '../util/atomic';
import { ablationPath, buildAblationSummary, writeAblationSummary, type AblationSummary } from './ablation';
import { ABLATION, ablationRuns, expectedCost, runKey, runVariant, selectionPlan, shardRuns, studyRunLabel, trainArgs, type Shard, type StudyPlan, type StudyRun } from './plans';
import { buildStudySummary, studyDir, summaryPath, writeStudySummary, type StudySelection, type StudySummary } from './summary';

// The run type and its helpers live with the plans; re-exported for the callers of the runner.
export { planStudy, studyRunLabel, type StudyRun } from './plans';

export interface RunnerOptions {
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
  /** Train only this machine's share of the plan, and write no summary (see shardRuns). */
  shard?: Shard;
}

/** A named plan (src/study/plans.ts), or a seed-study selection as today's flags give it. */
export type StudyOptions = RunnerOptions & ({ plan: StudyPlan } | StudySelection);

export interface StudyResult {
  plan: StudyPlan;
  shard?: Shard;
  /** The first (for a selection: the only) seed-study summary written, and its file. */
  summary?: StudySummary;
  summaryFile?: string;
  /** Every seed-study summary written (one per condition of the plan). */
  summaries: Array<{ file: string; summary: StudySummary }>;
  /** results/study/ablation.json, when the plan's (or a complete) ablation was summarised. */
  ablation?: { file: string; summary: AblationSummary };
  /** Runs this invocation is responsible for: the plan's, or the shard's share. */
  total: number;
  /** Runs in the whole plan. */
  planTotal: number;
  trained: StudyRun[];
  cached: StudyRun[];
  /** Runs still missing (a dry run's to-do list). */
  missing: StudyRun[];
  wallSeconds: number;
}

/** Which of `runs` are saved and current (cache key, checksums, predictions), without training. */
export async function studyStatus(runs: readonly StudyRun[], dataset?: FashionMnist): Promise<{ current: StudyRun[]; missing: StudyRun[] }> {
  const ds = dataset ?? (await loadFashionMnist());
  const current: StudyRun[] = [];
  const missing: StudyRun[] = [];
  for (const run of runs) {
    const status = await runStatus({ ...run.overrides, model: run.model, profile: run.profile, protocol: run.protocol, seed: run.seed, dataset: ds });
    (status.saved ? current : missing).push(run);
  }
  return { current, missing };
}

export function planOf(opts: StudyOptions): StudyPlan {
  return 'plan' in opts ? opts.plan : selectionPlan({ profile: opts.profile, protocols: opts.protocols, models: opts.models, seeds: opts.seeds });
}

/**
 * timings.json beside the summary of a single seed study (today's layout); a plan that spans
 * several conditions or the ablation records its wall time in results/study/timings-<plan>.json.
 */
export function planTimingsPath(plan: StudyPlan, runtime: RuntimeIdentity, root?: string): string {
  if (plan.studies.length === 1 && !plan.ablation) return timingsPath(summaryPath(plan.studies[0], runtime, root));
  return path.join(studyDir(ABLATION.profile, runtime, root), `timings-${plan.name}.json`);
}


/**
 * `fmnist study`: trains every missing run of the plan as an ordinary `fmnist train` process (its
 * condition and overrides as flags), `concurrency` at a time, each into its own results folder (so an
 * interrupted study resumes, and a finished one reruns in seconds), then writes the plan's
 * statistics: each condition's seed-study summary and, with the ablation, results/study/ablation.json.
 * With a shard it trains only that share and writes no summary (the share is not the whole plan).
 * One progress line per finished run: done / total, elapsed, estimate.
 */
export async function runStudy(opts: StudyOptions): Promise<StudyResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const childOutput = opts.childOutput ?? ((l: string) => process.stderr.write(l + '\n'));
  const concurrency = Math.max(1, opts.concurrency ?? Math.min(2, os.availableParallelism()));
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  await initBackend({ backend: opts.backend, quiet: true });
  const plan = planOf(opts);
  const shard = opts.shard;
  const all = shard ? shardRuns(plan.runs, shard) : plan.runs;
  const share = shard ? `shard ${shard.index}/${shard.count}: ${all.length} of the plan's ${plan.runs.length} runs` : `${all.length} runs`;
  log(`[study] ${plan.name === 'selection' ? '' : `plan ${plan.name}, `}${share}: ${plan.description}; checking which are saved and current`);
  const { current, missing } = await studyStatus(all, opts.dataset);
  const base = { plan, shard, summaries: [], total: all.length, planTotal: plan.runs.length };
  if (opts.dryRun) return { ...base, trained: [], cached: current, missing, wallSeconds: (Date.now() - started) / 1000 };
  const trained: StudyRun[] = [];
  if (missing.length > 0) {
    log(`[study] ${current.length} of ${all.length} saved and current; training ${missing.length}, ${concurrency} at a time`);
    // Most expensive first, so the short runs fill the gaps at the end (stable: ties keep the plan's order).
    const order = [...missing].sort((x, y) => expectedCost(y) - expectedCost(x));
    await trainRuns(order, { ...opts, concurrency, log, childOutput, started, done: current.length, total: all.length, onDone: (r) => trained.push(r) });
  } else {
    log(`[study] all ${all.length} runs are saved and current`);
  }
  const runtime = await currentRuntime(opts.dataset);
  const wall = () => (Date.now() - started) / 1000;
  if (shard) {
    log(
      `[study] shard ${shard.index}/${shard.count} done (${formatDuration(wall())}; ${trained.length} trained, ${current.length} loaded). ` +
        `No summary written: a shard holds part of the plan. Collect every shard's results/ here with \`fmnist merge <dir...>\`, then run ` +
        `\`fmnist study${plan.name === 'selection' ? ' …' : ` --plan ${plan.name}`}\` to write the summaries`,
    );
    return { ...base, trained, cached: current, missing: [], wallSeconds: wall() };
  }
  const summaries: StudyResult['summaries'] = [];
  for (const sel of plan.studies) {
    const summary = buildStudySummary(sel, runtime);
    summaries.push({ summary, file: await writeStudySummary(summary, runtime) });
  }
  const ablation = await maybeWriteAblation(plan, current, trained, runtime, opts.dataset, log);
  const wallSeconds = wall();
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
    const file = planTimingsPath(plan, runtime);
    const before = readTimings(file);
    const timings: StudyTimingsFile = { last, complete: last.complete ? last : before?.complete };
    await writeJsonAtomic(file, timings);
  }
  const wrote = [...summaries.map((s) => s.file), ...(ablation ? [ablation.file] : [])].map(displayPath).join(', ');
  log(`[study] wrote ${wrote || 'nothing'} (${formatDuration(wallSeconds)}; ${trained.length} trained, ${current.length} loaded)`);
  return { ...base, summary: summaries[0]?.summary, summaryFile: summaries[0]?.file, summaries, ablation, trained, cached: current, missing: [], wallSeconds };
}

/**
 * results/study/ablation.json from the saved runs: always for a plan that holds the ablation (its
 * runs are all current by now); for another plan with improved-condition runs, only when every
 * ablation run happens to be saved and current too (so the report's copy follows the baseline).
 */
async function maybeWriteAblation(
  plan: StudyPlan,
  current: StudyRun[],
  trained: StudyRun[],
  runtime: RuntimeIdentity,
  dataset: FashionMnist | undefined,
  log: (line: string) => void,
): Promise<StudyResult['ablation']> {
  if (!plan.ablation) {
    if (!plan.runs.some((r) => r.profile === ABLATION.profile && r.protocol === ABLATION.protocol && Object.keys(r.overrides).length === 0)) return undefined;
    const known = new Set([...current, ...trained].map(runKey));
    const rest = ablationRuns().filter((r) => !known.has(runKey(r)));
    // Cheap refusal first: a missing folder means the ablation is not complete (no cache keys computed).
    if (rest.some((r) => !findVerifiedRunQuiet(r, runtime))) return undefined;
    if ((await studyStatus(rest, dataset)).missing.length > 0) return undefined;
  }
  const summary = buildAblationSummary(undefined, runtime);
  const file = await writeAblationSummary(summary, runtime);
  log(`[study] ablation: ${summary.arms.map((a) => `${a.id} ${a.movesGap ? 'moves' : 'does not move'} the gap, ${a.movesAccuracy ? 'moves' : 'does not move'} the accuracy`).join('; ')} (${displayPath(ablationPath(runtime))})`);
  return { file, summary };
}

function findVerifiedRunQuiet(run: StudyRun, runtime: RuntimeIdentity): boolean {
  try {
    const v = { ...resolveSettings({ ...run.overrides, model: run.model, profile: run.profile, protocol: run.protocol, seed: run.seed }), runtime };
    return findVerifiedRun(v, { warn: () => {}, weightsOptional: true }) !== undefined;
  } catch {
    return false;
  }
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}



type PoolOptions = RunnerOptions & {
  concurrency: number;
  log: (line: string) => void;
  childOutput: (line: string) => void;
  started: number;
  done: number;
  total: number;
  onDone: (run: StudyRun) => void;
};

/**
 * Seconds a run is expected to take: this study's own runs of the same variant and model; else the
 * saved seed-42 run of that variant; else this study's seconds per unit of expectedCost.
 */
function estimator(runtime: RuntimeIdentity) {
  const measured = new Map<string, number[]>();
  const rates: number[] = [];
  const prior = new Map<string, number | undefined>();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const kind = (run: StudyRun) => `${runVariant(run)}/${run.protocol}/${run.model}`;
  return {
    record(run: StudyRun, seconds: number) {
      measured.set(kind(run), [...(measured.get(kind(run)) ?? []), seconds]);
      rates.push(seconds / expectedCost(run));
    },
    async estimate(run: StudyRun): Promise<number | undefined> {
      const own = measured.get(kind(run));
      if (own?.length) return mean(own);
      if (!prior.has(kind(run))) {
        let seconds: number | undefined;
        try {
          const v = { ...resolveSettings({ ...run.overrides, model: run.model, protocol: run.protocol, profile: run.profile, seed: DEFAULT_SEED }), runtime };
          const saved = findVerifiedRun(v, { warn: () => {}, weightsOptional: true });
          if (saved) seconds = saved.run.timings.trainSeconds + saved.run.timings.evalSeconds;
        } catch {
          /* a damaged run gives no estimate */
        }
        prior.set(kind(run), seconds);
      }
      const p = prior.get(kind(run));
      if (p !== undefined) return p;
      // Nothing about this kind of run yet: the other runs' pace is better than no estimate.
      return rates.length ? mean(rates) * expectedCost(run) : undefined;
    },
  };
}

async function trainRuns(queue: StudyRun[], o: PoolOptions): Promise<void> {
  const est = estimator(await currentRuntime(o.dataset));
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

/** `fmnist train <model> --protocol … --profile … --seed … [overrides] --json` in its own process (its own core). */
function trainProcess(run: StudyRun, o: PoolOptions): Promise<{ testAccuracy: number; cached: boolean }> {
  const args = [path.join(projectRoot(), 'bin', 'fmnist.js'), ...trainArgs(run), '--json', ...(o.backend ? ['--backend', o.backend] : [])];
  return new Promise((resolve, reject) => {
    // The native backend's op threads share the cores between the processes (as in the main job).
    const nodeThreads = process.env.FMNIST_NODE_THREADS || String(Math.max(1, Math.floor(os.availableParallelism() / o.concurrency)));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FMNIST_NODE_THREADS: nodeThreads, FMNIST_SKIP_BUILD: '1' } });
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
