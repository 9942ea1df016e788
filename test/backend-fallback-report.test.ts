import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { notebookPath } from '../src/pipeline/plan';
import { nativeBackendBuilt } from './backend-helpers';

// Issue 19, fault case 2: a native binding that breaks after bootstrap. `train` falls back to wasm
// cleanly, but the report then said "these results are missing: results/paper-wasm/... train all"
// (hours of retraining on wasm) and never that the native backend failed to load, or how to rebuild it.

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'fmnist.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-fallback-'));
const preload = path.join(tmp, 'corrupt-binding.js');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
  // A corrupt tfjs_binding.node, as the dynamic loader reports it, in this process and (through
  // NODE_OPTIONS) every process it starts; the shared node_modules is never touched.
  fs.writeFileSync(
    preload,
    `const dlopen = process.dlopen;
     process.dlopen = function (module, filename, ...rest) {
       if (String(filename).endsWith('tfjs_binding.node')) { const e = new Error(filename + ': invalid ELF header'); e.code = 'ERR_DLOPEN_FAILED'; throw e; }
       return dlopen.call(this, module, filename, ...rest);
     };`,
  );
});

const generated = ['_variables.yml', 'README.md'].map((f) => path.join(root, f));
const snapshot = () => generated.map((f) => fs.readFileSync(f, 'utf8'));

/** `fmnist <args>` with its results and figures in `tmp/<scratch>` (empty: nothing saved is read or written). */
function fmnist(args: string[], env: Record<string, string | undefined>, scratch = 'scratch') {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, FMNIST_RESULTS_DIR: path.join(tmp, scratch, 'results'), FMNIST_FIGURES_DIR: path.join(tmp, scratch, 'figures'), ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  return spawnSync(process.execPath, [bin, ...args], { cwd: root, env: childEnv, encoding: 'utf8', timeout: 180_000 });
}
const broken = { NODE_OPTIONS: `--require ${preload}`, FMNIST_BACKEND: undefined };
// Where the binding is built, the preload breaks it; elsewhere tfjs-node already fails to load for its own reason.
const reason = nativeBackendBuilt() ? 'tfjs-node failed to load: node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node: invalid ELF header' : undefined;

describe('a native binding that no longer loads', () => {
  it('`main --skip-notebooks` says first that the committed results are on node, that it failed to load and why, and how to rebuild it', () => {
    const before = snapshot();
    const r = fmnist(['main', '--skip-notebooks', '--no-render'], broken);
    expect(r.status, r.stderr).toBe(1);
    const message = r.stderr.slice(r.stderr.indexOf('fmnist: '));
    expect(message).toMatch(
      /^fmnist: cannot generate the report's numbers: the committed results were made on the node backend, but it failed to load in this process \((.+)\), so this process runs on wasm, whose results are kept in folders of their own\. Fix: rebuild the native backend with `bash scripts\/bootstrap\.sh` \(see "Native backend" in README\.md\) and rerun; only to really retrain every model on wasm \(hours\), set FMNIST_BACKEND=wasm and run `npm run main`\.\nThese results \(wasm backend\) are missing:\n {2}\$FMNIST_RESULTS_DIR\/paper-wasm\/paper\/ann\/run\.json\n/,
    );
    if (reason) expect(message).toContain(`(${reason})`);
    expect(message).not.toContain('train all'); // the fix is the rebuild, not hours on wasm
    expect(snapshot()).toEqual(before);
  });

  it('a paper-profile main job refuses before any notebook runs, instead of retraining everything on wasm', () => {
    const before = fs.readFileSync(notebookPath('03-ann'));
    const r = fmnist(['main', '--only', '03', '--no-render'], broken, 'refused');
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^fmnist: the node backend failed to load \(.+\), and the committed results were made on it: this main job would run on wasm, retrain every model there \(hours\) and rewrite the committed notebooks with wasm's results\. Fix: rebuild it with `bash scripts\/bootstrap\.sh` .*; or set FMNIST_BACKEND=wasm to run the main job on wasm anyway$/,
      ),
    ]);
    if (reason) expect(r.stderr).toContain(`(${reason})`);
    expect(fs.readFileSync(notebookPath('03-ann')).equals(before)).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'refused'))).toBe(false);
  });

  it('with FMNIST_BACKEND=wasm asked for, the missing results are wasm\'s own, and the message says why', () => {
    const r = fmnist(['main', '--skip-notebooks', '--no-render'], { FMNIST_BACKEND: 'wasm' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/fmnist: cannot generate the report's numbers: the committed results were made on the node backend; this process runs on wasm because FMNIST_BACKEND=wasm asks for it, .*Fix: unset FMNIST_BACKEND to use the committed results, or train wasm's as below\.\nThese results \(wasm backend\) are missing:\n/);
    expect(r.stderr).toMatch(/train them with `node bin\/fmnist\.js train all --profile paper/);
  });
});
