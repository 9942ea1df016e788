import * as path from 'node:path';
import { SPLIT_PROTOCOLS } from '../data/splits';
import { committedRuntime, type RuntimeIdentity } from '../results/runtime';
import { MODEL_NAMES } from '../models/architectures';
import { formatDuration } from '../pipeline/timings';
import { readTimings, timingsPath } from '../study/timings';
import { studySeeds } from '../study/seeds';
import { MCNEMAR_NOTE, intervalNote, wilcoxonMinimumOf, wilcoxonNote } from '../study/format';
import { summaryPath, verifyStudySummary, type StudySummary } from '../study/summary';
import type { ProfileName } from '../training/profiles';
import { readStudySummary, studySentences } from './study-claims';

/** The seed study's full selection for a condition (the improved one, 'paper', by default): what the article reports. */
export function reportStudyFile(resultsRoot: string, runtime: RuntimeIdentity = committedRuntime(), profile: ProfileName = 'paper'): string {
  return summaryPath({ profile, protocols: [...SPLIT_PROTOCOLS], models: [...MODEL_NAMES], seeds: studySeeds() }, runtime, resultsRoot);
}

const pct = (x: number) => (100 * x).toFixed(2);
const pts = (x: number | null) => (x === null ? 'n/a' : (100 * x).toFixed(2));

/**
 * The summary the article may print: read, then rebuilt from the verified runs it names and
 * compared (verifyStudySummary), so an edited or stale summary fails here, naming the file and
 * `fmnist study`, before any of its numbers reaches _variables.yml.
 */
export function readReportStudy(resultsRoot: string, runtime: RuntimeIdentity = committedRuntime(), profile: ProfileName = 'paper'): { summary: StudySummary; file: string } {
  const file = reportStudyFile(resultsRoot, runtime, profile);
  return { summary: verifyStudySummary(readStudySummary(file), file, runtime, resultsRoot), file };
}

/**
 * `study.*` in _variables.yml: per model and protocol the mean, sd, interval, min and max of test
 * accuracy over the seeds (percent), the gap and training time, the generated ranking sentences
 * (src/report/study-claims.ts), the notes on the tests, and a sentence on the study's training
 * time. Only from a summary that matches its runs.
 */
export function studyVariables(resultsRoot: string, runtime?: RuntimeIdentity, profile: ProfileName = 'paper'): Record<string, unknown> {
  const { summary, file } = readReportStudy(resultsRoot, runtime, profile);
  return studyVariablesFrom(summary, file);
}

export function studyVariablesFrom(s: StudySummary, file: string): Record<string, unknown> {
  const vars: Record<string, unknown> = {
    n_seeds: String(s.seeds.length),
    alpha: String(s.alpha),
    seed_list: s.seeds.join(', '),
    committed_seed: String(s.committedSeed),
    wilcoxon_min_p: String(wilcoxonMinimumOf(s)),
    // Said wherever a Wilcoxon p-value is shown: with 5 seeds it cannot reach alpha.
    wilcoxon_note: wilcoxonNote(s),
    interval_note: intervalNote(s),
    mcnemar_note: MCNEMAR_NOTE,
    runs: String(s.compute.runs),
    compute_hours: (s.compute.seconds / 3600).toFixed(1),
    training_time: trainingTimeSentence(s, file),
    planned_seeds: String(studySeeds().length),
    status: statusSentence(s),
    seeds_phrase: s.seeds.length >= studySeeds().length ? `${s.seeds.length} seeds per model` : `${s.seeds.length} of its ${studySeeds().length} planned seeds per model so far`,
  };
  for (const m of MODEL_NAMES) {
    vars[m] = Object.fromEntries(
      s.protocols.map((p) => {
        const r = s.runs[`${p}/${m}`];
        const a = r.testAccuracy;
        const g = r.gap;
        return [
          p,
          {
            mean: pct(a.mean),
            sd: pts(a.sd),
            ci_low: a.ci95 ? pct(a.ci95[0]) : 'n/a',
            ci_high: a.ci95 ? pct(a.ci95[1]) : 'n/a',
            min: pct(a.min),
            max: pct(a.max),
            macro_f1_mean: r.macroF1.mean.toFixed(3),
            train_accuracy_mean: pct(r.trainAccuracy.mean),
            // The gap in points, like the accuracies.
            gap: { mean: pts(g.mean), sd: pts(g.sd), ci_low: g.ci95 ? pts(g.ci95[0]) : 'n/a', ci_high: g.ci95 ? pts(g.ci95[1]) : 'n/a', min: pts(g.min), max: pts(g.max) },
            train_minutes_median: (r.trainSeconds.median / 60).toFixed(1),
          },
        ];
      }),
    );
  }
  const nested: Record<string, unknown> = {};
  for (const [key, sentence] of Object.entries(studySentences(s))) setPath(nested, key, sentence.text);
  return { ...vars, ...nested };
}

/** '' for the complete study; otherwise how far it has got and how to finish it. */
export function statusSentence(s: StudySummary): string {
  const planned = studySeeds().length;
  if (s.seeds.length >= planned) return '';
  const runsPerSeed = s.protocols.length * s.models.length;
  return (
    `The study is not complete yet: it has ${s.seeds.length} of the ${planned} planned seeds (${s.compute.runs} of ${planned * runsPerSeed} training runs), ` +
    'so its intervals are wide and its tests have little power; running fmnist study trains the remaining seeds (it resumes where it stopped) and the report follows.'
  );
}

/** One sentence on what training the study cost: its wall time, or (trained over several sessions) the compute summed over runs and the last session's wall time. */
export function trainingTimeSentence(s: StudySummary, summaryFile: string): string {
  const t = readTimings(timingsPath(summaryFile));
  const hours = (s.compute.seconds / 3600).toFixed(1);
  const on = (concurrency: number, cpus: number) => `${concurrency} training processes at a time on a machine with ${cpus} CPU cores`;
  const c = t?.complete;
  if (c) return `The seed study's ${s.compute.runs} training runs took ${formatDuration(c.wallSeconds)} of wall time, ${on(c.concurrency, c.machine.cpus)} (${hours} hours of training summed over the runs).`;
  const l = t?.last;
  if (l) {
    return (
      `The seed study's ${s.compute.runs} training runs took ${hours} hours of training summed over the runs; its last session trained ${l.trained} of them ` +
      `in ${formatDuration(l.wallSeconds)} of wall time, ${on(l.concurrency, l.machine.cpus)} (the other ${l.cached} were saved by an earlier session).`
    );
  }
  return `The seed study's training time was not recorded (${path.basename(timingsPath(summaryFile))} is missing).`;
}

function setPath(obj: Record<string, unknown>, dotted: string, value: string): void {
  const keys = dotted.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
}
