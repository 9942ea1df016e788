import { describe, expect, it } from 'vitest';
import { compareConfigs, comparePairs, interleave, median, medianRates, phaseSeconds, runComparison, summariseRuns, type CompareConfig, type CompareRun, type ConfigRunner, type ModelRates } from '../src/tf/bench-compare';
import { timedUntil } from '../src/tf/bench';

/** The comparison's arithmetic and order with a fake runner: no process is started, nothing is timed. */

const rates = (train: number, infer: number, cpuFactor = 1): ModelRates => ({
  trainSamplesPerSec: train,
  inferSamplesPerSec: infer,
  trainSamplesPerCpuSec: train * cpuFactor,
  inferSamplesPerCpuSec: infer * cpuFactor,
});

function run(id: string, repeat: number, cnn3: ModelRates): CompareRun {
  const [engine, threads] = id.split('-') as [CompareRun['engine'], string];
  return { id, engine, threads: Number(threads), repeat, detail: '', oneDnn: true, models: { cnn3 }, loadAverage: { before: 0, after: 0 }, seconds: 20 };
}

describe('fmnist bench: the comparison', () => {
  it('median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow();
  });

  it('configurations take turns: node, Keras at each thread count, in every round', () => {
    const configs = compareConfigs(['node'], [1, 2], true);
    expect(configs.map((c) => c.id)).toEqual(['node-1', 'keras-1', 'node-2', 'keras-2']);
    const order = interleave(configs, 3).map((c) => `${c.id}#${c.repeat}`);
    expect(order).toEqual([
      'node-1#0', 'keras-1#0', 'node-2#0', 'keras-2#0',
      'node-1#1', 'keras-1#1', 'node-2#1', 'keras-2#1',
      'node-1#2', 'keras-1#2', 'node-2#2', 'keras-2#2',
    ]);
    expect(compareConfigs(['node', 'wasm'], [1, 2], false).map((c) => c.id)).toEqual(['node-1', 'node-2', 'wasm']);
    expect(comparePairs(compareConfigs(['node', 'wasm'], [1, 2], true))).toEqual([['node-1', 'keras-1'], ['node-2', 'keras-2'], ['wasm', 'keras-1']]);
  });

  it('ratios pair each round with the same round of Keras, then take the median and the spread', () => {
    // Round 1 is slow for both sides (a burst of load): paired ratios stay near 0.5; unpaired medians would not.
    const runs = [
      run('node-1', 0, rates(100, 1000, 2)), run('keras-1', 0, rates(200, 1000, 1)),
      run('node-1', 1, rates(30, 300, 2)), run('keras-1', 1, rates(50, 600, 1)),
      run('node-1', 2, rates(110, 900, 2)), run('keras-1', 2, rates(250, 1800, 1)),
    ];
    const table = summariseRuns(runs, [['node-1', 'keras-1']], ['cnn3'], false);
    const train = table['node-1/keras-1'].cnn3!.train;
    expect(train.values).toEqual([0.5, 0.6, 0.44]);
    expect(train.median).toBe(0.5);
    expect([train.min, train.max]).toEqual([0.44, 0.6]);
    expect(table['node-1/keras-1'].cnn3!.infer.median).toBe(0.5);
    const cpu = summariseRuns(runs, [['node-1', 'keras-1']], ['cnn3'], true);
    expect(cpu['node-1/keras-1'].cnn3!.train.values).toEqual([1, 1.2, 0.88]);
    expect(medianRates(runs, ['cnn3'])['keras-1'].cnn3!.trainSamplesPerSec).toBe(200);
  });

  it('a round without its Keras counterpart is left out of the ratios', () => {
    const runs = [run('node-1', 0, rates(100, 100)), run('keras-1', 0, rates(100, 100)), run('node-1', 1, rates(50, 50))];
    expect(summariseRuns(runs, [['node-1', 'keras-1']], ['cnn3'], false)['node-1/keras-1'].cnn3!.train.values).toEqual([1]);
  });

  it('runComparison runs the schedule in order through the runner, skips a failing configuration after its first failure, and reports the ratios', () => {
    const calls: string[] = [];
    let round = 0;
    const runner: ConfigRunner = (config: CompareConfig) => {
      calls.push(config.id);
      if (config.id === 'node-2') return { why: 'no second core' };
      if (config.id === 'node-1') round++;
      const base = config.engine === 'keras' ? 200 : 100 + round;
      return { ...config, detail: 'fake', oneDnn: null, models: { cnn3: rates(base, base) }, loadAverage: { before: 1, after: 1 }, seconds: 0 };
    };
    const r = runComparison({ models: ['cnn3'], trainSamples: 64, seconds: 0, repeats: 3, threads: [1, 2], engines: ['node'], keras: true }, runner);
    expect(calls).toEqual(['node-1', 'keras-1', 'node-2', 'keras-2', 'node-1', 'keras-1', 'keras-2', 'node-1', 'keras-1', 'keras-2']);
    expect(r.skipped).toEqual([{ id: 'node-2', why: 'no second core' }]);
    expect(r.schedule).toHaveLength(12);
    expect(r.ratios['node-1/keras-1'].cnn3!.train.values).toEqual([0.505, 0.51, 0.515]);
    expect(r.ratios['node-1/keras-1'].cnn3!.train.median).toBe(0.51);
    expect(r.ratios['node-2/keras-2']).toBeUndefined();
    expect(r.format).toBe('fmnist-bench-compare-2');
    expect(typeof r.cpuModel).toBe('string');
  });

  it('a configuration\'s seconds: three quarters training, a quarter inference, split over the models', () => {
    expect(phaseSeconds(20, 2)).toEqual({ trainSeconds: 7.5, inferSeconds: 2.5 });
  });

  it('timedUntil: at least the calls asked for, and on until the seconds have passed', () => {
    let now = 0;
    const clock = () => now;
    const calls: number[] = [];
    const r = timedUntil(3, 10, (i) => {
      calls.push(i);
      now += 2;
    }, clock);
    expect(calls).toEqual([0, 1, 2, 3, 4]);
    expect(r.count).toBe(5);
    expect(r.seconds).toBe(10);
    now = 0;
    expect(timedUntil(4, 1, () => (now += 2), clock).count).toBe(4);
  });
});
