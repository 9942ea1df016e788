import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { committedRuntime } from '../src/results/identity';
import {
  ablationPath,
  ablationSentence,
  formatAblation,
  readAblationSummary,
  summarizeAblation,
  writeAblationSummary,
  type AblationRunInput,
  type PairedDiff,
} from '../src/study/ablation';
import { ABLATION, ABLATION_ARM_IDS, type AblationArmId } from '../src/study/plans';
import { pairedTTest, summarize } from '../src/study/statistics';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-ablation-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A made-up difference: significant or not, up or down. */
const d = (meanDiff: number, pHolm: number | null): PairedDiff => ({ meanDiff, ci95: null, t: null, df: 2, p: pHolm, pHolm, significant: pHolm !== null && pHolm < 0.05 });
const change = { change: 'Training without the horizontal flips' };

describe('ablationSentence: the words follow the numbers', () => {
  it('a gap effect in both models and no accuracy effect', () => {
    const s = ablationSentence(change, [
      { model: 'cnn2', vsBaseline: { gap: d(0.019, 0.004), testAccuracy: d(-0.0021, 0.62) } },
      { model: 'cnn3', vsBaseline: { gap: d(0.0152, 0.012), testAccuracy: d(-0.001, 1) } },
    ]);
    expect(s).toBe(
      'Training without the horizontal flips widens the train–test gap (CNN 2 +1.90 points, Holm p = 0.004; CNN 3 +1.52 points, Holm p = 0.012), ' +
        'and leaves test accuracy within seed noise (CNN 2 −0.21 points, Holm p = 0.620; CNN 3 −0.10 points, Holm p = 1.000): it moves the gap, not the accuracy.',
    );
  });

  it('the same differences without significance: neither moves', () => {
    const s = ablationSentence(change, [
      { model: 'cnn2', vsBaseline: { gap: d(0.019, 0.2), testAccuracy: d(-0.0021, 0.62) } },
      { model: 'cnn3', vsBaseline: { gap: d(0.0152, 0.07), testAccuracy: d(-0.001, 1) } },
    ]);
    expect(s).toMatch(/^Training without the horizontal flips leaves the train–test gap within seed noise \(CNN 2 \+1\.90 points, Holm p = 0\.200; CNN 3 \+1\.52 points/);
    expect(s).toMatch(/: it moves neither beyond seed noise\.$/);
  });

  it('the sign decides widens / narrows and raises / lowers', () => {
    const s = ablationSentence(change, [
      { model: 'cnn2', vsBaseline: { gap: d(-0.01, 0.01), testAccuracy: d(0.004, 0.03) } },
      { model: 'cnn3', vsBaseline: { gap: d(-0.02, 0.001), testAccuracy: d(0.003, 0.04) } },
    ]);
    expect(s).toMatch(/narrows the train–test gap \(CNN 2 −1\.00 points/);
    expect(s).toMatch(/and raises test accuracy \(CNN 2 \+0\.40 points, Holm p = 0\.030/);
    expect(s).toMatch(/: it moves both\.$/);
    const lowers = ablationSentence(change, [{ model: 'cnn2', vsBaseline: { gap: d(0.0001, 0.9), testAccuracy: d(-0.004, 0.0004) } }]);
    expect(lowers).toMatch(/lowers test accuracy \(CNN 2 −0\.40 points, Holm p < 0\.001\): it moves the accuracy, not the gap\.$/);
  });

  it('models that disagree get one clause each, joined by "but"', () => {
    const s = ablationSentence(change, [
      { model: 'cnn2', vsBaseline: { gap: d(0.019, 0.004), testAccuracy: d(0, 1) } },
      { model: 'cnn3', vsBaseline: { gap: d(0.003, 0.41), testAccuracy: d(0, 1) } },
    ]);
    expect(s).toMatch(/widens the train–test gap of CNN 2 \(CNN 2 \+1\.90 points, Holm p = 0\.004\) but leaves that of CNN 3 within seed noise \(CNN 3 \+0\.30 points, Holm p = 0\.410\)/);
    expect(s).toMatch(/: it moves the gap, not the accuracy\.$/);
  });

  it('one seed gives no test, and says so', () => {
    expect(ablationSentence(change, [{ model: 'cnn2', vsBaseline: { gap: d(0.019, null), testAccuracy: d(0, null) } }])).toMatch(/within seed noise \(CNN 2 \+1\.90 points, no test with one seed\)/);
  });
});

/** Made-up runs: baseline gap 2.6 points; noaug widens it by 2 points in both models (tiny noise), the rest change nothing. */
function inputs(noaugGap = 0.02): AblationRunInput[] {
  const out: AblationRunInput[] = [];
  const noise = [0.0003, -0.0002, 0.0001];
  for (const arm of ['baseline', ...ABLATION_ARM_IDS] as const) {
    for (const model of ABLATION.models) {
      ABLATION.seeds.forEach((seed, i) => {
        const test = 0.91 + (model === 'cnn3' ? 0.002 : 0) + noise[i] + (arm === 'baseline' ? 0 : noise[(i + 1) % 3] / 3);
        const gap = 0.026 + noise[(i + 2) % 3] + (arm === 'noaug' ? noaugGap + noise[i] / 10 : 0);
        out.push({ arm, model, result: { seed, testAccuracy: test, trainAccuracy: test + gap, gap, bestEpoch: 10, epochs: arm === 'e15' ? 15 : 10, cacheKey: `${arm}${model}${seed}`, folder: `${arm}/${model}/${seed}` } });
      });
    }
  }
  return out;
}

describe('summarizeAblation', () => {
  const s = summarizeAblation(inputs());

  it('per arm and model: mean and sd over the seeds of test, train and gap, and the paired difference to the baseline', () => {
    expect(s.format).toBe('fmnist-ablation-1');
    expect(s.seeds).toEqual([42, 1, 2]);
    expect(s.arms.map((a) => a.id)).toEqual(['noaug', 'constant', 'last', 'e15']);
    const cell = s.arms[0].models.cnn2;
    const mine = inputs().filter((x) => x.arm === 'noaug' && x.model === 'cnn2').map((x) => x.result);
    const base = inputs().filter((x) => x.arm === 'baseline' && x.model === 'cnn2').map((x) => x.result);
    expect(cell.gap).toEqual(summarize(mine.map((r) => r.gap)));
    expect(cell.testAccuracy).toEqual(summarize(mine.map((r) => r.testAccuracy)));
    expect(s.baseline.cnn2.trainAccuracy).toEqual(summarize(base.map((r) => r.trainAccuracy)));
    const t = pairedTTest(mine.map((r) => r.gap), base.map((r) => r.gap));
    expect(cell.vsBaseline.gap).toMatchObject({ meanDiff: t.meanDiff, p: t.p, t: t.t });
    // Holm over the 8 arm × model gap tests: never below the raw p.
    expect(cell.vsBaseline.gap.pHolm!).toBeGreaterThanOrEqual(cell.vsBaseline.gap.p!);
  });

  it('the sentences come from these numbers: noaug moves the gap, the others nothing', () => {
    const by = (id: AblationArmId) => s.arms.find((a) => a.id === id)!;
    expect(by('noaug')).toMatchObject({ movesGap: true, movesAccuracy: false });
    expect(by('noaug').sentence).toMatch(/^Training without the horizontal flips widens the train–test gap \(CNN 2 \+2\.\d\d points, Holm p (< 0\.001|= 0\.0\d\d); CNN 3 \+2\.\d\d points/);
    for (const id of ['constant', 'last', 'e15'] as const) expect(by(id)).toMatchObject({ movesGap: false });
    // Flip the input: a 0.01-point gap change is noise, and the sentence says so.
    const flat = summarizeAblation(inputs(0.0001)).arms[0];
    expect(flat.movesGap).toBe(false);
    expect(flat.sentence).toMatch(/leaves the train–test gap within seed noise/);
  });

  it('refuses an incomplete ablation, naming the missing run and the command', () => {
    expect(() => summarizeAblation(inputs().filter((x) => !(x.arm === 'last' && x.model === 'cnn3' && x.result.seed === 2)))).toThrow(/no run for last\/cnn3 seed 2; run `fmnist study --plan ablation`/);
  });

  it('is written beside the study summary and read back (results/study/ablation.json for the committed runtime)', async () => {
    const rt = committedRuntime();
    expect(path.relative(tmp, ablationPath(rt, tmp))).toBe(path.join('study', 'ablation.json'));
    await writeAblationSummary(s, rt, tmp);
    expect(readAblationSummary(tmp, rt)).toEqual(JSON.parse(JSON.stringify(s)));
    fs.writeFileSync(ablationPath(rt, tmp), '{"format":"fmnist-study-1"}');
    expect(() => readAblationSummary(tmp, rt)).toThrow(/is not an ablation summary/);
    expect(() => readAblationSummary(path.join(tmp, 'nowhere'), rt)).toThrow(/cannot read the ablation summary .*fmnist study --plan ablation/);
  });

  it('prints a table and the sentences', () => {
    const text = formatAblation(s);
    expect(text).toMatch(/^Ablation of the improved recipe: paper split, seeds 42, 1, 2 \(n = 3\)/);
    expect(text).toMatch(/\nnoaug: Training without the horizontal flips/);
    expect(text.split('\n').filter((l) => /^(improved|noaug|constant|last|e15)\s+CNN [23]/.test(l))).toHaveLength(10);
  });
});
