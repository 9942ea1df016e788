import type { Summary } from './statistics';
import type { Comparison, StudySummary } from './summary';

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

/** A difference in test images, signed and rounded: "+42". */
export function formatImages(images: number): string {
  const x = Math.round(images);
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toLocaleString('en-US')}`;
}

/** A confidence level as a percentage without trailing zeros: 0.95 → "95", 0.991667 → "99.17". */
export function formatLevel(level: number): string {
  return String(Number((100 * level).toFixed(2)));
}

/** A summary of fractions as percent, mean ± sd: "91.34 ± 0.05" ("n/a" for the sd of one value). */
export function formatPercentMeanSd(s: Summary): string {
  return `${(100 * s.mean).toFixed(2)} ± ${s.sd === null ? 'n/a' : (100 * s.sd).toFixed(2)}`;
}

function meanSd(s: Summary, digits = 4): string {
  return `${s.mean.toFixed(digits)} ± ${s.sd === null ? 'n/a' : s.sd.toFixed(digits)}`;
}

function interval(ci: [number, number] | null, f: (x: number) => string): string {
  return ci ? `[${f(ci[0])}, ${f(ci[1])}]` : 'n/a';
}

/** The smallest p-value the exact Wilcoxon test could give in this study (2 / 2^seeds). */
export function wilcoxonMinimumOf(s: StudySummary): number {
  const all = [...s.comparisons, ...s.gapComparisons].map((c) => c.wilcoxon.minimumP);
  return all.length ? Math.min(...all) : 1;
}

/** Says, wherever a Wilcoxon p-value is shown, that with few seeds it cannot reach alpha; '' when it can. */
export function wilcoxonNote(s: StudySummary): string {
  const min = wilcoxonMinimumOf(s);
  if (min < s.alpha) return '';
  return `With ${s.seeds.length} seeds the exact Wilcoxon signed-rank test cannot go below p = ${min}, so it can never reach ${s.alpha} here: it is shown as a check on the direction of a difference, not as a verdict.`;
}

/** How many pairs one Holm family has (the pairs of one protocol). */
export function pairsPerProtocol(s: StudySummary): number {
  return s.comparisons.length / Math.max(1, s.protocols.length);
}

/**
 * Why the intervals beside the Holm verdicts are not 95% intervals: each is at the level at which
 * Holm's step-down procedure judged its pair, so it excludes zero exactly when the verdict is
 * "significant" (a plain 95% interval can exclude zero for a pair Holm keeps).
 */
export function intervalNote(s: StudySummary): string {
  const m = pairsPerProtocol(s);
  const top = formatLevel(1 - s.alpha / m);
  return (
    `Each interval is at the level at which Holm's step-down procedure judged that pair: 1 − ${s.alpha}/(${m} − j + 1) at step j, ` +
    `from ${top}% for the smallest of the ${m} p-values of a protocol to ${formatLevel(1 - s.alpha)}% for the largest; pairs after the step where the procedure stopped take that step's level. ` +
    `So an interval excludes zero exactly when the Holm-adjusted p is below ${s.alpha}. They are not simultaneous intervals; the unadjusted 95% intervals are in the summary (ci95Unadjusted).`
  );
}

/** Why McNemar's test and the paired t-test over seeds can disagree, and which one decides. */
export const MCNEMAR_NOTE =
  "McNemar's exact test and the paired t-test over seeds answer different questions. McNemar's compares two trained networks, one seed each, image by image: " +
  'its only noise is which images happen to be in the test set, so a difference of a few dozen images between two particular runs can be clear. ' +
  'The paired t-test compares the two models over training seeds: its noise is how much a model\'s accuracy moves from one seed to the next, which is larger. ' +
  'McNemar can therefore be significant for some seeds where the seed test is not. The verdicts use the seed test, since a claim about a model is a claim about its training recipe, not about one run.';

function pairRows(cs: Comparison[], withMcNemar: boolean): string[][] {
  return cs.map((c) => [
    c.protocol,
    `${c.a} − ${c.b}`,
    formatPoints(c.meanDiff),
    formatImages(c.meanDiffImages),
    c.ciHolm ? `${formatLevel(c.ciHolmLevel!)}% ${interval(c.ciHolm, (x) => formatPoints(x))}` : 'n/a',
    formatP(c.pairedT.p),
    formatP(c.pHolm),
    formatP(c.wilcoxon.p),
    ...(withMcNemar && c.mcnemar ? [`${c.mcnemar.significantSeeds}/${c.mcnemar.perSeed.length}`, `${c.mcnemar.pooled.b}/${c.mcnemar.pooled.c}`] : []),
    c.significant ? 'yes' : 'no',
  ]);
}

/** The plain-text tables `fmnist study` prints. */
export function formatStudyTable(s: StudySummary): string {
  const lines = [`Seed study: profile ${s.profile}, seeds ${s.seeds.join(', ')} (n = ${s.seeds.length}), test images fixed per protocol`, ''];
  const head = ['protocol', 'model', 'accuracy mean ± sd', '95% CI of the mean', 'min', 'max', 'gap (train − test) mean ± sd', 'macro F1 mean ± sd', 'train s (median)'];
  const rows = Object.values(s.runs).map((r) => [
    r.protocol,
    r.model,
    meanSd(r.testAccuracy),
    interval(r.testAccuracy.ci95, (x) => x.toFixed(4)),
    r.testAccuracy.min.toFixed(4),
    r.testAccuracy.max.toFixed(4),
    meanSd(r.gap),
    meanSd(r.macroF1),
    r.trainSeconds.median.toFixed(0),
  ]);
  lines.push(...table(head, rows), '');
  const m = pairsPerProtocol(s);
  lines.push(`Pairs, test accuracy (a − b in points and in test images, paired by seed; Holm over the ${m} pairs of a protocol; interval at the level Holm judged the pair; McNemar on every seed's test predictions, Holm over the pairs per seed)`);
  const head2 = ['protocol', 'a − b', 'mean diff', 'images', 'Holm-level CI', 'paired t p', 'Holm p', 'Wilcoxon p', 'McNemar seeds p < α', 'McNemar b/c pooled', `p < ${s.alpha}`];
  lines.push(...table(head2, pairRows(s.comparisons, true)), '');
  lines.push(`Pairs, train − test gap (a − b in points; images on the test set's scale; the same tests, Holm over the ${m} pairs of a protocol)`);
  const head3 = ['protocol', 'a − b', 'mean diff', 'images', 'Holm-level CI', 'paired t p', 'Holm p', 'Wilcoxon p', `p < ${s.alpha}`];
  lines.push(...table(head3, pairRows(s.gapComparisons, false)));
  const notes = [intervalNote(s), wilcoxonNote(s), MCNEMAR_NOTE].filter(Boolean);
  if (s.comparisons.length) lines.push('', ...notes.map((n) => `(${n})`));
  return lines.join('\n');
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}
