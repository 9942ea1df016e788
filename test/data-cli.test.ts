import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_FILES } from '../src/data/checksums';
import { CLASS_NAMES } from '../src/data/classes';
import { ensureBuilt, FIXTURE_DIR, HAVE_REAL, REAL_DIR, runCli, tmpDir } from './data-helpers';

/** `fmnist data` run as a child process, as a user would: on the committed fixture and, when installed, the real data. */

beforeAll(() => ensureBuilt());

describe('fmnist data on the fixture (FASHION_MNIST_DIR)', () => {
  it('--json reports the counts, class names, class counts and split sizes, and says it is a subset', () => {
    const r = runCli(['data', '--json'], { FASHION_MNIST_DIR: FIXTURE_DIR });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.source).toBe(FIXTURE_DIR);
    expect(j.origin).toBe('FASHION_MNIST_DIR');
    expect(j.verified).toBe(false);
    expect(j.checkedAgainst).toBe('checksums.json');
    expect(j.files.map((f: { name: string }) => f.name)).toEqual(PUBLISHED_FILES.map((f) => f.name));
    for (const f of j.files) {
      expect(f.verified).toBe(false);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(j.train).toEqual({ images: 300, labels: 300 });
    expect(j.test).toEqual({ images: 100, labels: 100 });
    expect(j.classNames).toEqual([...CLASS_NAMES]);
    expect(j.classCounts).toEqual(new Array(10).fill(40));
    expect(j.splits).toEqual({ paper: { train: 240, val: 80, test: 80 }, official: { train: 250, val: 50, test: 100 } });
  });

  it('prints a readable summary that flags the subset', () => {
    const r = runCli(['data'], { FASHION_MNIST_DIR: FIXTURE_DIR });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/a SUBSET, not the published files/);
    expect(r.stdout).toMatch(/Ankle boot\s+40/);
    expect(r.stdout).toMatch(/paper\s+train 240 {2}val 80 {2}test 80/);
  });

  it('--ensure prints one line', () => {
    const r = runCli(['data', '--ensure'], { FASHION_MNIST_DIR: FIXTURE_DIR });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^fmnist data: ok, 300 \+ 100 images in .*SUBSET/);
  });

  it('--dir overrides FASHION_MNIST_DIR', () => {
    const r = runCli(['data', '--json', '--dir', FIXTURE_DIR], { FASHION_MNIST_DIR: tmpDir() });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).origin).toBe('dir option');
  });

  it('rejects --json with --ensure, and unknown flags', () => {
    const both = runCli(['data', '--json', '--ensure'], { FASHION_MNIST_DIR: FIXTURE_DIR });
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/--json and --ensure cannot be combined/);
    const unknown = runCli(['data', '--jsno'], { FASHION_MNIST_DIR: FIXTURE_DIR });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown option '--jsno'/);
  });
});

describe.skipIf(!HAVE_REAL)('fmnist data on the real dataset', () => {
  it('--json finds Debian\'s copy (empty cache) and reports all four files verified', () => {
    const r = runCli(['data', '--json'], { FASHION_MNIST_CACHE_DIR: tmpDir(), FASHION_MNIST_MIRROR: 'http://127.0.0.1:9/' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.source).toBe(REAL_DIR);
    expect(j.origin).toBe('system');
    expect(j.verified).toBe(true);
    expect(j.files).toEqual(
      PUBLISHED_FILES.map((f) => ({ name: f.name, path: `${REAL_DIR}/${f.name}.gz`, sha256: f.sha256, verified: true })),
    );
    expect(j.train).toEqual({ images: 60_000, labels: 60_000 });
    expect(j.test).toEqual({ images: 10_000, labels: 10_000 });
    expect(j.classNames).toEqual([...CLASS_NAMES]);
    expect(j.classCounts).toEqual(new Array(10).fill(7000));
    expect(j.splits).toEqual({ paper: { train: 42_000, val: 14_000, test: 14_000 }, official: { train: 50_000, val: 10_000, test: 10_000 } });
  });
});
