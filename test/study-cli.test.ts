import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const fixture = path.join(root, 'test', 'fixtures', 'fashion-mnist');
let tmp: string;

function fmnist(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, FMNIST_RESULTS_DIR: tmp, FASHION_MNIST_DIR: fixture, FMNIST_BACKEND: 'wasm' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
// A small study: two models, two seeds, one protocol, smoke profile on the fixture (4 runs of seconds each).
const args = ['study', '--profile', 'smoke', '--protocol', 'official', '--models', 'ann', 'cnn1', '--seeds', '2'];
// The runs' folders carry the runtime (smoke-wasm-d…, smoke-seed1-wasm-d…): found by the summary's record of them.
const folders: Record<string, string> = {};
const runDir = (model: string, seed: number) => path.join(tmp, folders[`${model}/${seed}`]);
// Beside the runs of its runtime: results/smoke-wasm-d…/study/ (only the committed runtime's study is results/study/).
const studyDir = () => path.join(tmp, fs.readdirSync(tmp).find((d) => /^smoke-wasm-d[0-9a-f]{10}$/.test(d))!, 'study');
const summaryFile = () => path.join(studyDir(), 'summary-official-ann+cnn1-2seeds.json');

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-study-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('fmnist study: bad arguments name the valid values', () => {
  const cases: Array<[string[], RegExp]> = [
    [['study', '--seeds', '0'], /the number of seeds must be a positive integer/],
    [['study', '--models', 'cnn9'], /'cnn9' is not a model; use some of: ann, cnn1, cnn2, cnn3/],
    [['study', '--protocol', 'kaggle'], /Allowed choices are paper, official, both/],
    [['study', '--concurrency', 'two'], /--concurrency must be a positive integer/],
    [['study', '--plan', 'everything'], /Allowed choices are claims, faithful, improved, ablation/],
    [['study', '--plan', 'claims', '--seeds', '3', '--profile', 'faithful'], /--plan claims is a complete plan; drop --profile, --seeds/],
    [['study', '--shard', '0/8'], /--shard must be i\/n with 1 ≤ i ≤ n \(e\.g\. 3\/8: the third of eight shares\), got '0\/8'/],
    [['study', '--shard', '9/8'], /--shard must be i\/n with 1 ≤ i ≤ n/],
    [['study', '--shard', 'half'], /--shard must be i\/n with 1 ≤ i ≤ n/],
  ];
  for (const [a, message] of cases) {
    it(`fmnist ${a.join(' ')}`, () => {
      const r = fmnist(...a);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('fmnist study (smoke profile, fixture data)', () => {
  it('trains each (protocol, model, seed) as its own cached run, two at a time, with a progress line per run, and writes the statistics', () => {
    const dry = fmnist(...args, '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/0 of 4 runs are saved and current; 4 would be trained/);

    const r = fmnist(...args, '--json');
    expect(r.status, r.stderr).toBe(0);
    for (const n of [1, 2, 3, 4]) expect(r.stderr).toMatch(new RegExp(`\\[study\\] ${n}/4 done  official/(ann|cnn1) seed (42|1) \\[smoke\\]: test accuracy 0\\.\\d{4} \\(trained in [\\d.]+ s\\)  elapsed [\\d.]+ s, remaining`));
    // Two processes at once: the second run starts before the first one finishes.
    const starts = r.stderr.split('\n').findIndex((l) => /\[study\] start .* seed/.test(l));
    const secondStart = r.stderr.split('\n').findIndex((l, i) => i > starts && /\[study\] start/.test(l));
    const firstDone = r.stderr.split('\n').findIndex((l) => /\[study\] 1\/4 done/.test(l));
    expect(secondStart).toBeLessThan(firstDone);

    const summary = JSON.parse(r.stdout);
    expect(summary).toEqual(readJson(summaryFile()));
    for (const m of ['ann', 'cnn1']) for (const p of summary.runs[`official/${m}`].perSeed) folders[`${m}/${p.seed}`] = p.folder;
    expect(folders['cnn1/1']).toMatch(/^smoke-seed1-wasm-d[0-9a-f]{10}\/official\/cnn1$/);
    expect(folders['cnn1/42']).toMatch(/^smoke-wasm-d[0-9a-f]{10}\/official\/cnn1$/);
    expect(summary).toMatchObject({ format: 'fmnist-study-2', profile: 'smoke', seeds: [42, 1], committedSeed: 42, protocols: ['official'], models: ['ann', 'cnn1'] });

    // Each run is an ordinary results folder with provenance and predictions; the study's numbers are theirs.
    for (const model of ['ann', 'cnn1']) {
      const accs = [42, 1].map((seed) => {
        const dir = runDir(model, seed);
        const run = readJson(path.join(dir, 'run.json'));
        expect(run).toMatchObject({ model, seed, protocol: 'official', profile: 'smoke' });
        expect(Object.keys(run.artifacts).sort()).toEqual(['history.json', 'metrics.json', 'model.json', 'predictions.json', 'weights.bin']);
        const pred = readJson(path.join(dir, 'predictions.json'));
        let hits = 0;
        for (let i = 0; i < pred.count; i++) if (pred.labels[i] === pred.predicted[i]) hits++;
        const metrics = readJson(path.join(dir, 'metrics.json'));
        const acc = metrics.test.accuracy;
        expect(hits / pred.count).toBe(acc);
        // The per-run facts the claims read: integer counts, the gap, epochs and training time, from the run's own files.
        const r = summary.runs[`official/${model}`].perSeed.find((p: { seed: number }) => p.seed === seed);
        expect(r).toMatchObject({ testCorrect: hits, testCount: pred.count, trainAccuracy: metrics.train.accuracy, trainCount: metrics.train.count, epochs: run.epochs, trainSeconds: run.timings.trainSeconds, cpuModel: run.environment.cpuModel ?? null });
        expect(r.gap).toBe(metrics.train.accuracy - acc);
        return acc;
      });
      const s = summary.runs[`official/${model}`];
      expect(s.testAccuracy.n).toBe(2);
      expect(s.testAccuracy.mean).toBeCloseTo((accs[0] + accs[1]) / 2, 12);
      expect(s.testAccuracy.min).toBe(Math.min(...accs));
      expect(s.perSeed.map((p: { seed: number }) => p.seed)).toEqual([42, 1]);
    }

    // McNemar counts on every seed, recounted here from each seed's two prediction files.
    const [c] = summary.comparisons;
    expect(c).toMatchObject({ protocol: 'official', metric: 'testAccuracy', a: 'ann', b: 'cnn1' });
    [42, 1].forEach((seed, k) => {
      const pa = readJson(path.join(runDir('ann', seed), 'predictions.json'));
      const pb = readJson(path.join(runDir('cnn1', seed), 'predictions.json'));
      let b = 0;
      let cc = 0;
      for (let i = 0; i < pa.count; i++) {
        const ar = pa.predicted[i] === pa.labels[i];
        const br = pb.predicted[i] === pb.labels[i];
        if (ar && !br) b++;
        if (!ar && br) cc++;
      }
      expect(c.mcnemar.perSeed[k]).toMatchObject({ seed, b, c: cc });
    });
    expect(summary.gapComparisons).toHaveLength(1);
    expect(summary.gapComparisons[0]).toMatchObject({ metric: 'gap', a: 'ann', b: 'cnn1', mcnemar: null });
    const diffs = [42, 1].map((seed) => summary.runs['official/ann'].perSeed.find((p: { seed: number }) => p.seed === seed).testAccuracy - summary.runs['official/cnn1'].perSeed.find((p: { seed: number }) => p.seed === seed).testAccuracy);
    expect(c.meanDiff).toBeCloseTo((diffs[0] + diffs[1]) / 2, 12);
    expect(c.pHolm).toBe(c.pairedT.p); // one pair: Holm changes nothing
    expect(fs.existsSync(path.join(studyDir(), 'timings-official-ann+cnn1-2seeds.json'))).toBe(true);
    expect(r.stderr).toContain(`[study] wrote ${summaryFile()}`);
  }, 240_000);

  it('reruns from the cache without training, and after a lost run trains only that one', () => {
    const before = fs.readFileSync(summaryFile());
    const again = fmnist(...args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/all 4 runs are saved and current/);
    expect(again.stderr).not.toMatch(/\[study\] start/);
    expect(again.stdout).toMatch(/ann − cnn1/);
    expect(fs.readFileSync(summaryFile()).equals(before)).toBe(true);

    fs.rmSync(path.join(runDir('cnn1', 1), 'run.json'));
    const resumed = fmnist(...args);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/3 of 4 saved and current; training 1/);
    expect(resumed.stderr).toMatch(/\[study\] 4\/4 done  official\/cnn1 seed 1/);
    // Training is deterministic: the retrained run gives the same statistics (only its time differs).
    const withoutTimes = (text: string) => JSON.stringify(JSON.parse(text), (k, v) => (k === 'seconds' || k === 'trainSeconds' ? undefined : v));
    expect(withoutTimes(fs.readFileSync(summaryFile(), 'utf8'))).toBe(withoutTimes(before.toString('utf8')));
  }, 240_000);

  it('a run without its weights (as a fresh clone has for the non-committed seeds) still counts as current', () => {
    for (const f of ['model.json', 'weights.bin']) fs.rmSync(path.join(runDir('ann', 1), f));
    const r = fmnist(...args, '--dry-run');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 of 4 runs are saved and current; 0 would be trained/);
  });
});
