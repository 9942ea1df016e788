import type { TableSpec } from './show';
import type { ClaimsTable } from '../claims/verdicts';
import { CLAIM_CONDITIONS, conditionTitle } from '../training/profiles';

/** The caption of the claims table (the notebook cell's metadata must match). */
export const CLAIMS_TABLE_TEXT = {
  id: 'tbl-claims',
  // Short: in the PDF the table and its caption share one page (the source line adds to it).
  caption:
    "The paper's claims as testable statements (tolerances fixed in code before the results were read), the paper's number, " +
    "ours under its recipe (faithful) and under our improved one (means over the seeds, paper's split), and the faithful verdict; " +
    'an improved verdict that differs follows the slash. *: significant (paired t-test over seeds, Holm-adjusted).',
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
