import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunMachine } from '../pipeline/timings';
import type { RuntimeIdentity } from '../results/runtime';
import { summaryPath, type StudySelection } from './summary';

/** results/study/timings.json: the wall time of the last `fmnist study` that trained something. */
export interface StudyTimings {
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  concurrency: number;
  /** Runs this invocation trained, and runs it found saved and current. */
  trained: number;
  cached: number;
  /** Every run of the study was trained by this invocation: its wall time is the whole study's. */
  complete: boolean;
  machine: RunMachine;
}

/** timings.json: the last invocation that trained, and the last one that trained the whole study (the study's wall time). */
export interface StudyTimingsFile {
  last: StudyTimings;
  complete?: StudyTimings;
}

export function readTimings(file: string): StudyTimingsFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StudyTimingsFile;
  } catch {
    return undefined;
  }
}

/** timings.json beside summary.json (timings-<selection>.json beside a narrower summary). */
export function timingsPath(summaryFile: string): string {
  return path.join(path.dirname(summaryFile), path.basename(summaryFile).replace(/^summary/, 'timings'));
}

export function studyTimingsPath(sel: StudySelection, runtime: RuntimeIdentity, root?: string): string {
  return timingsPath(summaryPath(sel, runtime, root));
}
