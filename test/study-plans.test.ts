import { describe, expect, it } from 'vitest';
import { artifactDir } from '../src/results/layout';
import { MODEL_NAMES } from '../src/models/registry';
import { committedRuntime } from '../src/results/identity';
import { resolveSettings, trainCommand } from '../src/results/saved-runs';
import {
  ABLATION_ARM_IDS,
  ablationRun,
  ablationRuns,
  conditionStudy,
  expectedCost,
  parseShard,
  planStudy,
  PLAN_NAMES,
  runKey,
  selectionPlan,
  shardRuns,
  studyPlan,
  studyRun,
  studyRunLabel,
  trainArgs,
  type StudyRun,
} from '../src/study/plans';

const keys = (runs: StudyRun[]) => runs.map(runKey);

describe('runs carry their condition and overrides, and resolve like `fmnist train` with the same flags', () => {
  // The background queue trains exactly these with `fmnist train <model> --protocol paper --seed S <flag>`.
  const queue: Array<[string, 'cnn2' | 'cnn3', number, Record<string, unknown>, string]> = [
    ['noaug', 'cnn2', 1, { augmentation: 'none' }, 'paper-noaug-seed1/paper/cnn2'],
    ['noaug', 'cnn3', 42, { augmentation: 'none' }, 'paper-noaug/paper/cnn3'],
    ['constant', 'cnn2', 2, { lrSchedule: 'constant' }, 'paper-constant-seed2/paper/cnn2'],
    ['last', 'cnn3', 1, { restoreBest: false }, 'paper-last-seed1/paper/cnn3'],
    ['e15', 'cnn2', 42, { epochs: 15 }, 'paper-e15/paper/cnn2'],
    ['e15', 'cnn3', 2, { epochs: 15 }, 'paper-e15-seed2/paper/cnn3'],
  ];
  for (const [arm, model, seed, flags, folder] of queue) {
    it(`${arm} ${model} seed ${seed} → results/${folder}`, () => {
      const run = ablationRun(arm as (typeof ABLATION_ARM_IDS)[number], model, seed);
      expect(runKey(run)).toBe(folder);
      // The folder the CLI's flags resolve to (the same resolver, hence the same cache key inputs).
      const byHand = resolveSettings({ model, protocol: 'paper', profile: 'paper', seed, ...flags });
      expect(artifactDir({ ...byHand, runtime: committedRuntime() }, '')).toBe(folder);
      expect(resolveSettings({ ...run.overrides, model, profile: run.profile, protocol: run.protocol, seed })).toEqual(byHand);
    });
  }

  it('the baseline is the improved condition itself: results/paper/… and results/paper-seedN/…', () => {
    expect(runKey(ablationRun('baseline', 'cnn2', 42))).toBe('paper/cnn2');
    expect(runKey(ablationRun('baseline', 'cnn3', 2))).toBe('paper-seed2/paper/cnn3');
    expect(ablationRun('baseline', 'cnn3', 2).overrides).toEqual({});
  });

  it("the child process gets the overrides as the flags a person would type (and trainCommand says the same)", () => {
    expect(trainArgs(ablationRun('noaug', 'cnn2', 1))).toEqual(['train', 'cnn2', '--protocol', 'paper', '--profile', 'paper', '--seed', '1', '--augmentation', 'none']);
    expect(trainArgs(ablationRun('last', 'cnn3', 42))).toEqual(['train', 'cnn3', '--protocol', 'paper', '--profile', 'paper', '--seed', '42', '--no-restore-best']);
    expect(trainArgs(ablationRun('e15', 'cnn2', 2)).slice(-2)).toEqual(['--epochs', '15']);
    expect(trainArgs(studyRun('faithful', 'official', 'ann', 3))).toEqual(['train', 'ann', '--protocol', 'official', '--profile', 'faithful', '--seed', '3']);
    expect(trainCommand(resolveSettings({ model: 'cnn2', seed: 1, lrSchedule: 'constant' }))).toBe('fmnist train cnn2 --protocol paper --profile paper --seed 1 --lr-schedule constant');
  });

  it('an override equal to the condition is no override (same run, same folder)', () => {
    expect(studyRun('paper', 'paper', 'cnn2', 1, { augmentation: 'hflip', epochs: 10 })).toEqual(studyRun('paper', 'paper', 'cnn2', 1));
    expect(() => studyRun('paper', 'paper', 'cnn2', 1, { epochs: 0 })).toThrow(/epochs must be a positive integer/);
  });

  it('labels name the variant: paper/cnn2 seed 1 [paper-noaug]', () => {
    expect(studyRunLabel(ablationRun('noaug', 'cnn2', 1))).toBe('paper/cnn2 seed 1 [paper-noaug]');
    expect(studyRunLabel(studyRun('faithful', 'official', 'ann', 42))).toBe('official/ann seed 42 [faithful]');
    expect(studyRunLabel(studyRun('paper', 'paper', 'cnn3', 3))).toBe('paper/cnn3 seed 3 [paper]');
  });
});

describe('named plans', () => {
  it('faithful and improved are each 5 seeds × every model × 2 protocols, the ablation 2 models × 3 seeds × (4 arms + baseline)', () => {
    expect(studyPlan('faithful').runs).toHaveLength(5 * MODEL_NAMES.length * 2);
    expect(studyPlan('improved').runs).toHaveLength(5 * MODEL_NAMES.length * 2);
    expect(studyPlan('ablation').runs).toHaveLength(30);
    expect(new Set(keys(studyPlan('ablation').runs)).size).toBe(30);
    expect(studyPlan('faithful').studies).toEqual([conditionStudy('faithful')]);
    expect(studyPlan('faithful').runs.every((r) => r.profile === 'faithful' && Object.keys(r.overrides).length === 0)).toBe(true);
  });

  it('claims is the union of the three, each run once (the ablation baseline is the improved study\'s own runs)', () => {
    const claims = keys(studyPlan('claims').runs);
    expect(new Set(claims).size).toBe(claims.length);
    const union = new Set([...keys(studyPlan('faithful').runs), ...keys(studyPlan('improved').runs), ...keys(studyPlan('ablation').runs)]);
    expect(new Set(claims)).toEqual(union);
    expect(claims).toHaveLength(2 * (5 * MODEL_NAMES.length * 2) + 24);
    expect(studyPlan('claims').studies.map((s) => s.profile)).toEqual(['faithful', 'paper']);
    expect(studyPlan('claims').ablation).toBe(true);
    expect(ablationRuns().filter((r) => Object.keys(r.overrides).length === 0).every((r) => claims.includes(runKey(r)))).toBe(true);
  });

  it("today's flags make a selection plan with the old order (protocol, model, seed)", () => {
    const sel = { profile: 'smoke' as const, protocols: ['official' as const], models: ['ann' as const, 'cnn1' as const], seeds: [42, 1] };
    const plan = selectionPlan(sel);
    expect(plan.runs.map((r) => `${r.model}/${r.seed}`)).toEqual(['ann/42', 'ann/1', 'cnn1/42', 'cnn1/1']);
    expect(plan.runs).toEqual(planStudy(sel));
    expect(plan.studies).toEqual([sel]);
    expect(PLAN_NAMES).toEqual(['claims', 'faithful', 'improved', 'ablation']);
  });
});

describe('shards', () => {
  it('parses i/n and refuses anything else with a clear message', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/8', '9/8', '1/0', '3', 'a/b', '-1/2', '1.5/2', '']) expect(() => parseShard(bad), bad).toThrow(/--shard must be i\/n with 1 ≤ i ≤ n/);
  });

  it('partition the whole plan: every run in exactly one shard, whatever order the runs come in', () => {
    const runs = studyPlan('claims').runs;
    for (const n of [1, 2, 3, 8]) {
      const shares = Array.from({ length: n }, (_, i) => keys(shardRuns(runs, { index: i + 1, count: n })));
      const flat = shares.flat();
      expect(flat).toHaveLength(runs.length);
      expect(new Set(flat)).toEqual(new Set(keys(runs)));
      // Another machine that lists the plan in another order computes the same shares.
      const reversed = [...runs].reverse();
      shares.forEach((share, i) => expect(new Set(keys(shardRuns(reversed, { index: i + 1, count: n })))).toEqual(new Set(share)));
    }
  });

  it('balance the expected cost: the shares differ by at most the costliest run', () => {
    const runs = studyPlan('claims').runs;
    const cost = (rs: StudyRun[]) => rs.reduce((s, r) => s + expectedCost(r), 0);
    const loads = Array.from({ length: 8 }, (_, i) => cost(shardRuns(runs, { index: i + 1, count: 8 })));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...runs.map(expectedCost)));
    expect(loads.reduce((a, b) => a + b, 0)).toBe(cost(runs));
  });

  it('costs are integers from the code alone: CNN 3 > CNN 2 > ANN, 15 epochs > 10, batch 32 > batch 64', () => {
    const c = (r: StudyRun) => expectedCost(r);
    expect(Number.isSafeInteger(c(studyRun('faithful', 'paper', 'cnn3', 1)))).toBe(true);
    expect(c(studyRun('paper', 'paper', 'cnn3', 1))).toBeGreaterThan(c(studyRun('paper', 'paper', 'cnn2', 1)));
    expect(c(studyRun('paper', 'paper', 'cnn2', 1))).toBeGreaterThan(c(studyRun('paper', 'paper', 'ann', 1)));
    expect(c(ablationRun('e15', 'cnn2', 1))).toBeGreaterThan(c(ablationRun('baseline', 'cnn2', 1)));
    expect(c(studyRun('faithful', 'paper', 'cnn2', 1))).toBeGreaterThan(c(studyRun('paper', 'paper', 'cnn2', 1)));
    expect(c(studyRun('smoke', 'paper', 'cnn3', 1))).toBeLessThan(c(studyRun('paper', 'paper', 'ann', 1)));
  });
});
