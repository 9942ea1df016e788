import { claimsTableFrom, runEnvironment, type ConditionSummaries } from '../claims/from-summary';
import { resultsDir } from '../util/paths';
import { gapRankingSentence } from './study-claims';
import type { ClaimsTable } from '../claims/verdicts';
import { VERDICTS, type Verdict } from '../claims/paper-claims';
import { buildAblationSummary } from '../study/ablation';
import { ABLATION } from '../study/plans';
import { CLAIM_CONDITIONS, CONDITIONS, trainingConfig, type ClaimCondition } from '../training/profiles';

/** "3 reproduced, 2 partly reproduced and 5 not reproduced": the verdict counts in words, in the order of VERDICTS. */
export function verdictCountPhrase(counts: Record<Verdict, number>): string {
  const parts = VERDICTS.filter((v) => counts[v] > 0).map((v) => `${counts[v]} ${v}`);
  return parts.length <= 1 ? (parts[0] ?? 'none') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The one sentence that states the claims' outcome (the abstract and the summary refer to it; it is written once). */
export function claimsSentence(t: ClaimsTable): string {
  const n = t.rows.length;
  if (!t.conditions.faithful) return `The paper's ${n} claims cannot be judged yet: the faithful condition's seed study is not complete.`;
  const seeds = t.conditions.faithful.seeds.length;
  return `Of the paper's ${n} claims, judged under its own recipe over ${seeds} training seed${seeds === 1 ? '' : 's'}, ${verdictCountPhrase(t.counts)}.`;
}

/** Per claim id: its verdict and reason under each condition (for sentences that cite one claim). */
function perClaim(t: ClaimsTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of t.rows) {
    const entry: Record<string, string> = { verdict: r.verdict, statement: r.statement };
    for (const c of CLAIM_CONDITIONS) {
      const a = r.byCondition[c];
      const key = c === 'paper' ? 'improved' : c;
      // Every key exists whether or not the condition's study is complete, so the article always renders.
      entry[`${key}_verdict`] = a ? a.verdict : 'not yet judged';
      entry[`${key}_ours`] = a ? a.ours : 'not yet measured';
      entry[`${key}_reason`] = a ? a.reason : `the ${CONDITIONS[c].title} condition's seed study is not complete`;
    }
    out[r.id.replace(/-/g, '_')] = entry;
  }
  return out;
}

/** `claims.*` in _variables.yml, judged on the paper's split. */
export function claimsVariables(loaded: ConditionSummaries, resultsRoot: string = resultsDir()): Record<string, unknown> {
  const table = claimsTableFrom(loaded, 'paper', resultsRoot);
  return {
    n: String(table.rows.length),
    sentence: claimsSentence(table),
    // The counts alone, for the summary section (the abstract carries the sentence: it is stated once).
    counts: verdictCountPhrase(table.counts),
    ...Object.fromEntries(VERDICTS.map((v) => [v.replace(/ /g, '_'), String(table.counts[v])])),
    ...perClaim(table),
  };
}

export function conditionVariables(): Record<string, unknown> {
  const one = (c: ClaimCondition) => {
    const cfg = trainingConfig(c);
    return {
      title: CONDITIONS[c].title,
      description: CONDITIONS[c].description,
      rationale: CONDITIONS[c].rationale,
      batch_size: String(cfg.batchSize),
      epochs: String(cfg.epochs),
      learning_rate: String(cfg.optimizer.learningRate),
    };
  };
  return { faithful: one('faithful'), improved: one('paper') };
}

/** `ablation.*`: the seeds and one generated sentence per arm, or what is still missing. */
export function ablationVariables(resultsRoot?: string): Record<string, unknown> {
  try {
    const s = buildAblationSummary(resultsRoot);
    return { n_seeds: String(s.seeds.length), complete: 'yes', sentence: s.arms.map((a) => a.sentence).join(' ') };
  } catch {
    return {
      n_seeds: String(ABLATION.seeds.length),
      complete: 'no',
      sentence: 'Its runs are still being trained (`fmnist study --plan ablation` completes them), so this version of the article gives no result for it.',
    };
  }
}

/**
 * `faithful_study.*`: the faithful condition's generated gap ranking on the paper's split (the
 * claims' protocol), from its verified summary; a sentence saying it is pending otherwise.
 */
export function faithfulStudyVariables(loaded: ConditionSummaries): Record<string, unknown> {
  const s = loaded.summaries.faithful?.summary;
  if (!s) {
    return { complete: 'no', gap_ranking: { paper: "The faithful condition's seed study is not complete yet, so its gaps are not ranked here." } };
  }
  return { complete: 'yes', n_seeds: String(s.seeds.length), protocols: s.protocols.join(', '), gap_ranking: { paper: gapRankingSentence(s, 'paper').text } };
}

/**
 * `machines.sentence`: which processors trained the committed runs of each condition, and whether
 * TensorFlow's oneDNN kernels were on, as each run.json records it (runs from before 5 December
 * 2026 recorded neither; the README names the AMD EPYC machines they were trained on).
 */
export function machinesVariables(loaded: ConditionSummaries, resultsRoot: string = resultsDir()): Record<string, unknown> {
  const parts: string[] = [];
  for (const c of CLAIM_CONDITIONS) {
    const s = loaded.summaries[c]?.summary;
    if (!s) continue;
    const groups = new Map<string, number>();
    for (const r of Object.values(s.runs)) {
      for (const seed of r.perSeed) {
        const env = runEnvironment(resultsRoot, seed.folder);
        const key = env.cpuModel
          ? `${env.cpuModel}${env.oneDnn === true ? " with TensorFlow's oneDNN kernels on" : env.oneDnn === false ? ' with oneDNN off' : ''}`
          : 'a processor that was not recorded (runs from before 5 December 2026)';
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
    const total = [...groups.values()].reduce((a, b) => a + b, 0);
    const list = [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} on ${k}`);
    parts.push(`of the ${CONDITIONS[c].title} condition's ${total} runs, ${list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0]}`);
  }
  const text = parts.length ? `By their run.json records, ${parts.join('; ')}.` : 'No study summary was found, so no machine is named.';
  return { sentence: text.charAt(0).toUpperCase() + text.slice(1) };
}
