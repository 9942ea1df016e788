import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { spawnSync, SpawnSyncOptions } from 'node:child_process';

/** Shared by the test/data-*.test.ts files: temp dataset folders, snapshots, CLI runs. */

export const ROOT = path.resolve(__dirname, '..');
export const FIXTURE_DIR = path.join(ROOT, 'test', 'fixtures', 'fashion-mnist');
export const REAL_DIR = '/usr/share/datasets/fashion-mnist';
export const HAVE_REAL = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every((n) =>
  fs.existsSync(path.join(REAL_DIR, `${n}.gz`)),
);

export function tmpDir(prefix = 'fmnist-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A copy of the committed fixture (four .gz files and checksums.json) in a fresh temp folder. */
export function copyFixture(dest = tmpDir()): string {
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(FIXTURE_DIR)) fs.copyFileSync(path.join(FIXTURE_DIR, f), path.join(dest, f));
  return dest;
}

export function readGz(file: string): Buffer {
  return zlib.gunzipSync(fs.readFileSync(file));
}

export function writeGz(file: string, content: Uint8Array): void {
  fs.writeFileSync(file, zlib.gzipSync(content));
}

/** name → sha256 + size + mtime of every file under `dir` (recursively), to prove nothing was touched. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const st = fs.statSync(full);
        out[path.relative(dir, full)] = `${createHash('sha256').update(fs.readFileSync(full)).digest('hex')} ${st.size} ${st.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/fmnist.js ...args` with extra env; FASHION_MNIST_* from the parent are cleared first. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, opts: SpawnSyncOptions = {}): CliResult {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('FASHION_MNIST_')) delete base[k];
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fmnist.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    ...opts,
    env: { ...base, ...env },
  });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Compiles src/ to dist/ once up front so CLI runs in parallel test files don't race to rebuild. */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'ensure-built.js')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building dist/ failed:\n${r.stderr}`);
}

/**
 * A copy, in a folder every user can read, of the compiled CLI (`dist/`, package.json) and exactly the
 * node_modules files that `fmnist <args>` loads from `checkoutRoot`: a child run as another user (root's
 * tests drop to "nobody") then works wherever the checkout lives, even under a 0700 folder such as
 * root's home or a `mktemp -d` folder. The module list is taken from a run of the same command as the
 * current user, so nothing is guessed. Returns the copy's root (it has its own package.json).
 */
export function readableCliCopy(checkoutRoot: string, args: string[], env: NodeJS.ProcessEnv): string {
  const listFile = path.join(tmpDir('fmnist-modules-'), 'modules.json');
  const probe =
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(listFile)}, JSON.stringify(Object.keys(require.cache))));` +
    `require(${JSON.stringify(path.join(checkoutRoot, 'dist', 'cli', 'main.js'))}).main(['node', 'fmnist', ...${JSON.stringify(args)}]).catch(() => {});`;
  spawnSync(process.execPath, ['-e', probe], { cwd: '/', env, encoding: 'utf8' });
  const loaded = JSON.parse(fs.readFileSync(listFile, 'utf8')) as string[];
  fs.rmSync(path.dirname(listFile), { recursive: true, force: true });

  const dest = tmpDir('fmnist-cli-copy-');
  fs.cpSync(path.join(checkoutRoot, 'dist'), path.join(dest, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(checkoutRoot, 'package.json'), path.join(dest, 'package.json'));
  const modules = fs.realpathSync(path.join(checkoutRoot, 'node_modules'));
  const copy = (file: string) => {
    const target = path.join(dest, 'node_modules', path.relative(modules, file));
    if (fs.existsSync(target)) return;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
  };
  for (const file of loaded.filter((f) => path.isAbsolute(f) && f.startsWith(modules + path.sep))) {
    copy(file);
    // Every package.json on the way up to node_modules/: Node reads them to resolve "main" and "exports".
    for (let dir = path.dirname(file); dir.startsWith(modules + path.sep); dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, 'package.json'))) copy(path.join(dir, 'package.json'));
    }
  }
  const open = (p: string) => {
    fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) open(path.join(p, e));
  };
  open(dest);
  return dest;
}
