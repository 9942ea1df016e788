import type { SplitProtocol } from '../data/types';
import type { ModelName } from '../models/architectures';
import { paperModels } from '../models/registry';
import type { ProfileName } from '../training/profiles';

/**
 * What the verdicts on the paper's claims are computed from: for one training condition and one
 * split protocol, each model's statistics over the training seeds and the paired comparisons
 * between models. Built from a study summary (src/claims/from-summary.ts); tests build it by hand.
 * Accuracies and gaps are fractions (0.906, 0.068), never percent.
 */
export interface Stat {
  n: number;
  mean: number;
  sd: number | null;
}

export interface ModelEvidence {
  testAccuracy: Stat;
  trainAccuracy: Stat;
  /** Training accuracy minus test accuracy, per seed. */
  gap: Stat;
  macroF1: Stat;
  /** Median training wall seconds over the seeds. */
  trainSecondsMedian: number;
  /** Median training CPU seconds over the seeds; null when a run did not record them (before 5 December 2026). */
  trainCpuSecondsMedian: number | null;
  /** The processors the runs trained on, and whether they ran in one study session: training times compare only within one. */
  cpuModels: string[];
  /** The commits the runs were trained at ('unrecorded' for none): training times compare only from one commit's code. */
  commits: string[];
}

/** A paired comparison over seeds of model a minus model b, with its Holm-adjusted verdict. */
export interface PairEvidence {
  a: ModelName;
  b: ModelName;
  meanDiff: number;
  pHolm: number | null;
  significant: boolean;
}

export interface ConditionEvidence {
  condition: ProfileName;
  protocol: SplitProtocol;
  seeds: number[];
  models: Record<ModelName, ModelEvidence>;
  accuracy: PairEvidence[];
  gap: PairEvidence[];
}

/** The comparison of a against b in either orientation, as a − b. */
export function pair(list: readonly PairEvidence[], a: ModelName, b: ModelName): PairEvidence {
  const direct = list.find((p) => p.a === a && p.b === b);
  if (direct) return direct;
  const reverse = list.find((p) => p.a === b && p.b === a);
  if (reverse) return { ...reverse, a, b, meanDiff: -reverse.meanDiff };
  throw new Error(`no comparison of ${a} and ${b} in the evidence`);
}

/** The paper's models in the evidence: its claims ("every model", "the best") are about its own models only. */
export function modelsOf(e: ConditionEvidence): ModelName[] {
  return paperModels().filter((m) => m in e.models);
}
