import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readDatasetDir } from '../src/data/dataset-dir';
import { DataError } from '../src/data/errors';
import { encodeIdxLabels } from '../src/data/idx';
import { copyFixture, ensureBuilt, readableCliCopy, readGz, ROOT, runCli, snapshot, tmpDir, writeGz } from './data-helpers';

/**
 * Issue 7 "Bad input", data half: every broken-file case gives a non-zero exit and one message
 * naming the file and the fix, and touches nothing (the bad folder, the download cache, results).
 * The broken files are generated here from a copy of the committed fixture.
 */

type Breaker = (dir: string) => string; // breaks something in `dir`, returns the path the message must name

const gz = (dir: string, name: string) => path.join(dir, `${name}.gz`);

function rewrite(file: string, edit: (content: Buffer) => Buffer | Uint8Array): void {
  writeGz(file, edit(Buffer.from(readGz(file))));
}

const CASES: [string, RegExp, Breaker][] = [
  ['a truncated .gz', /gzip data is truncated/, (d) => {
    const f = gz(d, 'train-images-idx3-ubyte');
    const b = fs.readFileSync(f);
    fs.writeFileSync(f, b.subarray(0, Math.floor(b.length / 2)));
    return f;
  }],
  ['a file that is not gzip', /not gzip data/, (d) => {
    const f = gz(d, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(f, '<html>404 Not Found</html>\n');
    return f;
  }],
  ['a wrong magic number', /wrong magic number 2052/, (d) => {
    const f = gz(d, 'train-images-idx3-ubyte');
    rewrite(f, (c) => { c.writeUInt32BE(2052, 0); return c; });
    return f;
  }],
  ['swapped image and label files', /looks like an IDX labels file/, (d) => {
    const f = gz(d, 't10k-images-idx3-ubyte');
    fs.copyFileSync(gz(d, 't10k-labels-idx1-ubyte'), f);
    return f;
  }],
  ['wrong dimensions', /wrong image dimensions 28×27/, (d) => {
    const f = gz(d, 't10k-images-idx3-ubyte');
    rewrite(f, (c) => { c.writeUInt32BE(27, 12); return c; });
    return f;
  }],
  ['image and label counts that disagree', /has 299 labels but .*train-images-idx3-ubyte\.gz has 300 images/, (d) => {
    const f = gz(d, 'train-labels-idx1-ubyte');
    rewrite(f, (c) => encodeIdxLabels(c.subarray(8, 8 + 299)));
    return f;
  }],
  ['a label outside 0–9', /label 10 at index 5 is outside 0–9/, (d) => {
    const f = gz(d, 't10k-labels-idx1-ubyte');
    rewrite(f, (c) => { c[8 + 5] = 10; return c; });
    return f;
  }],
  ['a decompressed checksum that does not match', /checksum mismatch/, (d) => {
    const f = gz(d, 'train-images-idx3-ubyte');
    rewrite(f, (c) => { c[16 + 1234] ^= 0xff; return c; });
    return f;
  }],
  ['an empty file', /the file is empty/, (d) => {
    const f = gz(d, 't10k-images-idx3-ubyte');
    fs.writeFileSync(f, '');
    return f;
  }],
  ['a missing file', /the file is missing/, (d) => {
    const f = gz(d, 't10k-labels-idx1-ubyte');
    fs.unlinkSync(f);
    return f;
  }],
  ['a plain (uncompressed) file cut short', /truncated: its header says 300 labels/, (d) => {
    const f = gz(d, 'train-labels-idx1-ubyte');
    const content = readGz(f);
    fs.unlinkSync(f);
    const plain = path.join(d, 'train-labels-idx1-ubyte');
    fs.writeFileSync(plain, content.subarray(0, 200));
    return plain;
  }],
  ['a folder that does not exist', /the folder does not exist/, (d) => {
    fs.rmSync(d, { recursive: true });
    return d;
  }],
];

/** Everything that must stay untouched: a download cache and a results folder, each with a file in it. */
let cacheDir: string;
let resultsDir: string;
let before: { cache: Record<string, string>; results: Record<string, string>; projectData: Record<string, string> };

beforeAll(() => {
  ensureBuilt();
  cacheDir = tmpDir('fmnist-cache-');
  resultsDir = tmpDir('fmnist-results-');
  fs.writeFileSync(path.join(cacheDir, 'sentinel'), 'keep me');
  fs.mkdirSync(path.join(resultsDir, 'cnn3'));
  fs.writeFileSync(path.join(resultsDir, 'cnn3', 'metrics.json'), '{"accuracy":0.9}\n');
  before = { cache: snapshot(cacheDir), results: snapshot(resultsDir), projectData: snapshot(path.join(ROOT, 'data')) };
});

afterAll(() => {
  expect(snapshot(cacheDir)).toEqual(before.cache);
  expect(snapshot(resultsDir)).toEqual(before.results);
  expect(snapshot(path.join(ROOT, 'data'))).toEqual(before.projectData);
});

/** Env for CLI runs: the bad folder, plus a cache and mirror that must never be used. */
function envFor(dir: string): Record<string, string> {
  return { FASHION_MNIST_DIR: dir, FASHION_MNIST_CACHE_DIR: cacheDir, FASHION_MNIST_MIRROR: 'http://127.0.0.1:9/', FMNIST_RESULTS_DIR: resultsDir };
}

function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[build]'));
}

describe.each(CASES)('%s', (_label, pattern, breakIt) => {
  it('is rejected with an error naming the file (in process)', async () => {
    const dir = copyFixture();
    const file = breakIt(dir);
    const snap = snapshot(dir);
    const err = await readDatasetDir(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(file);
    expect((err as Error).message).toMatch(pattern);
    expect(snapshot(dir)).toEqual(snap);
  });

  it('makes `fmnist data` exit non-zero with one message naming the file and the fix, touching nothing', () => {
    const dir = copyFixture();
    const file = breakIt(dir);
    const snap = snapshot(dir);
    const r = runCli(['data', '--json'], envFor(dir));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = messageLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fmnist: /);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(pattern);
    expect(lines[0]).toMatch(/FASHION_MNIST_DIR/); // the fix
    expect(snapshot(dir)).toEqual(snap);
  });
});

describe('a broken file in the download cache', () => {
  it('is reported with "delete it and rerun", and is not deleted or repaired behind the user\'s back', () => {
    const cache = copyFixture();
    const f = gz(cache, 'train-labels-idx1-ubyte');
    rewrite(f, (c) => { c[8] = 11; return c; });
    const snap = snapshot(cache);
    const r = runCli(['data', '--ensure'], { FASHION_MNIST_CACHE_DIR: cache, FASHION_MNIST_MIRROR: 'http://127.0.0.1:9/' });
    expect(r.status).toBe(1);
    const lines = messageLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(f);
    expect(lines[0]).toMatch(/label 11 at index 0/);
    expect(lines[0]).toMatch(/Delete it and rerun `npx fmnist data`/);
    expect(snapshot(cache)).toEqual(snap);
  });
});

describe('a folder that cannot be read', () => {
  const isRoot = process.getuid?.() === 0;
  const nobody = 65534;

  /** A dataset folder nobody may read, and the fmnist data run that must report it. */
  function lockedFolder(): { dir: string; snap: Record<string, string>; unlock: () => void } {
    const parent = tmpDir('fmnist-unreadable-');
    fs.chmodSync(parent, 0o755);
    const dir = copyFixture(path.join(parent, 'locked'));
    const snap = snapshot(dir);
    fs.chmodSync(dir, 0o000);
    return { dir, snap, unlock: () => fs.chmodSync(dir, 0o755) };
  }

  // Root reads any folder, so as root the check runs in a child process as user "nobody". That child
  // loads the CLI from a readable copy: the checkout itself may sit under a 0700 folder (root's home).
  function runDataAsNobody(checkoutRoot: string, dir: string, copy = true): { status: number | null; stderr: string; stdout: string } {
    const env = { PATH: process.env.PATH, ...envFor(dir), FMNIST_RESULTS_DIR: resultsDir };
    const cliRoot = copy ? readableCliCopy(checkoutRoot, ['data', '--json'], env) : checkoutRoot;
    try {
      const script = `require(${JSON.stringify(path.join(cliRoot, 'dist', 'cli', 'main.js'))}).main(['node','fmnist','data','--json'])` +
        `.catch((e) => { console.error('fmnist: ' + e.message); process.exit(e.exitCode ?? 1); })`;
      const s = spawnSync(process.execPath, ['-e', script], { cwd: '/', uid: nobody, gid: nobody, encoding: 'utf8', env });
      return { status: s.status, stdout: s.stdout, stderr: s.stderr };
    } finally {
      if (copy) fs.rmSync(cliRoot, { recursive: true, force: true });
    }
  }

  function expectPermissionMessage(r: { status: number | null; stderr: string }, dir: string): void {
    expect(r.status, r.stderr).toBe(1);
    const lines = messageLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(dir);
    expect(lines[0]).toMatch(/cannot be read \(permission denied\)/);
    expect(lines[0]).toMatch(/chmod/);
  }

  it('is reported naming the folder, with chmod as the fix', () => {
    const { dir, snap, unlock } = lockedFolder();
    try {
      const r = isRoot ? runDataAsNobody(ROOT, dir) : runCli(['data', '--json'], envFor(dir));
      expectPermissionMessage(r, dir);
    } finally {
      unlock();
    }
    expect(snapshot(dir)).toEqual(snap);
  });

  it.skipIf(!isRoot)('is reported the same when the checkout sits in a 0700 folder (root\'s home, mktemp -d)', () => {
    // A checkout under a folder only root may enter: its compiled CLI, package.json and node_modules.
    const home = tmpDir('fmnist-home-');
    fs.chmodSync(home, 0o700);
    const checkout = path.join(home, 'checkout');
    fs.mkdirSync(checkout);
    fs.cpSync(path.join(ROOT, 'dist'), path.join(checkout, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(checkout, 'package.json'));
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(checkout, 'node_modules'));
    const { dir, unlock } = lockedFolder();
    try {
      // Run straight from that checkout, "nobody" cannot even load the CLI: the failure this guards against.
      const direct = runDataAsNobody(checkout, dir, false);
      expect(direct.status).not.toBe(0);
      expect(direct.stderr).toMatch(/Cannot find module|EACCES|permission denied/i);
      expectPermissionMessage(runDataAsNobody(checkout, dir), dir);
    } finally {
      unlock();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
