import type { ModelName } from '../src/models/architectures';
import type { SplitProtocol } from '../src/data/types';
import { summarizeStudy, type StudyRunInput, type StudySummary } from '../src/study/summary';

const MODELS: ModelName[] = ['ann', 'cnn1', 'cnn2', 'cnn3'];
const SEEDS = [42, 1, 2, 3, 4];
const N_TEST = 10_000;

/**
 * A made-up study: per `<protocol>/<model>` the five seeds' test accuracies. The committed seed's
 * predictions get every image right up to its accuracy (so McNemar's counts follow from them).
 */
export function syntheticStudy(acc: Record<string, number[]>, protocols: SplitProtocol[] = ['paper', 'official']): StudySummary {
  const inputs: StudyRunInput[] = [];
  const labels = Uint8Array.from({ length: N_TEST }, (_, i) => i % 10);
  for (const protocol of protocols) {
    for (const model of MODELS) {
      const values = acc[`${protocol}/${model}`];
      if (!values) throw new Error(`syntheticStudy: no accuracies for ${protocol}/${model}`);
      SEEDS.forEach((seed, k) => {
        const right = Math.round(values[k] * N_TEST);
        const predicted = Uint8Array.from(labels, (l, i) => (i < right ? l : (l + 1) % 10));
        inputs.push({
          protocol,
          model,
          result: { seed, testAccuracy: right / N_TEST, macroF1: right / N_TEST - 0.001, bestEpoch: 10, seconds: 600, backend: 'wasm', cacheKey: `${protocol}-${model}-${seed}`, folder: `paper${seed === 42 ? '' : `-seed${seed}`}/${protocol}/${model}` },
          ...(seed === 42 ? { predictions: { labels, predicted, testChecksum: `test-${protocol}` } } : {}),
        });
      });
    }
  }
  return summarizeStudy({ profile: 'paper', protocols, models: MODELS, seeds: SEEDS }, inputs);
}

/** ANN clearly last, CNN 3 clearly first, CNN 1 and CNN 2 indistinguishable: on both protocols. */
export const CLEAR_ORDER: Record<string, number[]> = Object.fromEntries(
  (['paper', 'official'] as const).flatMap((p) => [
    [`${p}/ann`, [0.8861, 0.8855, 0.887, 0.8849, 0.8866]],
    [`${p}/cnn1`, [0.9139, 0.9152, 0.9127, 0.9161, 0.9144]],
    [`${p}/cnn2`, [0.9144, 0.9131, 0.914, 0.915, 0.9129]],
    [`${p}/cnn3`, [0.9213, 0.9198, 0.9231, 0.9207, 0.9224]],
  ]),
);
