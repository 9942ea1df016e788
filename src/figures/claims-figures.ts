import type { TableSpec } from './show';
import type { ClaimsTable } from '../claims/verdicts';
import { CLAIM_CONDITIONS, conditionTitle } from '../training/profiles';

/** The caption of the claims table (the notebook cell's metadata must match). */
export const CLAIMS_TABLE_TEXT = {
  id: 'tbl-claims',
  caption:
    "The paper's claims, each as a testable statement with the tolerance fixed in code before the results were read (src/claims/paper-claims.ts), " +
    "the paper's number, ours under the paper's own recipe (faithful) and under our improved recipe (means over the training seeds, paper's split), " +
    "and the verdict, which the faithful condition decides; where the improved condition's verdict differs it is given after the slash. " +
    'Significance: paired t-tests over seeds, Holm-adjusted; * marks a significant difference.',
} as const;

/** tbl-claims: one row per claim; the verdict column reads "faithful verdict / improved verdict" where they differ. */
export function claimsTableSpec(t: ClaimsTable, files: readonly string[] = []): TableSpec {
  const rows = t.rows.map((r, i) => {
    const f = r.byCondition.faithful;
    const p = r.byCondition.paper;
    const verdict = p && f && p.verdict !== f.verdict ? `${r.verdict} / ${p.verdict}` : r.verdict;
    return [`${i + 1}. ${r.statement}`, r.paper, f ? f.ours : 'not yet run', p ? p.ours : 'not yet run', verdict];
  });
  return {
    ...CLAIMS_TABLE_TEXT,
    // The tolerances are in `fmnist claims` and its JSON: a sixth column made the table wider than the article's column.
    columns: ['claim', 'paper', `ours, ${conditionTitle('faithful')}`, `ours, ${conditionTitle('paper')}`, 'verdict'],
    rows,
    provenance: { results: [...files], conditions: CLAIM_CONDITIONS.filter((c) => t.conditions[c]).map((c) => `${c}: seeds ${t.conditions[c]!.seeds.join(', ')}`) },
  };
}
