import * as fs from 'node:fs';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { formatImages, formatLevel, formatP, formatPoints, pairsPerProtocol } from '../study/format';
import { studySeeds } from '../study/seeds';
import { STUDY_FORMAT, type Comparison, type StudySummary } from '../study/summary';
import { baselineModel, modelsOfFamily, modelSpec, MODEL_TITLES } from '../models/registry';
import { capitalise, numberWord } from '../util/words';

/**
 * Every sentence of the article that ranks the models, by test accuracy or by train − test gap, is
 * generated here from the seed study (results/study/summary.json), never typed: "CNN 3 is more
 * accurate than CNN 1 (mean difference +0.31 points, that is +43 of the 14,000 test images; 98.75%
 * CI at Holm's level [+0.02, +0.60]; Holm-adjusted p = 0.012)" or "CNN 1 and CNN 2 do not differ
 * significantly (…)"; the train − test gaps likewise (gapRankingSentence). Each sentence comes with the findings it asserts (`StudyFinding`), which checkStudyFindings
 * tests against the study, so a generated claim that disagrees with it fails.
 */

const PROTOCOL_PHRASE: Record<SplitProtocol, string> = { paper: "the paper's split", official: 'the official split' };
const CNNS: ModelName[] = modelsOfFamily('convolutional');
/** The fully connected baseline every convolutional model is compared with. */
const BASELINE: ModelName = baselineModel();

/** One thing a generated sentence asserts: `better` beats `worse` significantly, or the two do not differ significantly (in test accuracy, or in their train − test gap). */
export type StudyFinding =
  | { kind: 'more-accurate'; protocol: SplitProtocol; better: ModelName; worse: ModelName }
  | { kind: 'no-difference'; protocol: SplitProtocol; a: ModelName; b: ModelName }
  | { kind: 'wider-gap'; protocol: SplitProtocol; wider: ModelName; narrower: ModelName }
  | { kind: 'no-gap-difference'; protocol: SplitProtocol; a: ModelName; b: ModelName };

export interface GeneratedSentence {
  text: string;
  findings: StudyFinding[];
}

function findComparison(list: Comparison[], what: string, protocol: SplitProtocol, x: ModelName, y: ModelName): Comparison {
  const c = list.find((k) => k.protocol === protocol && ((k.a === x && k.b === y) || (k.a === y && k.b === x)));
  if (!c) throw new Error(`the seed study has no ${what} comparison of ${x} and ${y} on the ${protocol} protocol; rerun \`fmnist study\``);
  return c;
}

/** The paired comparison of x's and y's test accuracy. */
export function comparisonOf(s: StudySummary, protocol: SplitProtocol, x: ModelName, y: ModelName): Comparison {
  return findComparison(s.comparisons, 'test-accuracy', protocol, x, y);
}

/** The paired comparison of x's and y's train − test gap. */
export function gapComparisonOf(s: StudySummary, protocol: SplitProtocol, x: ModelName, y: ModelName): Comparison {
  return findComparison(s.gapComparisons, 'gap', protocol, x, y);
}

/** The comparison seen from x's side: mean difference x − y (fraction and test images) and its Holm-level interval. */
function oriented(c: Comparison, x: ModelName): { diff: number; images: number; ci: [number, number] | null } {
  if (c.a === x) return { diff: c.meanDiff, images: c.meanDiffImages, ci: c.ciHolm };
  return { diff: -c.meanDiff, images: -c.meanDiffImages, ci: c.ciHolm ? [-c.ciHolm[1], -c.ciHolm[0]] : null };
}

/** x significantly more accurate than y (Holm-adjusted paired t-test below alpha, mean difference positive). */
export function significantlyBetter(s: StudySummary, protocol: SplitProtocol, x: ModelName, y: ModelName): boolean {
  const c = comparisonOf(s, protocol, x, y);
  return c.significant && oriented(c, x).diff > 0;
}

/** "p = 0.012", "p < 0.0001"; with `bound`, "p ≤ 0.012". */
function pPhrase(p: number | null, bound = false): string {
  const f = formatP(p);
  return f.startsWith('<') ? `p ${f}` : `p ${bound ? '≤' : '='} ${f}`;
}

/** How a sentence names a model: "CNN 3", "the ANN" ("The ANN" at the start of a sentence). */
function nameOf(m: ModelName, start = false): string {
  const name = modelSpec(m).proseName;
  return start ? capitalise(name) : name;
}

/**
 * "mean difference +0.70 points, that is +70 of the 10,000 test images; 97.5% CI at Holm's level
 * [+0.32, +1.08]; Holm-adjusted p = 0.0063": the interval is at the level Holm judged the pair, so
 * it excludes zero exactly when the sentence calls the difference significant. Test images for
 * test accuracy only (a gap difference is not a count of test images).
 */
function evidence(s: StudySummary, c: Comparison, x: ModelName): string {
  const o = oriented(c, x);
  const n = s.testCounts[c.protocol];
  const images = c.metric === 'testAccuracy' && n ? `, that is ${formatImages(o.images)} of the ${n.toLocaleString('en-US')} test images` : '';
  const ci = o.ci ? `; ${formatLevel(c.ciHolmLevel!)}% CI at Holm's level [${formatPoints(o.ci[0])}, ${formatPoints(o.ci[1])}]` : '';
  return `mean difference ${formatPoints(o.diff)} points${images}${ci}; Holm-adjusted ${pPhrase(c.pHolm)}`;
}

/** The sentence for one pair: which is more accurate, or that they do not differ significantly. */
export function pairSentence(s: StudySummary, protocol: SplitProtocol, x: ModelName, y: ModelName): GeneratedSentence {
  const c = comparisonOf(s, protocol, x, y);
  const [hi, lo] = oriented(c, x).diff >= 0 ? [x, y] : [y, x];
  if (c.significant) {
    return { text: `${nameOf(hi, true)} is more accurate than ${nameOf(lo)} (${evidence(s, c, hi)})`, findings: [{ kind: 'more-accurate', protocol, better: hi, worse: lo }] };
  }
  return { text: `${nameOf(hi, true)} and ${nameOf(lo)} do not differ significantly (${evidence(s, c, hi)})`, findings: [{ kind: 'no-difference', protocol, a: hi, b: lo }] };
}

/** "p ≤ <largest Holm p>" over several comparisons. */
function maxP(cs: Comparison[]): string {
  return pPhrase(Math.max(...cs.map((c) => c.pHolm ?? 1)), true);
}

/** The models in order of mean test accuracy, highest first. */
export function byMean(s: StudySummary, protocol: SplitProtocol): ModelName[] {
  return [...MODEL_NAMES].sort((a, b) => s.runs[`${protocol}/${b}`].testAccuracy.mean - s.runs[`${protocol}/${a}`].testAccuracy.mean);
}

/** The model that is significantly more accurate than every other one, if there is one. */
export function mostAccurate(s: StudySummary, protocol: SplitProtocol): ModelName | undefined {
  return MODEL_NAMES.find((m) => MODEL_NAMES.every((o) => o === m || significantlyBetter(s, protocol, m, o)));
}

/** Per protocol: the best model (or that there is none), the CNNs against the ANN, and every remaining non-significant pair. */
export function rankingSentence(s: StudySummary, protocol: SplitProtocol): GeneratedSentence {
  const parts: string[] = [];
  const findings: StudyFinding[] = [];
  const covered = new Set<string>();
  const cover = (x: ModelName, y: ModelName) => covered.add([x, y].sort().join('/'));
  const best = mostAccurate(s, protocol);
  const order = byMean(s, protocol);
  if (best) {
    const cs = MODEL_NAMES.filter((m) => m !== best).map((m) => comparisonOf(s, protocol, best, m));
    parts.push(`${MODEL_TITLES[best]} is the most accurate model, more accurate than each of the other ${numberWord(MODEL_NAMES.length - 1)} (Holm-adjusted ${maxP(cs)})`);
    for (const m of MODEL_NAMES) if (m !== best) {
      findings.push({ kind: 'more-accurate', protocol, better: best, worse: m });
      cover(best, m);
    }
  } else {
    const top = order[0];
    const ties = order.filter((m) => m !== top && !significantlyBetter(s, protocol, top, m));
    const from = ties.map((m) => `${nameOf(m)} (${evidence(s, comparisonOf(s, protocol, top, m), top)})`);
    parts.push(`no model is more accurate than all the others: ${MODEL_TITLES[top]} has the highest mean accuracy, but it does not differ significantly from ${from.join(' or ')}`);
    for (const m of ties) {
      findings.push({ kind: 'no-difference', protocol, a: top, b: m });
      cover(top, m);
    }
  }
  const cnnsBetter = CNNS.filter((m) => significantlyBetter(s, protocol, m, BASELINE));
  const annPairs = CNNS.filter((m) => !covered.has([m, BASELINE].sort().join('/')));
  if (annPairs.length > 0) {
    if (cnnsBetter.length === CNNS.length) {
      parts.push(`every convolutional model is more accurate than ${nameOf(BASELINE)} (Holm-adjusted ${maxP(CNNS.map((m) => comparisonOf(s, protocol, m, BASELINE)))})`);
      for (const m of CNNS) findings.push({ kind: 'more-accurate', protocol, better: m, worse: BASELINE });
      for (const m of CNNS) cover(m, BASELINE);
    } else {
      for (const m of annPairs) {
        const p = pairSentence(s, protocol, m, BASELINE);
        parts.push(p.text);
        findings.push(...p.findings);
        cover(m, BASELINE);
      }
    }
  }
  for (let i = 0; i < MODEL_NAMES.length; i++) {
    for (let j = i + 1; j < MODEL_NAMES.length; j++) {
      const [x, y] = [MODEL_NAMES[i], MODEL_NAMES[j]];
      if (covered.has([x, y].sort().join('/'))) continue;
      const p = pairSentence(s, protocol, x, y);
      parts.push(p.text);
      findings.push(...p.findings);
      cover(x, y);
    }
  }
  const text = `On ${PROTOCOL_PHRASE[protocol]}, over ${s.seeds.length} training seeds, ${joinClauses(parts)}.`;
  return { text, findings };
}

function joinClauses(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join('; ')}; and ${parts[parts.length - 1]}`;
}

function onProtocols(ps: SplitProtocol[], all: SplitProtocol[]): string {
  if (ps.length === all.length && all.length > 1) return 'on both protocols';
  return ps.map((p) => `on ${PROTOCOL_PHRASE[p]}`).join(' and ');
}

/**
 * The short form for the abstract, the discussion and the conclusion: the CNNs against the ANN,
 * the most accurate model, and the pairs that do not differ, across protocols.
 */
export function overallSentences(s: StudySummary): { cnnsVsAnn: GeneratedSentence; best: GeneratedSentence; wins: GeneratedSentence | undefined; ties: GeneratedSentence; anyDifference: boolean } {
  const protocols = s.protocols;
  const allBeat = protocols.filter((p) => CNNS.every((m) => significantlyBetter(s, p, m, BASELINE)));
  const cnnsVsAnn: GeneratedSentence =
    allBeat.length === protocols.length
      ? { text: `every convolutional model is more accurate than the fully connected baseline ${onProtocols(protocols, protocols)}`, findings: protocols.flatMap((p) => CNNS.map((m) => ({ kind: 'more-accurate' as const, protocol: p, better: m, worse: BASELINE }))) }
      : {
          text: protocols.map((p) => `on ${PROTOCOL_PHRASE[p]} ${CNNS.filter((m) => significantlyBetter(s, p, m, BASELINE)).map((m) => MODEL_TITLES[m]).join(', ') || 'no convolutional model'} ${CNNS.filter((m) => significantlyBetter(s, p, m, BASELINE)).length === 1 ? 'is' : 'are'} significantly more accurate than the fully connected baseline`).join(', and '),
          findings: protocols.flatMap((p) => CNNS.filter((m) => significantlyBetter(s, p, m, BASELINE)).map((m) => ({ kind: 'more-accurate' as const, protocol: p, better: m, worse: BASELINE }))),
        };
  const bests = protocols.map((p) => mostAccurate(s, p));
  let best: GeneratedSentence;
  if (bests.every((b) => b !== undefined && b === bests[0])) {
    const m = bests[0]!;
    best = { text: `${MODEL_TITLES[m]} is the most accurate model ${onProtocols(protocols, protocols)}`, findings: protocols.flatMap((p) => MODEL_NAMES.filter((o) => o !== m).map((o) => ({ kind: 'more-accurate' as const, protocol: p, better: m, worse: o }))) };
  } else if (bests.every((b) => b === undefined)) {
    best = { text: `no model is significantly more accurate than all the others ${protocols.length > 1 ? 'on either protocol' : `on ${PROTOCOL_PHRASE[protocols[0]]}`}`, findings: [] };
  } else {
    const clauses = protocols.map((p, i) => {
      const b = bests[i];
      return b ? `${MODEL_TITLES[b]} is the most accurate model on ${PROTOCOL_PHRASE[p]}` : `on ${PROTOCOL_PHRASE[p]} no model is significantly more accurate than all the others`;
    });
    // "while" when one protocol has a most accurate model and another has none.
    const mixed = bests.some((b) => b === undefined) && bests.some((b) => b !== undefined);
    best = {
      text: clauses.join(mixed ? ', while ' : ', and '),
      findings: protocols.flatMap((p, i) => (bests[i] ? MODEL_NAMES.filter((o) => o !== bests[i]).map((o) => ({ kind: 'more-accurate' as const, protocol: p, better: bests[i]!, worse: o })) : [])),
    };
  }
  // Significant differences the two clauses above do not already state (between convolutional
  // models, beside the most accurate one), grouped by where they hold.
  const winsBy = new Map<string, SplitProtocol[]>();
  protocols.forEach((p, i) => {
    for (const c of s.comparisons.filter((k) => k.protocol === p && k.significant)) {
      const [better, worse] = oriented(c, c.a).diff > 0 ? [c.a, c.b] : [c.b, c.a];
      if (worse === BASELINE || better === bests[i]) continue;
      winsBy.set(`${better}/${worse}`, [...(winsBy.get(`${better}/${worse}`) ?? []), p]);
    }
  });
  const wins: GeneratedSentence | undefined = winsBy.size
    ? {
        text: joinClauseList(
          [...winsBy].map(([pair, ps]) => {
            const [better, worse] = pair.split('/') as [ModelName, ModelName];
            return `${nameOf(better)} is more accurate than ${nameOf(worse)} ${onProtocols(ps, protocols)}`;
          }),
        ),
        findings: [...winsBy].flatMap(([pair, ps]) => {
          const [better, worse] = pair.split('/') as [ModelName, ModelName];
          return ps.map((p) => ({ kind: 'more-accurate' as const, protocol: p, better, worse }));
        }),
      }
    : undefined;
  // Pairs that do not differ, grouped by where (those common to every protocol first: "on either
  // protocol"); pairs of a group that share a model read "neither A nor B differs from C".
  const tiesBy = new Map<string, SplitProtocol[]>();
  for (const c of s.comparisons) if (!c.significant) tiesBy.set(`${c.a}/${c.b}`, [...(tiesBy.get(`${c.a}/${c.b}`) ?? []), c.protocol]);
  const groups = new Map<string, Array<[ModelName, ModelName]>>();
  const tieFindings: StudyFinding[] = [];
  for (const [pair, ps] of tiesBy) {
    const [a, b] = pair.split('/') as [ModelName, ModelName];
    const where = ps.length === protocols.length && protocols.length > 1 ? 'on either protocol' : ps.map((p) => `on ${PROTOCOL_PHRASE[p]}`).join(' or ');
    groups.set(where, [...(groups.get(where) ?? []), [a, b]]);
    for (const p of ps) tieFindings.push({ kind: 'no-difference', protocol: p, a, b });
  }
  const tieClauses = [...groups].map(([where, pairs]) => tieClause(pairs, where));
  const ties: GeneratedSentence = { text: tieClauses.length ? joinClauseList(tieClauses) : 'every pair of models differs significantly on every protocol', findings: tieFindings };
  return { cnnsVsAnn, best, wins, ties, anyDifference: s.comparisons.some((c) => c.significant) };
}

/** "A and B do not differ significantly W", or, when every pair shares one model C: "neither A nor B differs significantly from C W". */
function tieClause(pairs: Array<[ModelName, ModelName]>, where: string): string {
  const common = pairs.length > 1 ? MODEL_NAMES.find((m) => pairs.every((p) => p.includes(m))) : undefined;
  if (!common) return joinClauseList(pairs.map(([a, b]) => `${nameOf(a)} and ${nameOf(b)} do not differ significantly ${where}`));
  const others = pairs.map((p) => (p[0] === common ? p[1] : p[0]));
  const subject = others.length === 2 ? `neither ${nameOf(others[0])} nor ${nameOf(others[1])}` : `none of ${joinList(others.map((m) => nameOf(m)))}`;
  return `${subject} differs significantly from ${nameOf(common)} ${where}`;
}

/** Clauses that may contain "and" themselves: ", and" for two, semicolons for more. */
function joinClauseList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return items.join(', and ');
  return `${items.slice(0, -1).join('; ')}; and ${items[items.length - 1]}`;
}

function joinList(items: string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** x's train − test gap significantly wider than y's (Holm-adjusted paired t-test on the gap below alpha, mean difference positive). */
export function significantlyWiderGap(s: StudySummary, protocol: SplitProtocol, x: ModelName, y: ModelName): boolean {
  const c = gapComparisonOf(s, protocol, x, y);
  return c.significant && oriented(c, x).diff > 0;
}

/** The models in order of mean train − test gap, widest first. */
export function byGap(s: StudySummary, protocol: SplitProtocol): ModelName[] {
  return MODEL_NAMES.filter((m) => s.models.includes(m)).sort((a, b) => s.runs[`${protocol}/${b}`].gap.mean - s.runs[`${protocol}/${a}`].gap.mean);
}

/**
 * The models in tiers by gap, widest first: walking down the order of mean gaps, a model joins the
 * current tier when its gap differs significantly from none of the tier's models, else it starts
 * the next. Within a tier no pair differs; between tiers most pairs do (the sentence names the
 * exceptions).
 */
export function gapTiers(s: StudySummary, protocol: SplitProtocol): ModelName[][] {
  const tiers: ModelName[][] = [];
  for (const m of byGap(s, protocol)) {
    const last = tiers[tiers.length - 1];
    if (last && last.every((o) => !gapComparisonOf(s, protocol, o, m).significant)) last.push(m);
    else tiers.push([m]);
  }
  return tiers;
}

const gapPoints = (s: StudySummary, protocol: SplitProtocol, m: ModelName) => `${(100 * s.runs[`${protocol}/${m}`].gap.mean).toFixed(2)} points`;

/**
 * The ranking of the train − test gaps on one protocol, from the paired comparisons of the gap over
 * seeds: "On the paper's split, over 5 training seeds, the train − test gap is widest for CNN 1
 * (2.97 points) and CNN 2 (2.90 points), which do not differ significantly, then CNN 3 (2.09
 * points), then the ANN (0.51 points); each gap is significantly wider than every gap named after
 * it (…)". Every pair gets a finding, so checkStudyFindings catches a sentence the numbers no
 * longer support.
 */
export function gapRankingSentence(s: StudySummary, protocol: SplitProtocol): GeneratedSentence {
  const m = pairsPerProtocol(s);
  const tests = `paired t-tests over seeds on the gap, Holm-adjusted over the ${numberWord(m)} pairs of the split, at the ${s.alpha} level`;
  const where = `On ${PROTOCOL_PHRASE[protocol]}, over ${s.seeds.length} training seeds`;
  const tiers = gapTiers(s, protocol);
  const findings: StudyFinding[] = [];
  const pHolm = (x: ModelName, y: ModelName) => gapComparisonOf(s, protocol, x, y).pHolm;
  if (tiers.length === 1) {
    const order = tiers[0];
    for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) findings.push({ kind: 'no-gap-difference', protocol, a: order[i], b: order[j] });
    const ps = findings.map((f) => (f.kind === 'no-gap-difference' ? pHolm(f.a, f.b) ?? 1 : 1));
    const low = order[order.length - 1];
    return {
      text: `${where}, no two models' train − test gaps differ significantly: they range from ${gapPoints(s, protocol, low)} (${nameOf(low)}) to ${gapPoints(s, protocol, order[0])} (${nameOf(order[0])}) (${tests}: the smallest Holm-adjusted p is ${formatP(Math.min(...ps))}).`,
      findings,
    };
  }
  const tierPhrase = (tier: ModelName[]) => {
    const names = tier.map((x) => `${nameOf(x)} (${gapPoints(s, protocol, x)})`);
    if (tier.length === 1) return names[0];
    for (let i = 0; i < tier.length; i++) for (let j = i + 1; j < tier.length; j++) findings.push({ kind: 'no-gap-difference', protocol, a: tier[i], b: tier[j] });
    return `${joinList(names)}, ${tier.length === 2 ? 'which do not differ significantly' : 'no two of which differ significantly'}`;
  };
  const [first, ...rest] = tiers.map(tierPhrase);
  const exceptions: string[] = [];
  const widerPs: number[] = [];
  tiers.forEach((tier, i) => {
    for (const x of tier) {
      for (const y of tiers.slice(i + 1).flat()) {
        if (significantlyWiderGap(s, protocol, x, y)) {
          findings.push({ kind: 'wider-gap', protocol, wider: x, narrower: y });
          widerPs.push(pHolm(x, y) ?? 1);
        } else {
          findings.push({ kind: 'no-gap-difference', protocol, a: x, b: y });
          exceptions.push(`${nameOf(x)} and ${nameOf(y)} do not differ significantly (Holm-adjusted ${pPhrase(pHolm(x, y))})`);
        }
      }
    }
  });
  const ranking = `the train − test gap is widest for ${first}, ${rest.map((r) => `then ${r}`).join(', ')}`;
  const wider = widerPs.length ? `${tests}: ${pPhrase(Math.max(...widerPs), true)}` : tests;
  const order = exceptions.length
    ? `each gap is significantly wider than the gaps named after it (${wider}), except that ${joinClauseList(exceptions)}`
    : `each gap is significantly wider than every gap named after it (${wider})`;
  return { text: `${where}, ${ranking}; ${order}.`, findings };
}

/**
 * What McNemar's test says on one protocol, seed by seed, and where it disagrees with the seed test
 * the verdicts use (MCNEMAR_NOTE says why they can). No ranking: it makes no finding.
 */
export function mcnemarSentence(s: StudySummary, protocol: SplitProtocol): GeneratedSentence {
  const cs = s.comparisons.filter((c) => c.protocol === protocol && c.mcnemar);
  const n = s.seeds.length;
  const m = pairsPerProtocol(s);
  const head = `On ${PROTOCOL_PHRASE[protocol]}, McNemar's exact test on each of the ${n} seeds' test predictions (Holm-adjusted over the ${numberWord(m)} pairs within each seed)`;
  const pairName = (c: Comparison) => `${nameOf(c.a)} and ${nameOf(c.b)}`;
  const found = cs.filter((c) => c.mcnemar!.significantSeeds > 0);
  // Grouped by how many seeds: "in all 5 seeds for the ANN against CNN 1 and …; in 4 of 5 for …".
  const bySeeds = [...new Set(found.map((c) => c.mcnemar!.significantSeeds))].sort((x, y) => y - x);
  const groups = bySeeds.map((k, i) => {
    const pairs = found.filter((c) => c.mcnemar!.significantSeeds === k).map((c) => `${nameOf(c.a)} against ${nameOf(c.b)}`);
    return `${k === n ? `in all ${n} seeds` : `in ${k} of ${n}${i === 0 ? ' seeds' : ''}`} for ${joinList(pairs)}`;
  });
  const finds = found.length ? `finds a significant difference ${groups.join('; ')}${found.length < cs.length ? '; and for no other pair in any seed' : ''}` : 'finds no significant difference between any pair in any seed';
  const onlyMcNemar = cs.filter((c) => c.mcnemar!.significantSeeds > 0 && !c.significant);
  const onlySeeds = cs.filter((c) => c.significant && c.mcnemar!.significantSeeds < n);
  const disagreements = [
    ...onlyMcNemar.map((c) => `${pairName(c)} differ by McNemar in ${c.mcnemar!.significantSeeds} of ${n} seeds but not over seeds (Holm-adjusted ${pPhrase(c.pHolm)})`),
    ...onlySeeds.map((c) => `${pairName(c)} differ over seeds (Holm-adjusted ${pPhrase(c.pHolm)}) but by McNemar in only ${c.mcnemar!.significantSeeds} of ${n} seeds`),
  ];
  const verdict = disagreements.length ? `; where it disagrees with the paired t-test over seeds, which the verdicts use: ${joinClauseList(disagreements)}` : '; the paired t-test over seeds, which the verdicts use, agrees on every pair';
  return { text: `${head} ${finds}${verdict}.`, findings: [] };
}


/** Every generated sentence, keyed as it appears under `study.` in _variables.yml. */
export function studySentences(s: StudySummary): Record<string, GeneratedSentence> {
  const out: Record<string, GeneratedSentence> = {};
  const planned = studySeeds().length;
  if (s.seeds.length < 2) return untestedSentences(s, planned);
  for (const p of s.protocols) {
    out[`ranking.${p}`] = rankingSentence(s, p);
    out[`gap_ranking.${p}`] = gapRankingSentence(s, p);
    out[`mcnemar.${p}`] = mcnemarSentence(s, p);
    for (let i = 0; i < MODEL_NAMES.length; i++) for (let j = i + 1; j < MODEL_NAMES.length; j++) out[`pairs.${p}.${MODEL_NAMES[i]}_${MODEL_NAMES[j]}`] = pairSentence(s, p, MODEL_NAMES[i], MODEL_NAMES[j]);
  }
  const o = overallSentences(s);
  const all = [o.cnnsVsAnn, o.best, ...(o.wins ? [o.wins] : []), o.ties];
  const body = joinClauses(all.map((x) => x.text));
  out.abstract = {
    text: `Over ${s.seeds.length} training seeds per model, ${body} (paired t-tests over seeds, Holm-adjusted over the ${numberWord(pairsPerProtocol(s))} pairs of each protocol, at the ${s.alpha} level).`,
    findings: all.flatMap((x) => x.findings),
  };
  // The comparison with the paper states the verdict once and points to where the numbers are.
  out.versus_paper = {
    text: o.anyDifference
      ? `Unlike the paper, we do not find that all ${numberWord(s.models.length)} models perform alike: over ${s.seeds.length} seeds, ${s.comparisons.filter((c) => c.significant).length} of the ${s.comparisons.length} paired comparisons of test accuracy differ significantly.`
      : s.seeds.length < planned
        ? `Over the ${s.seeds.length} seeds run so far (of ${planned} planned) no pair of models differs significantly on either protocol; with so few seeds that says little about whether the models perform alike, as the paper concludes.`
        : `Like the paper, we find that the models perform alike: over ${s.seeds.length} seeds no pair of models differs significantly on either protocol.`,
    findings: [],
  };
  out.conclusion = { text: `${capitalise(body)}.`, findings: all.flatMap((x) => x.findings) };
  return out;
}

/**
 * With one seed there is no spread over seeds to test against: every ranking sentence says so
 * instead of reading "do not differ" into a test that was not made.
 */
function untestedSentences(s: StudySummary, planned: number): Record<string, GeneratedSentence> {
  const text = `With ${s.seeds.length} training seed per model (of ${planned} planned) the seed study cannot yet test whether the models differ, in accuracy or in their train − test gaps; running fmnist study trains the remaining seeds.`;
  const out: Record<string, GeneratedSentence> = {};
  for (const p of s.protocols) {
    out[`ranking.${p}`] = { text, findings: [] };
    out[`gap_ranking.${p}`] = { text, findings: [] };
    out[`mcnemar.${p}`] = { text, findings: [] };
    for (let i = 0; i < MODEL_NAMES.length; i++) for (let j = i + 1; j < MODEL_NAMES.length; j++) out[`pairs.${p}.${MODEL_NAMES[i]}_${MODEL_NAMES[j]}`] = { text, findings: [] };
  }
  for (const k of ['abstract', 'versus_paper', 'conclusion']) out[k] = { text, findings: [] };
  return out;
}

/** Problems with the findings of the generated sentences, judged against the study's comparisons; [] when all hold. */
export function checkStudyFindings(s: StudySummary, sentences: Record<string, GeneratedSentence> = studySentences(s)): string[] {
  const problems: string[] = [];
  for (const [key, sentence] of Object.entries(sentences)) {
    for (const f of sentence.findings) {
      if (f.kind === 'more-accurate') {
        const c = comparisonOf(s, f.protocol, f.better, f.worse);
        const diff = c.a === f.better ? c.meanDiff : -c.meanDiff;
        if (!(c.pHolm !== null && c.pHolm < s.alpha && diff > 0)) problems.push(`study.${key} says ${f.better} is more accurate than ${f.worse} (${f.protocol}), but the study gives a mean difference of ${formatPoints(diff)} points with Holm ${pPhrase(c.pHolm)}`);
      } else if (f.kind === 'no-difference') {
        const c = comparisonOf(s, f.protocol, f.a, f.b);
        if (c.pHolm !== null && c.pHolm < s.alpha) problems.push(`study.${key} says ${f.a} and ${f.b} do not differ (${f.protocol}), but the study gives Holm p = ${formatP(c.pHolm)} < ${s.alpha}`);
      } else if (f.kind === 'wider-gap') {
        const c = gapComparisonOf(s, f.protocol, f.wider, f.narrower);
        const diff = c.a === f.wider ? c.meanDiff : -c.meanDiff;
        if (!(c.pHolm !== null && c.pHolm < s.alpha && diff > 0)) problems.push(`study.${key} says ${f.wider}'s gap is wider than ${f.narrower}'s (${f.protocol}), but the study gives a mean gap difference of ${formatPoints(diff)} points with Holm ${pPhrase(c.pHolm)}`);
      } else {
        const c = gapComparisonOf(s, f.protocol, f.a, f.b);
        if (c.pHolm !== null && c.pHolm < s.alpha) problems.push(`study.${key} says the gaps of ${f.a} and ${f.b} do not differ (${f.protocol}), but the study gives Holm ${pPhrase(c.pHolm)} < ${s.alpha}`);
      }
    }
  }
  return problems;
}

export function readStudySummary(file: string): StudySummary {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the seed study (\`node bin/fmnist.js study\`, or the main job \`npm run main\`, which runs it)`);
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StudySummary;
  if (typeof s?.format === 'string' && s.format.startsWith('fmnist-study-') && s.format !== STUDY_FORMAT) {
    // An older summary: its runs are fine, only the statistics need rewriting (no training).
    throw new Error(`${file} is in the older format ${s.format} (this code reads ${STUDY_FORMAT}); rewrite it from the saved runs with \`node bin/fmnist.js study${s.profile && s.profile !== 'paper' ? ` --profile ${s.profile}` : ''}\` (runs that are saved and current are not retrained)`);
  }
  if (s?.format !== STUDY_FORMAT) throw new Error(`${file} is not a seed-study summary (format ${JSON.stringify(s?.format)}); rerun \`node bin/fmnist.js study\``);
  return s;
}
