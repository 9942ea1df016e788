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

/** What run.json records beyond the summary: the processor model and the training CPU seconds (both since 5 December 2026). */
function runFacts(root: string, folder: string): { cpuModel: string; trainCpuSeconds: number | null } {
  try {
    const run = JSON.parse(fs.readFileSync(path.join(root, folder, 'run.json'), 'utf8')) as { environment?: { cpuModel?: string }; timings?: { trainCpuSeconds?: number } };
    return { cpuModel: run.environment?.cpuModel ?? 'unrecorded', trainCpuSeconds: run.timings?.trainCpuSeconds ?? null };
  } catch {
    return { cpuModel: 'unrecorded', trainCpuSeconds: null };
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
  let testCount = 0;
  for (const m of s.models) {
    const r = s.runs[`${protocol}/${m}`];
    if (!r) throw new Error(`the ${s.profile} study summary has no ${protocol}/${m}`);
    testCount = r.perSeed[0].testCount;
    const facts = r.perSeed.map((x) => runFacts(root, x.folder));
    const cpuSeconds = facts.map((f) => f.trainCpuSeconds);
    models[m] = {
      testAccuracy: r.testAccuracy,
      trainAccuracy: r.trainAccuracy,
      gap: r.gap,
      macroF1: r.macroF1,
      trainSecondsMedian: r.trainSeconds.median,
      trainCpuSecondsMedian: cpuSeconds.every((x) => x !== null) ? median(cpuSeconds as number[]) : null,
      cpuModels: [...new Set(facts.map((f) => f.cpuModel))].sort(),
      bestIsLast: r.perSeed.filter((x) => x.bestEpoch === x.epochs).length,
    };
  }
  return { condition: s.profile, protocol, seeds: s.seeds, testCount, models, accuracy: pairsOf(s.comparisons, protocol), gap: pairsOf(s.gapComparisons, protocol) };
}

/**
 * The claims table from the saved study summaries of both conditions. A condition whose summary
 * is missing is left out and named in `missing` (with the command that makes it).
 */
export function loadClaimsTable(opts: { protocol?: SplitProtocol; root?: string } = {}): { table: ClaimsTable; missing: string[] } {
  const protocol = opts.protocol ?? 'paper';
  const root = opts.root ?? resultsDir();
  const evidence: Partial<Record<ClaimCondition, ConditionEvidence>> = {};
  const missing: string[] = [];
  for (const c of CLAIM_CONDITIONS) {
    const file = conditionSummaryFile(c, root);
    if (!fs.existsSync(file)) {
      missing.push(`no study summary for the ${c} condition (${path.relative(process.cwd(), file)}); \`fmnist study --profile ${c}\` trains and writes it`);
      continue;
    }
    // Verified against the runs it summarises: a damaged summary never reaches a verdict.
    evidence[c] = evidenceFromSummary(verifyStudySummary(readStudySummary(file), file, committedRuntime(), root), protocol, root);
  }
  return { table: assessClaims(evidence), missing };
}
