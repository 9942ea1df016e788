import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

// Two machines, simulated: two shards of a small smoke study trained at once by two processes into
// two results roots, merged into a third, give the summary a one-machine study gives.
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const fixture = path.join(root, 'test', 'fixtures', 'fashion-mnist');
let tmp: string;
const dir = (name: string) => path.join(tmp, name);

const env = (results: string) => ({ ...process.env, FMNIST_RESULTS_DIR: results, FASHION_MNIST_DIR: fixture, FMNIST_BACKEND: 'wasm' });

function fmnist(results: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: env(results), encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking: the two shards run at the same time, as on two machines. */
function fmnistAsync(results: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: env(results) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// A small plan: 2 models × 2 seeds, one protocol, smoke profile (1 epoch on a tiny subset).
const plan = ['study', '--profile', 'smoke', '--protocol', 'official', '--models', 'ann', 'cnn1', '--seeds', '2', '--concurrency', '1'];
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
/** Run folders under a results root (those holding run.json), relative. */
function runFolders(results: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(results, rel), { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const sub = path.join(rel, e.name);
      if (fs.existsSync(path.join(results, sub, 'run.json'))) out.push(sub.split(path.sep).join('/'));
      else walk(sub);
    }
  };
  if (fs.existsSync(results)) walk('');
  return out.sort();
}
/** The summary without anything a clock or a machine's load decides. */
const withoutTimes = (s: unknown) => JSON.parse(JSON.stringify(s, (k, v) => (/seconds|wall|At$/i.test(k) ? undefined : v)));
const copyRun = (from: string, to: string, folder: string) => fs.cpSync(path.join(from, folder), path.join(to, folder), { recursive: true });

beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-shards-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('fmnist study --shard i/n on two machines, then fmnist merge', () => {
  let shards: Array<{ trained: Array<{ model: string; seed: number }>; total: number; planTotal: number }>;

  it('two shards, trained at once in two processes into two results roots, split the plan between them and write no summary', async () => {
    const [a, b] = await Promise.all([fmnistAsync(dir('A'), ...plan, '--shard', '1/2', '--json'), fmnistAsync(dir('B'), ...plan, '--shard', '2/2', '--json')]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    shards = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    const names = shards.map((s) => s.trained.map((r) => `${r.model}/${r.seed}`).sort());
    expect(shards.map((s) => s.planTotal)).toEqual([4, 4]);
    expect([...names[0], ...names[1]].sort()).toEqual(['ann/1', 'ann/42', 'cnn1/1', 'cnn1/42']);
    expect(names[0].length + names[1].length).toBe(4);
    for (const [r, name] of [[a, 'A'], [b, 'B']] as const) {
      expect(r.stderr).toMatch(/\[study\] shard [12]\/2: 2 of the plan's 4 runs/);
      expect(r.stderr).toMatch(/No summary written: a shard holds part of the plan\. Collect every shard's results\/ here with `fmnist merge <dir\.\.\.>`/);
      expect(runFolders(dir(name))).toHaveLength(2);
      // No study/ folder anywhere: a shard's share is not the study.
      expect(fs.readdirSync(dir(name), { recursive: true }).some((p) => String(p).split(path.sep).includes('study'))).toBe(false);
    }
    // The shares are the same on every machine: a dry run elsewhere lists the same runs.
    const again = fmnist(dir('elsewhere'), ...plan, '--shard', '1/2', '--dry-run', '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).missing.map((r: { model: string; seed: number }) => `${r.model}/${r.seed}`).sort()).toEqual(names[0]);
  }, 240_000);

  it('merged into a third root, they give the same summary as a one-machine study of the same plan', () => {
    const merged = fmnist(dir('C'), 'merge', dir('A'), dir('B'));
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^copied 4 run\(s\) into \$FMNIST_RESULTS_DIR; 0 already here and identical \(skipped\)/);
    expect(merged.stdout).toMatch(/Summaries are not merged: run `fmnist study --plan <name>`/);
    expect(runFolders(dir('C'))).toEqual([...runFolders(dir('A')), ...runFolders(dir('B'))].sort());
    // No temp folders left behind.
    expect(fs.readdirSync(dir('C'), { recursive: true }).some((p) => String(p).includes('.merge-'))).toBe(false);

    const fromMerge = fmnist(dir('C'), ...plan, '--json');
    expect(fromMerge.status, fromMerge.stderr).toBe(0);
    expect(fromMerge.stderr).toMatch(/all 4 runs are saved and current/);
    const oneMachine = fmnist(dir('D'), ...plan, '--json');
    expect(oneMachine.status, oneMachine.stderr).toBe(0);
    expect(oneMachine.stderr).toMatch(/training 4, 1 at a time/);
    expect(withoutTimes(JSON.parse(fromMerge.stdout))).toEqual(withoutTimes(JSON.parse(oneMachine.stdout)));
    expect(JSON.parse(fromMerge.stdout).compute.runs).toBe(4);
  }, 240_000);

  it('merging the same runs again skips them as identical, also when trained again elsewhere (same numbers, other epoch times)', () => {
    // A's 2 runs are C's own copies; D trained all 4 itself (its history.json differs only in seconds).
    const again = fmnist(dir('C'), 'merge', dir('A'), dir('D'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^copied 0 run\(s\) into \$FMNIST_RESULTS_DIR; 6 already here and identical \(skipped\)/);
  });

  it('refuses a tampered file: one byte of a copied metrics.json, and nothing is copied', () => {
    const [first, second] = runFolders(dir('A'));
    copyRun(dir('A'), dir('E'), first);
    copyRun(dir('A'), dir('E'), second);
    const metrics = path.join(dir('E'), first, 'metrics.json');
    const bytes = fs.readFileSync(metrics);
    const at = bytes.indexOf('"accuracy": 0.') + '"accuracy": 0.'.length;
    bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31; // one digit, same size
    fs.writeFileSync(metrics, bytes);
    const r = fmnist(dir('F'), 'merge', dir('E'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`fmnist merge: refused 1 run(s); nothing was copied into $FMNIST_RESULTS_DIR:`);
    expect(r.stderr).toContain(`${first} (from `);
    expect(r.stderr).toMatch(/metrics\.json does not match the SHA-256 recorded in run\.json \(edited or damaged\)/);
    // The good run beside it was not copied either: a merge is all or nothing.
    expect(runFolders(dir('F'))).toEqual([]);
  });

  it('refuses a conflicting run (same folder and cache key, other results) and overwrites nothing', () => {
    const [first] = runFolders(dir('A'));
    copyRun(dir('A'), dir('G'), first);
    // A self-consistent but different result: metrics.json changed and its hash in run.json updated.
    const metricsFile = path.join(dir('G'), first, 'metrics.json');
    const m = readJson(metricsFile);
    m.test.accuracy = 0.123;
    const text = JSON.stringify(m, null, 2) + '\n';
    fs.writeFileSync(metricsFile, text);
    const runFile = path.join(dir('G'), first, 'run.json');
    const run = readJson(runFile);
    run.artifacts['metrics.json'] = { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
    fs.writeFileSync(runFile, JSON.stringify(run, null, 2) + '\n');
    const before = fs.readFileSync(path.join(dir('C'), first, 'metrics.json'));
    const r = fmnist(dir('C'), 'merge', dir('G'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/conflicts with the run already here: the same cache key but different results \(metrics\.json differ/);
    expect(r.stderr).toMatch(/Nothing is overwritten/);
    expect(fs.readFileSync(path.join(dir('C'), first, 'metrics.json')).equals(before)).toBe(true);
    // Two incoming copies that disagree are refused the same way.
    const both = fmnist(dir('H'), 'merge', dir('A'), dir('G'));
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/conflicts with the copy in .*: the same cache key but different results/);
    expect(runFolders(dir('H'))).toEqual([]);
  });

  it('replaces an unfinished run (a checkpoint without run.json), and refuses a folder a trainer holds', () => {
    const [first] = runFolders(dir('B'));
    fs.mkdirSync(path.join(dir('I'), first, 'checkpoint'), { recursive: true });
    fs.writeFileSync(path.join(dir('I'), first, 'checkpoint', 'state.json'), '{}');
    fs.mkdirSync(path.join(dir('J'), first, '.lock'), { recursive: true });
    const held = fmnist(dir('J'), 'merge', dir('B'));
    expect(held.status).toBe(1);
    expect(held.stderr).toMatch(/a training process is writing .* \(it holds \.lock\); merge when it has finished/);
    const r = fmnist(dir('I'), 'merge', dir('B'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${first} (replacing an unfinished run: checkpoint only)`);
    expect(fs.existsSync(path.join(dir('I'), first, 'checkpoint'))).toBe(false);
    expect(fs.readdirSync(path.join(dir('I'), path.dirname(first))).filter((n) => n.startsWith('.merge-'))).toEqual([]);
  });

  it('a bad source is named', () => {
    const r = fmnist(dir('C'), 'merge', dir('nowhere'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/nowhere is not a folder/);
    const self = fmnist(dir('C'), 'merge', dir('C'));
    expect(self.status).not.toBe(0);
    expect(self.stderr).toMatch(/is this checkout's own results folder/);
  });
});
