import type { Summary } from './statistics';
import type { StudySummary } from './summary';

/** A p-value as the report prints it: two significant figures, "< 0.0001" below that. */
export function formatP(p: number | null): string {
  if (p === null) return 'n/a';
  if (p < 1e-4) return '< 0.0001';
  if (p >= 0.1) return p.toFixed(2);
  return p.toPrecision(2);
}

/** An accuracy difference in percentage points, signed: "+0.31". */
export function formatPoints(diff: number, digits = 2): string {
  const x = 100 * diff;
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}

function meanSd(s: Summary, digits = 4): string {
  return `${s.mean.toFixed(digits)} ± ${s.sd === null ? 'n/a' : s.sd.toFixed(digits)}`;
}

function interval(ci: [number, number] | null, f: (x: number) => string): string {
  return ci ? `[${f(ci[0])}, ${f(ci[1])}]` : 'n/a';
}

/** The plain-text tables `fmnist study` prints. */
export function formatStudyTable(s: StudySummary): string {
  const lines = [`Seed study: profile ${s.profile}, seeds ${s.seeds.join(', ')} (n = ${s.seeds.length}), test images fixed per protocol`, ''];
  const head = ['protocol', 'model', 'accuracy mean ± sd', '95% CI of the mean', 'min', 'max', 'macro F1 mean ± sd'];
  const rows = Object.values(s.runs).map((r) => [
    r.protocol,
    r.model,
    meanSd(r.testAccuracy),
    interval(r.testAccuracy.ci95, (x) => x.toFixed(4)),
    r.testAccuracy.min.toFixed(4),
    r.testAccuracy.max.toFixed(4),
    meanSd(r.macroF1),
  ]);
  lines.push(...table(head, rows), '');
  lines.push(`Pairs (a − b, test accuracy in points, paired by seed; Holm over the ${s.comparisons.length / Math.max(1, s.protocols.length)} pairs of a protocol; McNemar on seed ${s.committedSeed}'s test predictions)`);
  const head2 = ['protocol', 'a − b', 'mean diff', '95% CI', 'paired t p', 'Holm p', 'Wilcoxon p', 'McNemar b/c', 'McNemar p', `p < ${s.alpha}`];
  const rows2 = s.comparisons.map((c) => [
    c.protocol,
    `${c.a} − ${c.b}`,
    formatPoints(c.meanDiff),
    interval(c.ci95, (x) => formatPoints(x)),
    formatP(c.pairedT.p),
    formatP(c.pHolm),
    formatP(c.wilcoxon.p),
    `${c.mcnemar.b}/${c.mcnemar.c}`,
    formatP(c.mcnemar.p),
    c.significant ? 'yes' : 'no',
  ]);
  lines.push(...table(head2, rows2));
  const minW = Math.min(...s.comparisons.map((c) => c.wilcoxon.minimumP));
  if (s.comparisons.length && minW >= s.alpha) lines.push('', `(With ${s.seeds.length} seeds the exact Wilcoxon test cannot go below p = ${minW}: it can never reach ${s.alpha} here.)`);
  return lines.join('\n');
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}
