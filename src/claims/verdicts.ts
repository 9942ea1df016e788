import { CLAIM_CONDITIONS, conditionTitle, type ClaimCondition } from '../training/profiles';
import type { ConditionEvidence } from './evidence';
import { PAPER_CLAIMS, VERDICTS, type Assessment, type PaperClaim, type Verdict } from './paper-claims';

/** One row of the claims table: the claim, the paper's number, and our assessment under each condition. */
export interface ClaimRow {
  id: string;
  statement: string;
  source: string;
  paper: string;
  tolerance: string;
  /** Under the paper's own recipe (faithful) and our improved one; absent when that condition's runs are missing. */
  byCondition: Partial<Record<ClaimCondition, Assessment>>;
  /** The verdict that answers the claim: the faithful condition's, the paper's own conditions. */
  verdict: Verdict;
}

export interface ClaimsTable {
  format: 'fmnist-claims-1';
  protocol: string;
  /** Per condition: its title and the seeds its evidence covers. */
  conditions: Partial<Record<ClaimCondition, { title: string; seeds: number[] }>>;
  rows: ClaimRow[];
  /** How many claims got each verdict (the faithful condition's). */
  counts: Record<Verdict, number>;
}

/**
 * Assesses every claim under every condition whose evidence is given. The verdict of a row is the
 * faithful condition's; without faithful evidence the row says 'not testable' (nothing to judge by).
 */
export function assessClaims(evidence: Partial<Record<ClaimCondition, ConditionEvidence>>, claims: readonly PaperClaim[] = PAPER_CLAIMS): ClaimsTable {
  const protocols = new Set(Object.values(evidence).map((e) => e!.protocol));
  if (protocols.size > 1) throw new Error(`the claims are judged on one split protocol; got ${[...protocols].join(', ')}`);
  const rows = claims.map((c): ClaimRow => {
    const byCondition: ClaimRow['byCondition'] = {};
    for (const cond of CLAIM_CONDITIONS) {
      const e = evidence[cond];
      if (e) byCondition[cond] = c.assess(e);
    }
    return { id: c.id, statement: c.statement, source: c.source, paper: c.paper, tolerance: c.tolerance, byCondition, verdict: byCondition.faithful?.verdict ?? 'not testable' };
  });
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, rows.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  const conditions: ClaimsTable['conditions'] = {};
  for (const cond of CLAIM_CONDITIONS) {
    const e = evidence[cond];
    if (e) conditions[cond] = { title: conditionTitle(cond), seeds: e.seeds };
  }
  return { format: 'fmnist-claims-1', protocol: [...protocols][0] ?? 'paper', conditions, rows, counts };
}

/** The claims table as plain text (`fmnist claims`). */
export function formatClaimsTable(t: ClaimsTable): string {
  const lines: string[] = [];
  const conds = CLAIM_CONDITIONS.filter((c) => t.conditions[c]);
  lines.push(`The paper's claims, judged on the ${t.protocol} split (${conds.map((c) => `${t.conditions[c]!.title}: ${t.conditions[c]!.seeds.length} seeds`).join('; ')})`);
  for (const r of t.rows) {
    lines.push('');
    lines.push(`[${r.verdict.toUpperCase()}] ${r.statement}  (${r.source})`);
    lines.push(`  paper: ${r.paper}   tolerance: ${r.tolerance}`);
    for (const c of conds) {
      const a = r.byCondition[c];
      if (a) lines.push(`  ${t.conditions[c]!.title.padEnd(9)} ${a.verdict.padEnd(18)} ${a.ours} — ${a.reason}`);
    }
  }
  lines.push('');
  lines.push(`Verdicts (faithful condition): ${Object.entries(t.counts).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(', ')}`);
  return lines.join('\n');
}
