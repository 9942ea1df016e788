import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { resultsDir } from '../util/paths';
import { writeJsonAtomic } from '../util/atomic';
import { environment } from '../results/provenance';
import type { MemoryPeaks } from './memory';
import type { TrainedInRun } from './trained-models';

export interface StageTiming {
  stage: string;
  seconds: number;
}

/** What results/pipeline-timings.json records about one full main-job run (the report cites it). */
export interface PipelineTimings {
  profile: string;
  protocols: string[];
  concurrency: number;
  startedAt: string;
  finishedAt: string;
  totalSeconds: number;
  stages: StageTiming[];
  /** Wall time of each notebook execution, keyed `<protocol>/<notebook>`. */
  notebooks: Record<string, number>;
  /** Peak memory of the job and its kernels and browsers, sampled every second (see pipeline/memory.ts). */
  peakMemory?: MemoryPeaks;
  /** The machine the run used (the article says how many cores it had). */
  machine?: RunMachine;
  /** The checkout the run executed. */
  git?: { commit: string | null; dirty: boolean | null };
  /** Which models this run trained and which it loaded from the cache (see trained-models.ts). */
  models?: TrainedInRun;
  /** The trained models the notebooks used (see savedRunsFingerprint in trained-models.ts). */
  runs?: Record<string, string>;
  /** Older runs: summed RSS only. */
  peakRssBytes?: number;
}

export interface RunMachine {
  cpus: number;
  memoryBytes: number;
  platform: string;
  arch: string;
  node: string;
}

export function currentMachine(): RunMachine {
  const { node, platform, arch } = environment();
  return { cpus: os.cpus().length, memoryBytes: os.totalmem(), platform, arch, node };
}

/** Where a full run's timings go: results/pipeline-timings.json for the paper profile, else results/<profile>/. */
export function pipelineTimingsPath(profile: string): string {
  return profile === 'paper' ? path.join(resultsDir(), 'pipeline-timings.json') : path.join(resultsDir(), profile, 'pipeline-timings.json');
}

/** Measures named stages in wall-clock seconds. */
export class StageTimer {
  readonly stages: StageTiming[] = [];
  readonly started = new Date();

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.stages.push({ stage, seconds: round((performance.now() - t0) / 1000) });
    }
  }

  totalSeconds(): number {
    return round((Date.now() - this.started.getTime()) / 1000);
  }
}

export async function writePipelineTimings(file: string, timings: PipelineTimings): Promise<void> {
  await writeJsonAtomic(file, timings);
}

/**
 * Writes the main job's record unless `file` already holds the record of an earlier job that executed
 * the notebooks on the very same trained models: the article then keeps describing that job (the first
 * one after the models were trained), and a rerun from the cache changes nothing in the repository.
 * Returns whether it wrote.
 */
export async function recordPipelineTimings(file: string, timings: PipelineTimings): Promise<'written' | 'kept'> {
  let previous: PipelineTimings | undefined;
  try {
    previous = JSON.parse(fs.readFileSync(file, 'utf8')) as PipelineTimings;
  } catch {
    previous = undefined; // none yet, or unreadable: write a fresh one
  }
  const sameModels =
    previous !== undefined &&
    previous.startedAt !== timings.startedAt &&
    previous.profile === timings.profile &&
    isDeepStrictEqual(previous.protocols, timings.protocols) &&
    timings.runs !== undefined &&
    Object.keys(timings.runs).length > 0 &&
    isDeepStrictEqual(previous.runs, timings.runs);
  if (sameModels) return 'kept';
  await writePipelineTimings(file, timings);
  return 'written';
}

/** A small table for the end of the run: one line per stage, then the total. */
export function formatStageTable(stages: StageTiming[], totalSeconds: number): string {
  const width = Math.max(5, ...stages.map((s) => s.stage.length));
  const line = (name: string, seconds: number) => `  ${name.padEnd(width)}  ${formatDuration(seconds).padStart(9)}`;
  return ['Stage timings:', ...stages.map((s) => line(s.stage, s.seconds)), line('total', totalSeconds)].join('\n');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds); // round first: 539.6 s is "9 min 00 s", not "8 min 60 s"
  const m = Math.floor(whole / 60);
  return `${m} min ${String(whole - m * 60).padStart(2, '0')} s`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
