import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { testBackend } from './backend-helpers';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const fixture = path.join(root, 'test', 'fixtures', 'fashion-mnist');
let tmp: string;

function fmnist(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, FMNIST_RESULTS_DIR: tmp, FASHION_MNIST_DIR: fixture, FMNIST_BACKEND: testBackend() },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('fmnist train / evaluate: bad arguments fail with the valid values', () => {
  const cases: Array<[string[], RegExp]> = [
    [['train', 'cnn4'], /Allowed choices are ann, cnn1, cnn2, cnn3, all/],
    [['train', 'ann', '--profile', 'fast'], /Allowed choices are smoke, paper/],
    [['train', 'ann', '--protocol', 'kaggle'], /Allowed choices are paper, official/],
    [['train', 'ann', '--backend', 'gpu'], /Allowed choices are node, node-onednn, wasm, cpu/],
    [['train', 'ann', '--seed', '-1'], /non-negative integer/],
    [['train', 'ann', '--seed', 'abc'], /non-negative integer/],
    [['train', 'ann', '--seed', '1.5'], /non-negative integer/],
    [['train', 'ann', '--epochs', '0'], /positive integer/],
    [['train', 'ann', '--batch-size', '1.5'], /the batch size must be a positive integer/],
    [['train', 'ann', '--learning-rate', '2'], /learning rate must be a number between 0 and 1/],
    [['train', 'ann', '--learning-rate', 'fast'], /learning rate must be a number between 0 and 1/],
    [['train', 'ann', '--lr-schedule', 'step'], /Allowed choices are constant, cosine/],
    [['train', 'ann', '--augmentation', 'rotate'], /Allowed choices are none, hflip/],
    [['train', 'ann', '--bogus'], /unknown option '--bogus'/],
    [['evaluate', 'cnn9'], /Allowed choices are ann, cnn1, cnn2, cnn3/],
  ];
  for (const [args, message] of cases) {
    it(`fmnist ${args.join(' ')}`, () => {
      const r = fmnist(...args);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('evaluate without a saved model says how to train it', () => {
    const r = fmnist('evaluate', 'cnn3', '--protocol', 'official', '--profile', 'smoke');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no saved result for cnn3 .*fmnist train cnn3 --protocol official --profile smoke/);
  });
});

describe('fmnist train all --json', () => {
  it('prints one JSON object per model on stdout, progress on stderr; evaluate reproduces the scores', () => {
    const r = fmnist('train', 'all', '--profile', 'smoke', '--protocol', 'official', '--json');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    const reports = lines.map((l) => JSON.parse(l));
    expect(reports.map((x) => x.model)).toEqual(['ann', 'cnn1', 'cnn2', 'cnn3']);
    expect(reports.map((x) => x.params)).toEqual([59850, 591786, 591786, 225034]);
    for (const x of reports) {
      expect(x).toMatchObject({ profile: 'smoke', protocol: 'official', seed: 42, backend: testBackend(), epochs: 1, cached: false });
      expect(x.test.confusion).toHaveLength(10);
    }
    expect(r.stderr).toMatch(/\[cnn3\/official\/smoke\] epoch 1\/1/);

    const e = fmnist('evaluate', 'cnn2', '--profile', 'smoke', '--protocol', 'official', '--json');
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).test).toEqual(reports[2].test);
  });
});
