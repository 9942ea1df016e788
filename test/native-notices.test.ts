import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTensorFlowNotice, splitNotices } from '../src/tf/native-notices';

const ABSL = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';
const ONEDNN =
  'I0000 00:00:1796442167.163439    5105 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.';

describe('splitNotices', () => {
  it("holds back exactly TensorFlow's two start-up lines (as printed on an Intel Xeon) and keeps the rest in order", () => {
    expect(isTensorFlowNotice(ABSL)).toBe(true);
    expect(isTensorFlowNotice(ONEDNN)).toBe(true);
    expect(isTensorFlowNotice('oneDNN custom operations are on')).toBe(false); // not TensorFlow's log format
    expect(isTensorFlowNotice('Error: something failed')).toBe(false);
    const { notices, rest } = splitNotices(`first\n${ABSL}\n${ONEDNN}\nlast\npartial`);
    expect(notices).toEqual([ABSL, ONEDNN]);
    expect(rest).toBe('first\nlast\npartial');
  });
});

describe('loadWithoutNotices, in a child process, whatever its stderr is', () => {
  const root = path.resolve(__dirname, '..');
  let tmp: string;
  beforeAll(() => {
    require(path.join(root, 'scripts', 'ensure-built.js')).ensureBuilt({ quiet: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-notices-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  // A stand-in for libtensorflow: writes to descriptor 2 directly, as C++ code does.
  const script = (extra = '') => `
    const fs = require('fs');
    const { loadWithoutNotices } = require(${JSON.stringify(path.join(root, 'dist', 'tf', 'native-notices.js'))});
    process.stderr.write('before\\n');
    const r = loadWithoutNotices(() => { fs.writeSync(2, ${JSON.stringify(`${ABSL}\n${ONEDNN}\nkept\n`)}); return 7; });
    process.stderr.write('after\\n');
    console.log(JSON.stringify({ value: r.value, oneDnn: r.oneDnn, notices: r.notices.length }));
    ${extra}`;

  it('stderr a socket (a Node parent): notices held back, other lines passed through in order, oneDNN read', () => {
    const r = spawnSync(process.execPath, ['-e', script()], { encoding: 'utf8', env: { ...process.env, FMNIST_TF_NOTICES: undefined } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('before\nkept\nafter\n');
    expect(JSON.parse(r.stdout)).toEqual({ value: 7, oneDnn: true, notices: 2 });
  });

  it('stderr a file: the same, and the file is appended to, not truncated', () => {
    const file = path.join(tmp, 'stderr.txt');
    fs.writeFileSync(file, 'earlier\n');
    const fd = fs.openSync(file, 'a');
    const r = spawnSync(process.execPath, ['-e', script()], { encoding: 'utf8', stdio: ['ignore', 'pipe', fd], env: { ...process.env, FMNIST_TF_NOTICES: undefined } });
    fs.closeSync(fd);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('earlier\nbefore\nkept\nafter\n');
  });

  it('stderr a shell pipe: the same', () => {
    const js = path.join(tmp, 'child.js');
    fs.writeFileSync(js, script());
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${js}" 2>&1 >/dev/null | cat`], { encoding: 'utf8', env: { ...process.env, FMNIST_TF_NOTICES: undefined } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('before\nkept\nafter\n');
  });

  it('FMNIST_TF_NOTICES=show passes everything through', () => {
    const r = spawnSync(process.execPath, ['-e', script()], { encoding: 'utf8', env: { ...process.env, FMNIST_TF_NOTICES: 'show' } });
    expect(r.stderr).toBe(`before\n${ABSL}\n${ONEDNN}\nkept\nafter\n`);
  });
});
