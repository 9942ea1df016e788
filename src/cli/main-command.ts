import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { abortOnInterrupt } from './interrupt';
import { executeNotebooks, progressPrinter, type NotebookRun } from '../pipeline/execute';
import { PROTOCOL_NAMES, planNotebookJobs, resolveNotebookName, type Protocol } from '../pipeline/plan';
import { formatMemoryPeaks, TreeMemorySampler } from '../pipeline/memory';
import { modelsTrainedSince, savedRunsFingerprint } from '../pipeline/trained-models';
import { MainEnvironmentError, mainEnvironmentConflicts } from '../pipeline/main-environment';
import { checkEnvironment } from '../util/environment';
import { NativeBackendFailedError, probeBackend } from '../pipeline/backend-probe';
import { clearDatasetCache, locateFashionMnist } from '../data/load';
import { dataIdentity, FULL_DATA } from '../results/identity';
import { findQuarto, QUARTO_MISSING_EXIT_CODE, quartoMissingMessage, renderManuscript } from '../pipeline/quarto';
import { currentMachine, formatDuration, formatStageTable, pipelineTimingsPath, recordPipelineTimings, StageTimer, type PipelineTimings } from '../pipeline/timings';
import { gitInfo } from '../results/provenance';
import type { RuntimeIdentity } from '../results/runtime';
import { PROFILE_NAMES, type ProfileName } from '../training/profiles';
import { displayPath, projectRoot, resultsDir } from '../util/paths';

interface MainOptions {
  profile: ProfileName; // commander checks the choices
  protocol: 'paper' | 'official' | 'both';
  only?: string[];
  render: boolean;
  skipNotebooks?: boolean;
  study: boolean;
  concurrency: string;
  timeout?: string;
}

/**
 * `fmnist main`: the main job. Brings the seed study up to date (`fmnist study`: only runs that are
 * not saved and current are trained, so with a current study this takes seconds), executes every
 * notebook on the full data (paper profile, both split protocols, two at a time; the committed
 * seed's models are the study's, so they load from the cache), generates _variables.yml from the
 * results, then renders the Quarto manuscript. Without Quarto 1.4+ it says so and exits with
 * status 3 after everything else ran.
 */
export function registerMainCommand(program: Command): void {
  program
    .command('main')
    .description('run the main job: execute all notebooks (full data), generate the report numbers, render the report with Quarto')
    .addOption(new Option('--profile <name>', 'training profile for the notebooks').choices([...PROFILE_NAMES]).default('paper'))
    .addOption(new Option('--protocol <name>', 'split protocol(s) for the model notebooks').choices([...PROTOCOL_NAMES, 'both']).default('both'))
    .option('--only <notebook...>', 'execute only these notebooks (e.g. 04-cnn1 or 04); cached results stand in for the rest')
    .option('--no-render', 'stop after executing the notebooks and generating _variables.yml')
    .option('--skip-notebooks', 'do not execute notebooks: regenerate _variables.yml and render from the stored outputs')
    .option('--no-study', "do not run the seed studies' and the ablation's missing runs first: the report uses the summaries as they are saved")
    .option('--concurrency <n>', 'notebooks executed at once (one kernel each)', String(Math.min(2, os.availableParallelism())))
    .option('--timeout <seconds>', 'per-cell timeout (default: none)')
    .action(async (opts: MainOptions) => runMain(opts));
}

async function runMain(opts: MainOptions): Promise<void> {
  // Before anything else: a bad FMNIST_* value would otherwise fail inside a kernel, minutes in.
  checkEnvironment();
  const concurrency = positiveInt(opts.concurrency, '--concurrency');
  const timeoutSeconds = opts.timeout === undefined ? undefined : positiveInt(opts.timeout, '--timeout');
  const protocols: Protocol[] = opts.protocol === 'both' ? [...PROTOCOL_NAMES] : [opts.protocol];
  const only = opts.only?.map(resolveNotebookName);
  // Only a complete run may stand for "the main job" in the report's timings.
  const fullRun = !opts.skipNotebooks && !only && protocols.length === PROTOCOL_NAMES.length;

  const conflicts = mainEnvironmentConflicts({ profile: opts.profile, protocols });
  if (conflicts.length) throw new MainEnvironmentError(conflicts);
  if (opts.profile === 'paper' && !opts.skipNotebooks) await requirePublishedData();
  // A native backend that stopped loading would otherwise send the whole job to wasm: hours of
  // retraining and committed notebooks rewritten with another backend's results. Asked for, it runs.
  if (opts.profile === 'paper' && !opts.skipNotebooks && !process.env.FMNIST_BACKEND?.trim()) {
    const probe = probeBackend();
    if (probe.nativeFailure !== undefined) throw new NativeBackendFailedError(probe);
  }

  const timer = new StageTimer();
  const memory = new TreeMemorySampler().start();
  const interrupt = abortOnInterrupt('stopping the notebook executions (finished notebooks are kept; unfinished ones are left as they were)');

  const notebookSeconds: Record<string, number> = {};
  // The backend, tfjs and data the notebooks ran on (they pick the results folders); known after the notebooks.
  let runtime: RuntimeIdentity | undefined;
  const resolveRuntime = async () => {
    // The project's backend choice, quietly: tfjs' own default would print its install advice.
    await (await import('../tf/backend')).initBackend({ quiet: true });
    runtime ??= await (await import('../results/runtime')).currentRuntime();
    return runtime;
  };
  let notebooksDone = false; // a failed or interrupted run is never recorded as the main job's timings
  const timings = (): PipelineTimings => ({
    profile: opts.profile,
    protocols,
    concurrency,
    startedAt: timer.started.toISOString(),
    finishedAt: new Date().toISOString(),
    totalSeconds: timer.totalSeconds(),
    stages: [...timer.stages],
    notebooks: notebookSeconds,
    peakMemory: memory.peak(),
    models: runtime ? modelsTrainedSince(timer.started, opts.profile, protocols, runtime) : undefined,
    runs: runtime ? savedRunsFingerprint(opts.profile, protocols, runtime) : undefined,
    machine: currentMachine(),
    git: gitInfo(),
  });
  const finish = async () => {
    const peaks = memory.stop();
    console.error('\n' + formatStageTable(timer.stages, timer.totalSeconds()));
    const line = formatMemoryPeaks(peaks);
    if (line) console.error(line);
    if (fullRun && notebooksDone) {
      const file = pipelineTimingsPath(opts.profile);
      if ((await recordPipelineTimings(file, timings())) === 'written') console.error(`(recorded in ${rel(file)})`);
      else console.error(`(not recorded: ${rel(file)} keeps the first run on these trained models; this rerun loaded them all from the cache)`);
    }
  };

  try {
    // The comparison notebook and the article read the study; a run limited to other notebooks or one protocol skips it.
    const wantsStudy = opts.study && !opts.skipNotebooks && protocols.length === PROTOCOL_NAMES.length && (!only || only.includes('07-comparison'));
    if (wantsStudy) {
      const { runStudy } = await import('../study/runner');
      const { studySeeds } = await import('../study/seeds');
      const { MODEL_NAMES } = await import('../models/architectures');
      // The committed report (improved condition) also judges the paper's claims, which read the
      // faithful condition's study and the ablation: the 'claims' plan brings all three up to date.
      const { studyPlan } = await import('../study/plans');
      await timer.time('seed study', () =>
        opts.profile === 'paper'
          ? runStudy({ plan: studyPlan('claims'), concurrency, signal: interrupt.signal, log: (l) => console.error(l) })
          : runStudy({ profile: opts.profile, protocols: [...protocols], models: [...MODEL_NAMES], seeds: studySeeds(), concurrency, signal: interrupt.signal, log: (l) => console.error(l) }),
      );
    }
    if (!opts.skipNotebooks) {
      // Each kernel gets its share of the cores for the native backend's thread pools (unless set).
      const nodeThreads = process.env.FMNIST_NODE_THREADS || String(Math.max(1, Math.floor(os.availableParallelism() / concurrency)));
      const env = { FMNIST_NODE_THREADS: nodeThreads };
      const jobs = planNotebookJobs({ profile: opts.profile, protocols, only, env }).map((j) => ({ ...j, timeoutSeconds, onProgress: progressPrinter(j.id) }));
      console.error(
        `[main] executing ${jobs.length} notebook run(s), ${concurrency} at a time (native backend: ${nodeThreads} thread(s) each), ` +
          `profile ${opts.profile}, protocol(s) ${protocols.join(' + ')}`,
      );
      await timer.time('notebooks', () =>
        executeNotebooks(jobs, {
          concurrency,
          signal: interrupt.signal,
          onStart: (job) => console.error(`[main] start ${job.id}`),
          onFinish: (job, run: NotebookRun) => {
            notebookSeconds[job.id!] = run.seconds;
            console.error(`[main] done  ${job.id} in ${formatDuration(run.seconds)} -> ${rel(run.output)}`);
          },
        }),
      );
      notebooksDone = true;
      await resolveRuntime();
      // Written now (not only at the end) so the report's numbers can cite this run's times.
      if (fullRun) await recordPipelineTimings(pipelineTimingsPath(opts.profile), timings());
    }

    if (opts.profile !== 'paper') {
      console.error(`[main] the report is built from the paper profile; profile ${opts.profile} stops here`);
      return;
    }
    await timer.time('report variables', async () => {
      // Loaded here: it builds the models (TensorFlow.js) to count their parameters.
      const { writeReportVariables, variablesPath } = await import('../report/variables');
      const { checkArticleClaims, describeFailedClaims } = await import('../report/claims');
      await writeReportVariables(undefined, undefined, await resolveRuntime());
      console.error(`[main] wrote ${rel(variablesPath())}`);
      const { updateReadmeResults, readmePath } = await import('../report/readme');
      if (await updateReadmeResults()) console.error(`[main] updated the results table in ${rel(readmePath())}`);
      // The article's words around the numbers must still be true of this run's results.
      for (const problem of describeFailedClaims(checkArticleClaims(undefined, undefined, await resolveRuntime()))) console.error(`[main] WARNING: ${problem}`);
      // The ranking sentences are generated from the seed study; this re-judges what they assert against it.
      const { checkStudyFindings, readStudySummary } = await import('../report/study-claims');
      const { reportStudyFile } = await import('../report/study-variables');
      for (const problem of checkStudyFindings(readStudySummary(reportStudyFile(resultsDir(), await resolveRuntime())))) console.error(`[main] WARNING: ${problem}`);
    });

    if (!opts.render) return;
    const quarto = findQuarto();
    if (!quarto.found) {
      const err = new Error(quartoMissingMessage(quarto.reason)) as Error & { exitCode: number };
      err.exitCode = QUARTO_MISSING_EXIT_CODE;
      throw err;
    }
    console.error(`[main] rendering the manuscript with quarto ${quarto.version} (${rel(quarto.path)}, from ${quarto.source})`);
    await timer.time('quarto render', () => renderManuscript(quarto.path));
    console.error(`[main] report: ${rel(path.join(projectRoot(), '_manuscript', 'index.html'))} (PDF beside it)`);
  } finally {
    interrupt.release();
    await finish();
  }
}

function positiveInt(raw: string, name: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

const rel = displayPath;

/**
 * The paper profile rewrites the committed notebooks, figures and report numbers: only the
 * published Fashion-MNIST (all four files matching their published checksums) may make them.
 */
async function requirePublishedData(): Promise<void> {
  const { dataset, origin } = await locateFashionMnist();
  const id = dataIdentity(dataset.files);
  clearDatasetCache(); // the kernels load their own copy; do not hold 55 MB here for the whole job
  if (id === FULL_DATA) return;
  const how = dataset.files.map((f) => `${f.name}: ${f.verified ? 'published checksum' : f.checksumSource === 'manifest' ? "certified only by the folder's checksums.json" : 'not the published checksum'}`);
  const err = new Error(
    `the main job makes the committed report from the published Fashion-MNIST, but the data in ${dataset.source} (found via ${origin}) is not it (data ${id}; ${how.join(', ')}). ` +
      'Fix: unset FASHION_MNIST_DIR (or point it at the four published files), or run this data under another profile, e.g. `fmnist main --profile smoke` (its results go to their own folders).',
  ) as Error & { exitCode: number };
  err.exitCode = 2;
  throw err;
}
