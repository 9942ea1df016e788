import { MODEL_NAMES, type ModelName } from '../src/models/registry';
import type { SplitProtocol } from '../src/data/types';
import type { ProfileName } from '../src/training/profiles';
import { summarizeStudy, type SeedResult, type StudyRunInput, type StudySummary } from '../src/study/summary';

const MODELS: readonly ModelName[] = MODEL_NAMES;
const SEEDS = [42, 1, 2, 3, 4];
export const N_TEST = 10_000;
export const N_TRAIN = 50_000;

/**
 * One made-up run: the test predictions get the first `round(acc · N_TEST)` images right (so
 * McNemar's counts follow from two runs' accuracies), the training accuracy is acc + gap rounded to
 * whole training images.
 */
export function syntheticRun(protocol: SplitProtocol, model: ModelName, seed: number, acc: number, gap: number, profile: ProfileName = 'paper'): StudyRunInput {
  const labels = Uint8Array.from({ length: N_TEST }, (_, i) => i % 10);
  const right = Math.round(acc * N_TEST);
  const trainRight = Math.round((right / N_TEST + gap) * N_TRAIN);
  const predicted = Uint8Array.from(labels, (l, i) => (i < right ? l : (l + 1) % 10));
  const testAccuracy = right / N_TEST;
  const trainAccuracy = trainRight / N_TRAIN;
  const result: SeedResult = {
    seed,
    testAccuracy,
    testCorrect: right,
    testCount: N_TEST,
    trainAccuracy,
    trainCorrect: trainRight,
    trainCount: N_TRAIN,
    gap: trainAccuracy - testAccuracy,
    macroF1: testAccuracy - 0.001,
    epochs: 10,
    bestEpoch: 10,
    trainSeconds: 590 + MODELS.indexOf(model) * 60 + seed,
    seconds: 600 + MODELS.indexOf(model) * 60 + seed,
    backend: 'wasm',
    cpuModel: 'Synthetic CPU',
    cacheKey: `${protocol}-${model}-${seed}`,
    folder: `${profile}${seed === 42 ? '' : `-seed${seed}`}/${protocol}/${model}`,
  };
  return { protocol, model, result, predictions: { labels, predicted, testChecksum: `test-${protocol}` } };
}

/**
 * A made-up study: per `<protocol>/<model>` the seeds' test accuracies and (optionally) their
 * train − test gaps (default CLEAR_GAPS, or 0.02 for keys it lacks).
 */
export function syntheticStudy(acc: Record<string, number[]>, protocols: SplitProtocol[] = ['paper', 'official'], seeds: number[] = SEEDS, gaps: Record<string, number[]> = CLEAR_GAPS): StudySummary {
  const inputs: StudyRunInput[] = [];
  for (const protocol of protocols) {
    for (const model of MODELS) {
      const values = acc[`${protocol}/${model}`];
      if (!values) throw new Error(`syntheticStudy: no accuracies for ${protocol}/${model}`);
      seeds.forEach((seed, k) => inputs.push(syntheticRun(protocol, model, seed, values[k], gaps[`${protocol}/${model}`]?.[k] ?? 0.02)));
    }
  }
  return summarizeStudy({ profile: 'paper', protocols, models: [...MODELS], seeds }, inputs);
}

/** The same per-model values under both protocols, keyed `<protocol>/<model>`. */
function onBothProtocols(values: Record<ModelName, number[]>): Record<string, number[]> {
  return Object.fromEntries((['paper', 'official'] as const).flatMap((p) => MODEL_NAMES.map((m) => [`${p}/${m}`, values[m]])));
}

/**
 * ANN clearly last, CNN 3 clearly first, CNN 1 and CNN 2 indistinguishable: on both protocols. Keyed by
 * model (not by position in the registry), so a model added to the registry does not compile here until
 * it is given its own accuracies, instead of silently becoming "the best".
 */
export const CLEAR_ORDER: Record<string, number[]> = onBothProtocols({
  ann: [0.8861, 0.8855, 0.887, 0.8849, 0.8866],
  cnn1: [0.9139, 0.9152, 0.9127, 0.9161, 0.9144],
  cnn2: [0.9144, 0.9131, 0.914, 0.915, 0.9129],
  cnn3: [0.9213, 0.9198, 0.9231, 0.9207, 0.9224],
});

/** Train − test gaps: CNN 1 and CNN 2 widest and indistinguishable, then CNN 3, the ANN smallest; on both protocols. */
export const CLEAR_GAPS: Record<string, number[]> = onBothProtocols({
  ann: [0.0051, 0.0047, 0.0055, 0.0049, 0.0053],
  cnn1: [0.0301, 0.0288, 0.0295, 0.031, 0.0292],
  cnn2: [0.0284, 0.0297, 0.029, 0.0279, 0.0302],
  cnn3: [0.0205, 0.0218, 0.0199, 0.0211, 0.0214],
});
