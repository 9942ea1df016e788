import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelName } from '../models/architectures';
import { modelTitle } from '../models/registry';
import { committedRuntime, type RuntimeIdentity } from '../results/identity';
import { openVerifiedRun, resolveSettings } from '../results/saved-runs';
import { resultsDir } from '../util/paths';
import { writeJsonAtomic } from '../util/atomic';
import { ABLATION, ABLATION_ARM_IDS, ablationArm, ablationRun, type AblationArm, type AblationArmId, type StudyRun } from './plans';
import { holmAdjust, pairedTTest, summarize, type Summary } from './statistics';
import { ALPHA, studyDir } from './summary';
import { formatPercentMeanSd } from './format';

/**
 * results/study/ablation.json: what each of our additions to the paper's recipe does, from the
 * saved runs of the ablation plan (src/study/plans.ts) and its baseline, the improved condition's
 * runs of the same seeds. Built without training (`fmnist study --plan ablation|claims` writes it once
 * every run is saved and current); the report reads it with readAblationSummary().
 */

/** One saved run of the ablation, as the summary needs it (accuracies are fractions). */
export interface AblationSeed {
  seed: number;
  testAccuracy: number;
  trainAccuracy: number;
  /** Train − test accuracy. */
  gap: number;
  /** The epoch whose weights were kept, of `epochs`. */
  bestEpoch: number;
  epochs: number;
  cacheKey: string;
  /** The run's folder relative to the results root (e.g. paper-noaug-seed1/paper/cnn2). */
  folder: string;
}

/** One (arm or baseline, model) cell: summaries over the seeds. */
export interface AblationCell {
  model: ModelName;
  testAccuracy: Summary;
  trainAccuracy: Summary;
  gap: Summary;
  perSeed: AblationSeed[];
}

/** The arm minus the baseline, paired by seed. */
export interface PairedDiff {
  meanDiff: number;
  ci95: [number, number] | null;
  t: number | null;
  df: number;
  p: number | null;
  /** Holm-adjusted over the ablation's arm × model tests of the same metric; null without a p-value. */
  pHolm: number | null;
  /** pHolm < alpha: the sentence says the arm moves this metric. */
  significant: boolean;
}

export interface AblationArmModel extends AblationCell {
  vsBaseline: { testAccuracy: PairedDiff; trainAccuracy: PairedDiff; gap: PairedDiff };
}

export interface AblationArmSummary extends Omit<AblationArm, 'id'> {
  id: AblationArmId;
  /** Keyed by model. */
  models: Record<string, AblationArmModel>;
  /** Whether the arm moves the gap / the test accuracy of any model beyond seed noise (Holm). */
  movesGap: boolean;
  movesAccuracy: boolean;
  /** The generated sentence (ablationSentence). */
  sentence: string;
}

export interface AblationSummary {
  format: 'fmnist-ablation-1';
  /** The condition the arms take something from (profile id 'paper', titled improved). */
  condition: typeof ABLATION.profile;
  protocol: typeof ABLATION.protocol;
  models: ModelName[];
  seeds: number[];
  alpha: number;
  /** How the p-values behind the sentences are adjusted. */
  adjustment: string;
  /** The improved condition's runs of the same seeds, keyed by model. */
  baseline: Record<string, AblationCell>;
  arms: AblationArmSummary[];
}

/** What the summary reads of one run: tests feed made-up ones. */
export interface AblationRunInput {
  arm: AblationArmId | 'baseline';
  model: ModelName;
  result: AblationSeed;
}

export function ablationPath(runtime: RuntimeIdentity = committedRuntime(), root?: string): string {
  return path.join(studyDir(ABLATION.profile, runtime, root), 'ablation.json');
}

function settingsOf(run: StudyRun) {
  return resolveSettings({ ...run.overrides, model: run.model, profile: run.profile, protocol: run.protocol, seed: run.seed });
}

/** Every saved run of the ablation and its baseline (verified; weights optional). Throws NoSavedRunError for a missing one. */
export function readAblationRuns(runtime: RuntimeIdentity = committedRuntime(), root?: string): AblationRunInput[] {
  const out: AblationRunInput[] = [];
  for (const arm of ['baseline', ...ABLATION_ARM_IDS] as const) {
    for (const model of ABLATION.models) {
      for (const seed of ABLATION.seeds) {
        const saved = openVerifiedRun({ ...settingsOf(ablationRun(arm, model, seed)), runtime }, { root, weightsOptional: true });
        const { run, metrics } = saved;
        out.push({
          arm,
          model,
          result: {
            seed,
            testAccuracy: metrics.test.accuracy,
            trainAccuracy: metrics.train.accuracy,
            gap: metrics.train.accuracy - metrics.test.accuracy,
            bestEpoch: run.bestEpoch,
            epochs: run.epochs,
            cacheKey: run.cacheKey,
            folder: path.relative(root ?? resultsDir(), saved.dir).split(path.sep).join('/'),
          },
        });
      }
    }
  }
  return out;
}

function cell(inputs: AblationRunInput[], arm: AblationArmId | 'baseline', model: ModelName, seeds: readonly number[]): AblationCell {
  const perSeed = seeds.map((seed) => {
    const x = inputs.find((i) => i.arm === arm && i.model === model && i.result.seed === seed);
    if (!x) throw new Error(`the ablation has no run for ${arm}/${model} seed ${seed}; run \`fmnist study --plan ablation\``);
    return x.result;
  });
  return {
    model,
    testAccuracy: summarize(perSeed.map((r) => r.testAccuracy)),
    trainAccuracy: summarize(perSeed.map((r) => r.trainAccuracy)),
    gap: summarize(perSeed.map((r) => r.gap)),
    perSeed,
  };
}

const METRICS = ['testAccuracy', 'trainAccuracy', 'gap'] as const;

/**
 * Per arm and model: summaries over the seeds, and the paired difference to the baseline (arm −
 * baseline, paired t-test). Each metric's p-values are Holm-adjusted over all the ablation's
 * arm × model tests of that metric (the family the sentences draw conclusions from), so with
 * many arms a difference must be clearer before a sentence calls it an effect. Pure.
 */
export function summarizeAblation(inputs: AblationRunInput[], design: { models: readonly ModelName[]; seeds: readonly number[] } = ABLATION): AblationSummary {
  const baseline: Record<string, AblationCell> = {};
  for (const model of design.models) baseline[model] = cell(inputs, 'baseline', model, design.seeds);
  type Raw = { arm: AblationArmId; model: ModelName; cell: AblationCell; t: Record<(typeof METRICS)[number], ReturnType<typeof pairedTTest>> };
  const raw: Raw[] = [];
  for (const arm of ABLATION_ARM_IDS) {
    for (const model of design.models) {
      const c = cell(inputs, arm, model, design.seeds);
      const b = baseline[model];
      const t = Object.fromEntries(METRICS.map((m) => [m, pairedTTest(c.perSeed.map((r) => r[m]), b.perSeed.map((r) => r[m]))])) as Raw['t'];
      raw.push({ arm, model, cell: c, t });
    }
  }
  const holm = Object.fromEntries(METRICS.map((m) => [m, holmAdjust(raw.map((r) => r.t[m].p ?? 1))])) as Record<(typeof METRICS)[number], number[]>;
  const arms: AblationArmSummary[] = ABLATION_ARM_IDS.map((id) => {
    const { id: _id, ...spec } = ablationArm(id);
    const models: Record<string, AblationArmModel> = {};
    raw.forEach((r, k) => {
      if (r.arm !== id) return;
      const diff = (m: (typeof METRICS)[number]): PairedDiff => {
        const t = r.t[m];
        const pHolm = t.p === null ? null : holm[m][k];
        return { meanDiff: t.meanDiff, ci95: t.ci95, t: t.t, df: t.df, p: t.p, pHolm, significant: pHolm !== null && pHolm < ALPHA };
      };
      models[r.model] = { ...r.cell, vsBaseline: { testAccuracy: diff('testAccuracy'), trainAccuracy: diff('trainAccuracy'), gap: diff('gap') } };
    });
    const results = design.models.map((model) => ({ model, vsBaseline: models[model].vsBaseline }));
    return {
      id,
      ...spec,
      models,
      movesGap: results.some((r) => r.vsBaseline.gap.significant),
      movesAccuracy: results.some((r) => r.vsBaseline.testAccuracy.significant),
      sentence: ablationSentence(spec, results),
    };
  });
  return {
    format: 'fmnist-ablation-1',
    condition: ABLATION.profile,
    protocol: ABLATION.protocol,
    models: [...design.models],
    seeds: [...design.seeds],
    alpha: ALPHA,
    adjustment: `paired t-tests of arm − baseline over the seeds, Holm-adjusted per metric over the ${raw.length} arm × model tests`,
    baseline,
    arms,
  };
}

// ---------------------------------------------------------------------------------------------
// The generated sentence

type Outcome = 'up' | 'down' | 'none';

const outcomeOf = (d: PairedDiff): Outcome => (d.significant ? (d.meanDiff > 0 ? 'up' : 'down') : 'none');

/** A difference of fractions in points, signed: '+1.90 points', '−0.21 points'. */
function points(diff: number): string {
  const v = 100 * diff;
  const s = Math.abs(v).toFixed(2);
  return `${v < 0 && s !== '0.00' ? '−' : '+'}${s} points`;
}

function holmP(d: PairedDiff): string {
  if (d.pHolm === null) return 'no test with one seed';
  return d.pHolm < 0.001 ? 'Holm p < 0.001' : `Holm p = ${d.pHolm.toFixed(3)}`;
}

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * "widens the train–test gap (CNN 2 +1.90 points, Holm p = 0.004; CNN 3 …)" when every model
 * moves the same way; otherwise one clause per outcome, joined by "but": "widens the train–test
 * gap of CNN 2 (…) but leaves that of CNN 3 within seed noise (…)".
 */
function metricClause(noun: string, verbs: Record<Exclude<Outcome, 'none'>, string>, rows: Array<{ model: ModelName; d: PairedDiff }>): string {
  const detail = (rs: typeof rows) => rs.map((r) => `${modelTitle(r.model)} ${points(r.d.meanDiff)}, ${holmP(r.d)}`).join('; ');
  const groups = (['up', 'down', 'none'] as const).map((o) => ({ o, rows: rows.filter((r) => outcomeOf(r.d) === o) })).filter((g) => g.rows.length > 0);
  const verb = (o: Outcome) => (o === 'none' ? 'leaves' : verbs[o]);
  const tail = (o: Outcome) => (o === 'none' ? ' within seed noise' : '');
  if (groups.length === 1) return `${verb(groups[0].o)} ${noun}${tail(groups[0].o)} (${detail(groups[0].rows)})`;
  return groups
    .map((g, i) => `${verb(g.o)} ${i === 0 ? noun : 'that'} of ${list(g.rows.map((r) => modelTitle(r.model)))}${tail(g.o)} (${detail(g.rows)})`)
    .join(' but ');
}

/**
 * One sentence per arm, from its paired differences to the baseline: what removing the addition
 * does to the train–test gap and to test accuracy, model by model, and which of the two it moves.
 * A difference counts as an effect only when its Holm-adjusted p-value is below ALPHA; otherwise
 * the sentence says it stays within seed noise. Pure: tests feed it made-up differences.
 */
export function ablationSentence(arm: Pick<AblationArm, 'change'>, results: Array<{ model: ModelName; vsBaseline: { gap: PairedDiff; testAccuracy: PairedDiff } }>): string {
  const gap = metricClause('the train–test gap', { up: 'widens', down: 'narrows' }, results.map((r) => ({ model: r.model, d: r.vsBaseline.gap })));
  const acc = metricClause('test accuracy', { up: 'raises', down: 'lowers' }, results.map((r) => ({ model: r.model, d: r.vsBaseline.testAccuracy })));
  const movesGap = results.some((r) => r.vsBaseline.gap.significant);
  const movesAcc = results.some((r) => r.vsBaseline.testAccuracy.significant);
  const verdict = movesGap && movesAcc ? 'it moves both' : movesGap ? 'it moves the gap, not the accuracy' : movesAcc ? 'it moves the accuracy, not the gap' : 'it moves neither beyond seed noise';
  return `${arm.change} ${gap}, and ${acc}: ${verdict}.`;
}

// ---------------------------------------------------------------------------------------------
// Files

/** The ablation summary from the saved runs under `root` (default results/) made on `runtime` (default the committed one). No training. */
export function buildAblationSummary(root?: string, runtime: RuntimeIdentity = committedRuntime()): AblationSummary {
  return summarizeAblation(readAblationRuns(runtime, root));
}

export async function writeAblationSummary(summary: AblationSummary, runtime: RuntimeIdentity = committedRuntime(), root?: string): Promise<string> {
  const file = ablationPath(runtime, root);
  await writeJsonAtomic(file, summary);
  return file;
}

/** results/study/ablation.json (or the one of `runtime` under `root`), checked to be an ablation summary. */
export function readAblationSummary(root?: string, runtime: RuntimeIdentity = committedRuntime()): AblationSummary {
  const file = ablationPath(runtime, root);
  let parsed: Partial<AblationSummary>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<AblationSummary>;
  } catch (err) {
    throw new Error(`cannot read the ablation summary ${file}: ${(err as Error).message}. Write it with \`fmnist study --plan ablation\` (it trains only missing runs)`);
  }
  if (parsed.format !== 'fmnist-ablation-1' || !Array.isArray(parsed.arms)) throw new Error(`${file} is not an ablation summary (format ${JSON.stringify(parsed.format)}, expected fmnist-ablation-1)`);
  return parsed as AblationSummary;
}

/** The plain-text table `fmnist study` prints: per arm and model, means ± sd and the paired difference to the baseline, then the sentences. */
export function formatAblation(s: AblationSummary): string {
  const ms = formatPercentMeanSd;
  const diff = (d: PairedDiff) => `${points(d.meanDiff).replace(' points', '')} (${holmP(d)})`;
  const rows: string[][] = [];
  for (const model of s.models) {
    const b = s.baseline[model];
    rows.push(['improved', modelTitle(model), ms(b.testAccuracy), ms(b.trainAccuracy), ms(b.gap), '', '']);
    for (const arm of s.arms) {
      const c = arm.models[model];
      rows.push([arm.id, modelTitle(model), ms(c.testAccuracy), ms(c.trainAccuracy), ms(c.gap), diff(c.vsBaseline.testAccuracy), diff(c.vsBaseline.gap)]);
    }
  }
  const head = ['arm', 'model', 'test acc % (mean ± sd)', 'train acc %', 'gap pts', 'Δ test vs improved', 'Δ gap vs improved'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    `Ablation of the improved recipe: ${s.protocol} split, seeds ${s.seeds.join(', ')} (n = ${s.seeds.length}); ${s.adjustment}`,
    '',
    line(head),
    ...rows.map(line),
    '',
    ...s.arms.map((a) => `${a.id}: ${a.sentence}`),
  ].join('\n');
}
