import * as fs from 'node:fs';
import * as path from 'node:path';
import { SPLIT_PROTOCOLS } from '../data/splits';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { readStudySummary } from '../report/study-claims';
import { committedRuntime, type RuntimeIdentity } from '../results/runtime';
import { studySeeds } from '../study/seeds';
import { summaryPath, verifyStudySummary, type Comparison, type StudySummary } from '../study/summary';
import { CLAIM_CONDITIONS, type ClaimCondition } from '../training/profiles';
import { resultsDir } from '../util/paths';
import type { ConditionEvidence, ModelEvidence, PairEvidence } from './evidence';
import { assessClaims, type ClaimsTable } from './verdicts';

/**
 * The study summary of a condition that the claims read: both protocols, every model, the planned
 * seeds; while a condition's official-split runs are still pending, its paper-split summary (the
 * claims are judged on the paper's split).
 */
export function conditionSummaryFile(condition: ClaimCondition, root: string = resultsDir(), runtime: RuntimeIdentity = committedRuntime()): string {
  const sel = { profile: condition, models: [...MODEL_NAMES], seeds: studySeeds() };
  const both = summaryPath({ ...sel, protocols: [...SPLIT_PROTOCOLS] }, runtime, root);
  const paperOnly = summaryPath({ ...sel, protocols: ['paper'] }, runtime, root);
  return fs.existsSync(both) || !fs.existsSync(paperOnly) ? both : paperOnly;
}

/**
 * What a study run's run.json records beyond the summary, all since 5 December 2026 (null before,
 * or when the file cannot be read): the processor, whether TensorFlow's oneDNN was on, and the
 * training CPU seconds.
 */
export function runEnvironment(root: string, folder: string): { cpuModel: string | null; oneDnn: boolean | null; trainCpuSeconds: number | null; commit: string | null } {
  try {
    const run = JSON.parse(fs.readFileSync(path.join(root, folder, 'run.json'), 'utf8')) as {
      environment?: { cpuModel?: string; oneDnn?: boolean | null };
      timings?: { trainCpuSeconds?: number };
      git?: { commit?: string | null; dirty?: boolean | null };
    };
    // A run trained with uncommitted changes has no commit that reproduces its code.
    const commit = run.git?.commit && run.git.dirty === false ? run.git.commit : null;
    return { cpuModel: run.environment?.cpuModel ?? null, oneDnn: run.environment?.oneDnn ?? null, trainCpuSeconds: run.timings?.trainCpuSeconds ?? null, commit };
  } catch {
    return { cpuModel: null, oneDnn: null, trainCpuSeconds: null, commit: null };
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const pairsOf = (list: readonly Comparison[], protocol: SplitProtocol): PairEvidence[] =>
  list.filter((c) => c.protocol === protocol).map((c) => ({ a: c.a, b: c.b, meanDiff: c.meanDiff, pHolm: c.pHolm, significant: c.significant }));

/** The claims' evidence for one protocol of a study summary. */
export function evidenceFromSummary(s: StudySummary, protocol: SplitProtocol, root: string = resultsDir()): ConditionEvidence {
  if (!s.protocols.includes(protocol)) throw new Error(`the ${s.profile} study has no ${protocol} protocol`);
  const models = {} as Record<ModelName, ModelEvidence>;
  for (const m of s.models) {
    const r = s.runs[`${protocol}/${m}`];
    if (!r) throw new Error(`the ${s.profile} study summary has no ${protocol}/${m}`);
    const facts = r.perSeed.map((x) => runEnvironment(root, x.folder));
    const cpuSeconds = facts.map((f) => f.trainCpuSeconds);
    models[m] = {
      testAccuracy: r.testAccuracy,
      trainAccuracy: r.trainAccuracy,
      gap: r.gap,
      macroF1: r.macroF1,
      trainSecondsMedian: r.trainSeconds.median,
      trainCpuSecondsMedian: cpuSeconds.every((x) => x !== null) ? median(cpuSeconds as number[]) : null,
      cpuModels: [...new Set(facts.map((f) => f.cpuModel ?? 'unrecorded'))].sort(),
      commits: [...new Set(facts.map((f) => f.commit ?? 'unrecorded'))].sort(),
    };
  }
  return { condition: s.profile, protocol, seeds: s.seeds, models, accuracy: pairsOf(s.comparisons, protocol), gap: pairsOf(s.gapComparisons, protocol) };
}

/** Each condition's study summary, verified against the runs it names, and what is missing (with the command that makes it). */
export interface ConditionSummaries {
  summaries: Partial<Record<ClaimCondition, { summary: StudySummary; file: string }>>;
  missing: string[];
}

/**
 * Reads and verifies both conditions' study summaries once, for everything that reads them (the
 * claims table, the faithful study's sentences, the machines sentence). A damaged summary throws:
 * it never reaches a verdict.
 */
export function loadConditionSummaries(root: string = resultsDir()): ConditionSummaries {
  const out: ConditionSummaries = { summaries: {}, missing: [] };
  for (const c of CLAIM_CONDITIONS) {
    const file = conditionSummaryFile(c, root);
    if (!fs.existsSync(file)) {
      out.missing.push(`no study summary for the ${c} condition (${path.relative(process.cwd(), file)}); \`fmnist study --profile ${c}\` trains and writes it`);
      continue;
    }
    out.summaries[c] = { summary: verifyStudySummary(readStudySummary(file), file, committedRuntime(), root), file };
  }
  return out;
}

/** The verified summaries by condition, without their file names (a condition without one is left out). */
export function summariesByCondition(loaded: ConditionSummaries): Partial<Record<ClaimCondition, StudySummary>> {
  return Object.fromEntries(CLAIM_CONDITIONS.flatMap((c) => (loaded.summaries[c] ? [[c, loaded.summaries[c]!.summary]] : [])));
}

/** The claims table from loaded summaries; a condition without one is left out. */
export function claimsTableFrom(loaded: ConditionSummaries, protocol: SplitProtocol = 'paper', root: string = resultsDir()): ClaimsTable {
  const evidence: Partial<Record<ClaimCondition, ConditionEvidence>> = {};
  for (const c of CLAIM_CONDITIONS) {
    const s = loaded.summaries[c];
    if (s) evidence[c] = evidenceFromSummary(s.summary, protocol, root);
  }
  return assessClaims(evidence);
}

/** The claims table from the saved study summaries of both conditions (`fmnist claims`). */
export function loadClaimsTable(opts: { protocol?: SplitProtocol; root?: string } = {}): { table: ClaimsTable; missing: string[] } {
  const root = opts.root ?? resultsDir();
  const loaded = loadConditionSummaries(root);
  return { table: claimsTableFrom(loaded, opts.protocol ?? 'paper', root), missing: loaded.missing };
}
