import * as fs from 'node:fs';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { formatP, formatPoints } from '../study/format';
import { studySeeds } from '../study/seeds';
import type { Comparison, StudySummary } from '../study/summary';
import { MODEL_TITLES } from '../models/registry';

/**
 * Every sentence of the article that ranks the models is generated here from the seed study
 * (results/study/summary.json), never typed: "CNN 3 is more accurate than CNN 1 (mean difference
 * +0.31 points, 95% CI [+0.12, +0.50], Holm-adjusted p = 0.012)" or "CNN 1 and CNN 2 do not differ
 * significantly (…)". Each sentence comes with the findings it asserts (`StudyFinding`), which
 * checkStudyFindings tests against the study, so a generated claim that disagrees with it fails.
 */

export const MODEL_LABEL: Record<ModelName, string> = MODEL_TITLES;
const PROTOCOL_PHRASE: Record<SplitProtocol, string> = { paper: "the paper's split", official: 'the official split' };
const CNNS: ModelName[] = ['cnn1', 'cnn2', 'cnn3'];

/** One thing a generated sentence asserts: `better` beats `worse` significantly, or the two do not differ significantly. */
export type StudyFinding =
  | { kind: 'more-accurate'; protocol: SplitProtocol; better: ModelName; worse: ModelName }
  | { kind: 'no-difference'; protocol: SplitProtocol; a: ModelName; b: ModelName };

export interface GeneratedSentence {
  text: string;
  findings: StudyFinding[];
}

export function comparisonOf(s: StudySummary, protocol: SplitProtocol, x: ModelName, y: ModelName): Comparison {
  const c = s.comparisons.find((k) => k.protocol === protocol && ((k.a === x && k.b === y) || (k.a === y && k.b === x)));
  if (!c) throw new Error(`the seed study has no comparison of ${x} and ${y} on the ${protocol} protocol; rerun \`fmnist study\``);
  return c;
}

/** The comparison seen from x's side: mean difference x − y and its interval. */
function oriented(c: Comparison, x: ModelName): { diff: number; ci: [number, number] | null } {
  if (c.a === x) return { diff: c.meanDiff, ci: c.ci95 };
  return { diff: -c.meanDiff, ci: c.ci95 ? [-c.ci95[1], -c.ci95[0]] : null };
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
  if (m !== 'ann') return MODEL_LABEL[m];
  return start ? 'The ANN' : 'the ANN';
}

function evidence(c: Comparison, x: ModelName): string {
  const o = oriented(c, x);
  const ci = o.ci ? `, 95% CI [${formatPoints(o.ci[0])}, ${formatPoints(o.ci[1])}]` : '';
  return `mean difference ${formatPoints(o.diff)} points${ci}, Holm-adjusted ${pPhrase(c.pHolm)}`;
}

/** The sentence for one pair: which is more accurate, or that they do not differ significantly. */
export function pairSentence(s: StudySummary, protocol: SplitProtocol, x: ModelName, y: ModelName): GeneratedSentence {
  const c = comparisonOf(s, protocol, x, y);
  const [hi, lo] = oriented(c, x).diff >= 0 ? [x, y] : [y, x];
  if (c.significant) {
    return { text: `${nameOf(hi, true)} is more accurate than ${nameOf(lo)} (${evidence(c, hi)})`, findings: [{ kind: 'more-accurate', protocol, better: hi, worse: lo }] };
  }
  return { text: `${nameOf(hi, true)} and ${nameOf(lo)} do not differ significantly (${evidence(c, hi)})`, findings: [{ kind: 'no-difference', protocol, a: hi, b: lo }] };
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
    parts.push(`${MODEL_LABEL[best]} is the most accurate model, more accurate than each of the other three (Holm-adjusted ${maxP(cs)})`);
    for (const m of MODEL_NAMES) if (m !== best) {
      findings.push({ kind: 'more-accurate', protocol, better: best, worse: m });
      cover(best, m);
    }
  } else {
    const top = order[0];
    const ties = order.filter((m) => m !== top && !significantlyBetter(s, protocol, top, m));
    const from = ties.map((m) => `${nameOf(m)} (${evidence(comparisonOf(s, protocol, top, m), top)})`);
    parts.push(`no model is more accurate than all the others: ${MODEL_LABEL[top]} has the highest mean accuracy, but it does not differ significantly from ${from.join(' or ')}`);
    for (const m of ties) {
      findings.push({ kind: 'no-difference', protocol, a: top, b: m });
      cover(top, m);
    }
  }
  const cnnsBetter = CNNS.filter((m) => significantlyBetter(s, protocol, m, 'ann'));
  const annPairs = CNNS.filter((m) => !covered.has([m, 'ann'].sort().join('/')));
  if (annPairs.length > 0) {
    if (cnnsBetter.length === CNNS.length) {
      parts.push(`every convolutional model is more accurate than the ANN (Holm-adjusted ${maxP(CNNS.map((m) => comparisonOf(s, protocol, m, 'ann')))})`);
      for (const m of CNNS) findings.push({ kind: 'more-accurate', protocol, better: m, worse: 'ann' });
      for (const m of CNNS) cover(m, 'ann');
    } else {
      for (const m of annPairs) {
        const p = pairSentence(s, protocol, m, 'ann');
        parts.push(p.text);
        findings.push(...p.findings);
        cover(m, 'ann');
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
export function overallSentences(s: StudySummary): { cnnsVsAnn: GeneratedSentence; best: GeneratedSentence; ties: GeneratedSentence; anyDifference: boolean } {
  const protocols = s.protocols;
  const allBeat = protocols.filter((p) => CNNS.every((m) => significantlyBetter(s, p, m, 'ann')));
  const cnnsVsAnn: GeneratedSentence =
    allBeat.length === protocols.length
      ? { text: `every convolutional model is more accurate than the fully connected baseline ${onProtocols(protocols, protocols)}`, findings: protocols.flatMap((p) => CNNS.map((m) => ({ kind: 'more-accurate' as const, protocol: p, better: m, worse: 'ann' as ModelName }))) }
      : {
          text: protocols.map((p) => `on ${PROTOCOL_PHRASE[p]} ${CNNS.filter((m) => significantlyBetter(s, p, m, 'ann')).map((m) => MODEL_LABEL[m]).join(', ') || 'no convolutional model'} ${CNNS.filter((m) => significantlyBetter(s, p, m, 'ann')).length === 1 ? 'is' : 'are'} significantly more accurate than the fully connected baseline`).join(', and '),
          findings: protocols.flatMap((p) => CNNS.filter((m) => significantlyBetter(s, p, m, 'ann')).map((m) => ({ kind: 'more-accurate' as const, protocol: p, better: m, worse: 'ann' as ModelName }))),
        };
  const bests = protocols.map((p) => mostAccurate(s, p));
  let best: GeneratedSentence;
  if (bests.every((b) => b !== undefined && b === bests[0])) {
    const m = bests[0]!;
    best = { text: `${MODEL_LABEL[m]} is the most accurate model ${onProtocols(protocols, protocols)}`, findings: protocols.flatMap((p) => MODEL_NAMES.filter((o) => o !== m).map((o) => ({ kind: 'more-accurate' as const, protocol: p, better: m, worse: o }))) };
  } else {
    const clauses = protocols.map((p, i) => {
      const b = bests[i];
      return b ? `${MODEL_LABEL[b]} is the most accurate model on ${PROTOCOL_PHRASE[p]}` : `on ${PROTOCOL_PHRASE[p]} no model is significantly more accurate than all the others`;
    });
    // "while" when one protocol has a most accurate model and another has none.
    const mixed = bests.some((b) => b === undefined) && bests.some((b) => b !== undefined);
    best = {
      text: clauses.join(mixed ? ', while ' : ', and '),
      findings: protocols.flatMap((p, i) => (bests[i] ? MODEL_NAMES.filter((o) => o !== bests[i]).map((o) => ({ kind: 'more-accurate' as const, protocol: p, better: bests[i]!, worse: o })) : [])),
    };
  }
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
  return { cnnsVsAnn, best, ties, anyDifference: s.comparisons.some((c) => c.significant) };
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

const capitalise = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/** Every generated sentence, keyed as it appears under `study.` in _variables.yml. */
export function studySentences(s: StudySummary): Record<string, GeneratedSentence> {
  const out: Record<string, GeneratedSentence> = {};
  const planned = studySeeds().length;
  if (s.seeds.length < 2) return untestedSentences(s, planned);
  for (const p of s.protocols) {
    out[`ranking.${p}`] = rankingSentence(s, p);
    for (let i = 0; i < MODEL_NAMES.length; i++) for (let j = i + 1; j < MODEL_NAMES.length; j++) out[`pairs.${p}.${MODEL_NAMES[i]}_${MODEL_NAMES[j]}`] = pairSentence(s, p, MODEL_NAMES[i], MODEL_NAMES[j]);
  }
  const o = overallSentences(s);
  const all = [o.cnnsVsAnn, o.best, o.ties];
  out.abstract = {
    text: `Over ${s.seeds.length} training seeds per model, ${o.cnnsVsAnn.text}; ${o.best.text}; and ${o.ties.text} (paired t-tests over seeds, Holm-adjusted over the six pairs of each protocol, at the 0.05 level).`,
    findings: all.flatMap((x) => x.findings),
  };
  out.versus_paper = {
    text: o.anyDifference
      ? `Unlike the paper, we do not find that all four models perform alike: over ${s.seeds.length} seeds, ${o.cnnsVsAnn.text}; ${o.best.text}; and ${o.ties.text}.`
      : s.seeds.length < planned
        ? `Over the ${s.seeds.length} seeds run so far (of ${planned} planned) no pair of models differs significantly on either protocol; with so few seeds that says little about whether the models perform alike, as the paper concludes.`
        : `Like the paper, we find that the models perform alike: over ${s.seeds.length} seeds no pair of models differs significantly on either protocol.`,
    findings: all.flatMap((x) => x.findings),
  };
  out.conclusion = { text: `${capitalise(o.cnnsVsAnn.text)}; ${o.best.text}; and ${o.ties.text}.`, findings: all.flatMap((x) => x.findings) };
  return out;
}

/**
 * With one seed there is no spread over seeds to test against: every ranking sentence says so
 * instead of reading "do not differ" into a test that was not made.
 */
function untestedSentences(s: StudySummary, planned: number): Record<string, GeneratedSentence> {
  const text = `With ${s.seeds.length} training seed per model (of ${planned} planned) the seed study cannot yet test whether the models differ; running fmnist study trains the remaining seeds.`;
  const out: Record<string, GeneratedSentence> = {};
  for (const p of s.protocols) {
    out[`ranking.${p}`] = { text, findings: [] };
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
        if (!(c.pHolm !== null && c.pHolm < s.alpha && diff > 0)) problems.push(`study.${key} says ${f.better} is more accurate than ${f.worse} (${f.protocol}), but the study gives a mean difference of ${formatPoints(diff)} points with Holm p = ${formatP(c.pHolm)}`);
      } else {
        const c = comparisonOf(s, f.protocol, f.a, f.b);
        if (c.pHolm !== null && c.pHolm < s.alpha) problems.push(`study.${key} says ${f.a} and ${f.b} do not differ (${f.protocol}), but the study gives Holm p = ${formatP(c.pHolm)} < ${s.alpha}`);
      }
    }
  }
  return problems;
}

export function readStudySummary(file: string): StudySummary {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the seed study (\`node bin/fmnist.js study\`, or the main job \`npm run main\`, which runs it)`);
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as StudySummary;
  if (s.format !== 'fmnist-study-1') throw new Error(`${file} is not a seed-study summary (format ${JSON.stringify(s.format)}); rerun \`node bin/fmnist.js study\``);
  return s;
}
