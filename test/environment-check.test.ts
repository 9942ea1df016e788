import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkEnvironment, EnvironmentError, environmentProblems } from '../src/util/environment';
import { mainEnvironmentConflicts } from '../src/pipeline/main-environment';
import { notebookPath } from '../src/pipeline/plan';

// Issue 19, fault case 4: nonsense in FMNIST_* variables is refused before any work starts, in one
// line naming the variable, what it accepts and the fix; never minutes later inside a kernel as a
// JavaScript stack trace.

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-envcheck-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
});

/** `fmnist <args>` with results and figures in a scratch folder (nothing of the checkout is touched). */
function fmnist(args: string[], env: Record<string, string>) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, FMNIST_RESULTS_DIR: path.join(tmp, 'results'), FMNIST_FIGURES_DIR: path.join(tmp, 'figures'), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

describe('environmentProblems: every FMNIST_* variable the project reads', () => {
  it('accepts the defaults, every valid value, and empty values (as unset)', () => {
    expect(environmentProblems({})).toEqual([]);
    const valid = {
      FMNIST_PROFILE: 'faithful',
      FMNIST_PROTOCOL: 'official',
      FMNIST_SEED: '4294967295',
      FMNIST_BACKEND: 'WASM',
      FMNIST_NODE_THREADS: '2',
      FMNIST_RESULTS_DIR: path.join(tmp, 'not-yet-made'),
      FMNIST_FIGURES_DIR: tmp,
      FMNIST_CHROMIUM: 'none',
      FMNIST_TF_NOTICES: 'show',
      FMNIST_LOCK_STALE_MS: '2000',
    };
    expect(environmentProblems(valid)).toEqual([]);
    expect(environmentProblems(Object.fromEntries(Object.keys(valid).map((k) => [k, ''])))).toEqual([]);
  });

  it.each([
    ['FMNIST_PROFILE', 'huge', /^FMNIST_PROFILE=huge is not valid: use one of smoke, paper, faithful \(or unset it for 'paper'; fmnist main, train and study take --profile instead\)$/],
    ['FMNIST_PROTOCOL', 'kfold', /^FMNIST_PROTOCOL=kfold is not valid: use one of paper, official /],
    ['FMNIST_SEED', '-3', /^FMNIST_SEED=-3 is not valid: use a whole number from 0 to 4294967295 \(or unset it for 42/],
    ['FMNIST_BACKEND', 'gpu', /^FMNIST_BACKEND=gpu is not a valid backend; use one of: node, node-onednn, wasm, cpu \(or unset FMNIST_BACKEND/],
    ['FMNIST_NODE_THREADS', 'abc', /^FMNIST_NODE_THREADS=abc is not a thread count; give a whole number of at least 1 \(or unset it/],
    ['FMNIST_NODE_THREADS', '0', /^FMNIST_NODE_THREADS=0 is not a thread count/],
    ['FMNIST_ENGINE', 'fast', /^FMNIST_ENGINE=fast is not valid: use one of native, tfjs \(or unset it for 'native'; 'tfjs' reproduces runs trained before 5 December 2026 bit for bit\)$/],
    ['FMNIST_RESULTS_DIR', __filename, /^FMNIST_RESULTS_DIR=.*environment-check\.test\.ts is not a folder \(a file is in the way\): point it at a folder/],
    ['FMNIST_CHROMIUM', '/no/such/chrome', /^FMNIST_CHROMIUM=\/no\/such\/chrome does not exist: .*set it to none/],
    ['FMNIST_TF_NOTICES', 'yes please', /^FMNIST_TF_NOTICES="yes please" is not valid: use show/],
    ['FMNIST_LOCK_STALE_MS', '10', /^FMNIST_LOCK_STALE_MS=10 is not valid: .*at least 2000/],
  ])('%s=%s: one line naming the variable, what it accepts and the fix', (name, value, message) => {
    const problems = environmentProblems({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain('\n');
  });

  it('checkEnvironment throws all problems at once, with exit status 2', () => {
    const err = (() => {
      try {
        checkEnvironment({ FMNIST_BACKEND: 'gpu', FMNIST_NODE_THREADS: 'abc' });
      } catch (e) {
        return e;
      }
    })() as EnvironmentError;
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^2 FMNIST_\* variables hold invalid values:\n {2}FMNIST_BACKEND=gpu .*\n {2}FMNIST_NODE_THREADS=abc /);
  });

  it("the main job's conflict message never offers an invalid value as the fix", () => {
    const [line] = mainEnvironmentConflicts({ profile: 'paper', protocols: ['paper', 'official'] }, { FMNIST_PROFILE: 'huge' });
    expect(line).not.toContain('--profile huge');
    expect(line).toMatch(/choose the profile with --profile \(smoke, paper, faithful\)/);
    const [seed] = mainEnvironmentConflicts({ profile: 'paper', protocols: ['paper'] }, { FMNIST_SEED: 'abc' });
    expect(seed).not.toContain('--seed abc');
  });
});

describe('the command line refuses a bad value before any work starts', () => {
  const oneLine = (stderr: string) => stderr.trim().split('\n');

  it.each([
    ['FMNIST_NODE_THREADS', 'abc', /^fmnist: FMNIST_NODE_THREADS=abc is not a thread count; give a whole number of at least 1/],
    ['FMNIST_BACKEND', 'gpu', /^fmnist: FMNIST_BACKEND=gpu is not a valid backend; use one of: node, node-onednn, wasm, cpu/],
  ])('`%s=%s fmnist main --only 04`: exit 2, one line, no kernel started, no stack trace', (name, value, message) => {
    const before = fs.readFileSync(notebookPath('04-cnn1'));
    const r = fmnist(['main', '--only', '04', '--profile', 'smoke', '--no-render'], { [name]: value });
    expect(r.status, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toContain('[main] start'); // no kernel was started
    expect(fs.existsSync(path.join(tmp, 'results'))).toBe(false);
    expect(fs.readFileSync(notebookPath('04-cnn1')).equals(before)).toBe(true);
  });

  it('`FMNIST_PROFILE=huge fmnist main`: refused as invalid, without suggesting `--profile huge`', () => {
    const r = fmnist(['main', '--only', '04', '--no-render'], { FMNIST_PROFILE: 'huge' });
    expect(r.status, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^fmnist: FMNIST_PROFILE=huge is not valid: use one of smoke, paper, faithful/)]);
    expect(r.stderr).not.toContain('--profile huge');
  });

  it.each([
    [['train', 'ann', '--profile', 'smoke'], { FMNIST_BACKEND: 'gpu' }, /^fmnist: FMNIST_BACKEND=gpu is not a valid backend/],
    [['train', 'ann', '--profile', 'smoke'], { FMNIST_PROFILE: 'huge' }, /^fmnist: FMNIST_PROFILE=huge is not valid/],
    [['study', '--profile', 'smoke', '--dry-run'], { FMNIST_NODE_THREADS: 'abc' }, /^fmnist: FMNIST_NODE_THREADS=abc is not a thread count/],
    [['study', '--profile', 'smoke', '--dry-run'], { FMNIST_SEED: 'x' }, /^fmnist: FMNIST_SEED=x is not valid/],
  ])('`fmnist %j` with %j: exit 2, one line', (args, env, message) => {
    const r = fmnist(args, env);
    expect(r.status, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
