import * as path from 'node:path';
import { SPLIT_PROTOCOLS } from '../data/splits';
import { committedRuntime } from '../results/runtime';
import { MODEL_NAMES } from '../models/architectures';
import { formatDuration } from '../pipeline/timings';
import { readTimings, timingsPath } from '../study/timings';
import { studySeeds } from '../study/seeds';
import { summaryPath, type StudySummary } from '../study/summary';
import { readStudySummary, studySentences } from './study-claims';

/** The seed study's full selection: what the article reports. */
export function reportStudyFile(resultsRoot: string): string {
  return summaryPath({ profile: 'paper', protocols: [...SPLIT_PROTOCOLS], models: [...MODEL_NAMES], seeds: studySeeds() }, committedRuntime(), resultsRoot);
}

const pct = (x: number) => (100 * x).toFixed(2);
const pts = (x: number | null) => (x === null ? 'n/a' : (100 * x).toFixed(2));

/**
 * `study.*` in _variables.yml: per model and protocol the mean, sd, interval, min and max of test
 * accuracy over the seeds (percent), the generated ranking sentences (src/report/study-claims.ts),
 * and the study's wall time.
 */
export function studyVariables(resultsRoot: string): Record<string, unknown> {
  const file = reportStudyFile(resultsRoot);
  const s = readStudySummary(file);
  return studyVariablesFrom(s, file);
}

export function studyVariablesFrom(s: StudySummary, file: string): Record<string, unknown> {
  const vars: Record<string, unknown> = {
    n_seeds: String(s.seeds.length),
    seed_list: s.seeds.join(', '),
    committed_seed: String(s.committedSeed),
    wilcoxon_min_p: String(Math.min(...s.comparisons.map((c) => c.wilcoxon.minimumP))),
    runs: String(s.compute.runs),
    compute_hours: (s.compute.seconds / 3600).toFixed(1),
    wall_time: wallTime(file),
  };
  for (const m of MODEL_NAMES) {
    vars[m] = Object.fromEntries(
      s.protocols.map((p) => {
        const r = s.runs[`${p}/${m}`];
        const a = r.testAccuracy;
        return [p, { mean: pct(a.mean), sd: pts(a.sd), ci_low: a.ci95 ? pct(a.ci95[0]) : 'n/a', ci_high: a.ci95 ? pct(a.ci95[1]) : 'n/a', min: pct(a.min), max: pct(a.max), macro_f1_mean: r.macroF1.mean.toFixed(3) }];
      }),
    );
  }
  const nested: Record<string, unknown> = {};
  for (const [key, sentence] of Object.entries(studySentences(s))) setPath(nested, key, sentence.text);
  return { ...vars, ...nested };
}

function wallTime(summaryFile: string): string {
  const t = readTimings(timingsPath(summaryFile));
  const c = t?.complete;
  if (c) return `${formatDuration(c.wallSeconds)} with ${c.concurrency} training processes at a time on a machine with ${c.machine.cpus} CPU cores`;
  if (t?.last) return `not measured in one piece (the last of several sessions took ${formatDuration(t.last.wallSeconds)} for ${t.last.trained} runs)`;
  return `not recorded (${path.basename(timingsPath(summaryFile))} is missing)`;
}

function setPath(obj: Record<string, unknown>, dotted: string, value: string): void {
  const keys = dotted.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
}
