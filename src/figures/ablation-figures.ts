import type { TableSpec } from './show';
import { modelTitle } from '../models/registry';
import { formatPercentMeanSd, formatPoints } from '../study/format';
import type { AblationSummary, PairedDiff } from '../study/ablation';

export const ABLATION_TABLE_TEXT = {
  id: 'tbl-ablation',
  caption:
    'The ablation: each arm removes one of our additions from the improved recipe, for CNN 2 and CNN 3 on the paper\'s split, over the same seeds as the improved runs it is paired with. ' +
    'Test accuracy and the train–test gap in % and points (mean ± sd over the seeds); Δ is the arm minus the improved recipe, paired by seed, with its Holm-adjusted p-value ' +
    '(over the ablation\'s arm × model tests of the same metric; * below 0.05).',
} as const;

const ms = formatPercentMeanSd;
const delta = (d: PairedDiff) => `${formatPoints(d.meanDiff)}${d.significant ? '*' : ''} (p ${d.pHolm === null ? 'n/a' : d.pHolm < 0.001 ? '< 0.001' : d.pHolm.toFixed(3)})`;

/** tbl-ablation: per model, the improved recipe's row, then one row per arm with its paired differences. */
export function ablationTable(s: AblationSummary): TableSpec {
  const rows: Array<Array<string | number>> = [];
  for (const model of s.models) {
    const b = s.baseline[model];
    rows.push([modelTitle(model), 'improved recipe', ms(b.testAccuracy), '', ms(b.gap), '']);
    for (const arm of s.arms) {
      const c = arm.models[model];
      rows.push([modelTitle(model), arm.title, ms(c.testAccuracy), delta(c.vsBaseline.testAccuracy), ms(c.gap), delta(c.vsBaseline.gap)]);
    }
  }
  return {
    ...ABLATION_TABLE_TEXT,
    columns: ['model', 'arm', 'test accuracy (%)', 'Δ accuracy (points)', 'gap (points)', 'Δ gap (points)'],
    rows,
    provenance: { results: ['results/study/ablation.json'], seeds: s.seeds, condition: s.condition, protocol: s.protocol },
  };
}

/** The same table while the ablation's runs are still being trained: says what is missing and how to make it. */
export function pendingAblationTable(reason: string): TableSpec {
  return { ...ABLATION_TABLE_TEXT, columns: ['status'], rows: [[`pending: ${reason}`]] };
}
