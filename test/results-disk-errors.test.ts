import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readVerifiedRun, ResultWriteError, RUN_ARTIFACTS, writeArtifacts } from '../src/results/artifacts';
import { RUN_FORMAT, type RunFile } from '../src/results/report';
import { setWriteHookForTests, writeFileAtomic } from '../src/util/atomic';

// Issue 15.1: a write that does not complete (a full disk, a short write, no permission) fails the
// command, in the project's words, and leaves the result saved before untouched and verifiable.

const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-disk-'));
const mounts: string[] = [];

/** A tmpfs of `size` at a fresh folder, or undefined where mounting is not allowed (not root). */
function smallDisk(size: string): string | undefined {
  const dir = fs.mkdtempSync(path.join(tmp, 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}
const canMount = (() => {
  const d = smallDisk('64k');
  return d !== undefined;
})();

afterAll(() => {
  setWriteHookForTests(undefined);
  for (const m of mounts) spawnSync('umount', [m]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A run's files: `weightBytes` of weights and small JSON files. */
function files(weightBytes: number, fill: number): Record<string, string | Uint8Array> {
  return {
    'model.json': JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['./weights.bin'], weights: [] }] }),
    'weights.bin': new Uint8Array(weightBytes).fill(fill),
    'history.json': JSON.stringify({ bestEpoch: 1, restoreBest: false, history: [] }),
    'metrics.json': JSON.stringify({ test: { accuracy: fill / 1000 } }),
    'predictions.json': JSON.stringify({ labels: '0', predicted: '0' }),
  };
}
const run = { format: RUN_FORMAT, model: 'ann' } as unknown as Omit<RunFile, 'artifacts'>;

describe('writeArtifacts', () => {
  it('covers exactly RUN_ARTIFACTS', async () => {
    const dir = path.join(tmp, 'list');
    const { 'history.json': _h, ...without } = files(10, 1);
    await expect(writeArtifacts(dir, without, run)).rejects.toThrow(/missing history\.json/);
    await expect(writeArtifacts(dir, { ...files(10, 1), 'extra.bin': 'x' }, run)).rejects.toThrow(/extra\.bin not in RUN_ARTIFACTS/);
    const written = await writeArtifacts(dir, files(10, 1), run);
    expect(Object.keys(written.artifacts).sort()).toEqual([...RUN_ARTIFACTS].sort());
    expect(written.artifacts['weights.bin'].bytes).toBe(10);
  });

  it('a short write fails with the file named and leaves the previous result verifiable', async () => {
    const dir = path.join(tmp, 'short');
    await writeArtifacts(dir, files(1000, 7), run);
    const before = readVerifiedRun(dir, 'retrain')!;
    // The disk takes half of the weights, then nothing more (what write(2) does on a full disk).
    let calls = 0;
    setWriteHookForTests((file, written) => (path.basename(file) === 'weights.bin' ? (calls++ === 0 ? Math.floor(written / 2) : 0) : written));
    try {
      const err = await writeArtifacts(dir, files(1000, 9), run).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResultWriteError);
      expect((err as Error).message).toMatch(/could not save the ann result in .*short: the write was cut short \(500 of 1000 bytes reached the disk\) while writing weights\.bin\. Nothing was replaced/);
    } finally {
      setWriteHookForTests(undefined);
    }
    const after = readVerifiedRun(dir, 'retrain')!;
    expect(after.run).toEqual(before.run);
    expect(after.bytes.get('weights.bin')!.equals(before.bytes.get('weights.bin')!)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]); // no temp files left behind
  });

  it.runIf(canMount)('on a full disk (tmpfs) fails with ENOSPC in plain words, keeping the previous result', async () => {
    const disk = smallDisk('512k')!;
    const dir = path.join(disk, 'paper', 'ann');
    await writeArtifacts(dir, files(239_400, 3), run); // an ANN's weights
    const before = readVerifiedRun(dir, 'retrain')!;
    // Leave ~100 KB free: the new weights cannot fit.
    const free = () => fs.statfsSync(disk).bavail * fs.statfsSync(disk).bsize;
    fs.writeFileSync(path.join(disk, 'filler'), Buffer.alloc(Math.max(0, free() - 100_000)));
    const err = await writeArtifacts(dir, files(239_400, 4), run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResultWriteError);
    expect((err as Error).message).toMatch(/the disk is full \(ENOSPC\) while writing weights\.bin\. Nothing was replaced.*Fix: free some disk space, or set FMNIST_RESULTS_DIR/);
    const after = readVerifiedRun(dir, 'retrain')!;
    expect(after.bytes.get('weights.bin')!.equals(before.bytes.get('weights.bin')!)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('writeFileAtomic', () => {
  it.runIf(canMount)('throws on a full disk instead of leaving a short file', async () => {
    const disk = smallDisk('64k')!;
    const file = path.join(disk, 'big.bin');
    await expect(writeFileAtomic(file, new Uint8Array(200_000))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(disk)).toEqual([]);
  });
});

describe('fmnist train on a disk that fills up', () => {
  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  });

  it.runIf(canMount)('exits non-zero with one line naming the result, the folder and the fix, and leaves no run.json', { timeout: 120_000 }, () => {
    const disk = smallDisk('300k')!;
    const env = { ...process.env, FMNIST_RESULTS_DIR: disk, FASHION_MNIST_DIR: path.join(root, 'test', 'fixtures', 'fashion-mnist'), FMNIST_BACKEND: 'wasm' };
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'fmnist.js'), 'train', 'ann', '--profile', 'smoke'], { env, encoding: 'utf8', timeout: 100_000 });
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/fmnist: could not save the (training checkpoint of )?ann\/paper\/smoke .*the disk is full \(ENOSPC\)/);
    expect(r.stderr).toMatch(/Fix: free some disk space, or set FMNIST_RESULTS_DIR/);
    expect(r.stderr).not.toMatch(/^Error: ENOSPC/m);
    // Nothing that looks like a result was left.
    const runs = execFileSync('find', [disk, '-name', 'run.json'], { encoding: 'utf8' });
    expect(runs).toBe('');
  });

  const asNobody = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
  it.runIf(asNobody)('cannot create the results folder: permission denied in plain words, not a raw EACCES line', { timeout: 120_000 }, () => {
    const readOnly = fs.mkdtempSync(path.join(tmp, 'ro-'));
    fs.chmodSync(tmp, 0o755);
    fs.chmodSync(readOnly, 0o755); // root's folder: user nobody cannot create anything in it
    const env = { ...process.env, HOME: readOnly, FMNIST_RESULTS_DIR: readOnly, FASHION_MNIST_DIR: path.join(root, 'test', 'fixtures', 'fashion-mnist'), FMNIST_BACKEND: 'wasm' };
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(root, 'bin', 'fmnist.js'), 'train', 'ann', '--profile', 'smoke'], { env, encoding: 'utf8', timeout: 100_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/fmnist: could not save the result in .*: permission denied \(EACCES\) while creating the folder\. .*Fix: make .* writable .*or set FMNIST_RESULTS_DIR to a writable folder/);
    expect(r.stderr).not.toMatch(/^Error: EACCES/m);
  });

  it('a file where the results folder should be: said in plain words', { timeout: 120_000 }, () => {
    const file = path.join(tmp, 'not-a-folder');
    fs.writeFileSync(file, '');
    const env = { ...process.env, FMNIST_RESULTS_DIR: file, FASHION_MNIST_DIR: path.join(root, 'test', 'fixtures', 'fashion-mnist'), FMNIST_BACKEND: 'wasm' };
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'fmnist.js'), 'train', 'ann', '--profile', 'smoke'], { env, encoding: 'utf8', timeout: 100_000 });
    // Refused before any training by the environment check (src/util/environment.ts), in one line.
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/fmnist: FMNIST_RESULTS_DIR=.*not-a-folder is not a folder \(a file is in the way\): point it at a folder/);
  });
});
