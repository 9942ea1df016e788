import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findQuarto, quartoMissingMessage, versionAtLeast } from '../src/pipeline/quarto';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-quarto-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fake `quarto` executable that prints `version`. */
function fakeQuarto(version: string): string {
  const bin = path.join(tmp, `bin-${version}`);
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'quarto'), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  return path.join(bin, 'quarto');
}
/** An environment whose PATH has only the system tools plus `extra` (scripts/env.sh adds the venv). */
function envWith(extra?: string, quartoPath?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [extra, '/usr/bin', '/bin'].filter(Boolean).join(':') };
  delete env.QUARTO_PATH;
  if (quartoPath) env.QUARTO_PATH = quartoPath;
  return env;
}
const noLocal = path.join(tmp, 'no-such-dir', 'quarto');

describe('Quarto detection', () => {
  it('compares versions numerically', () => {
    expect(versionAtLeast('1.4.0', [1, 4])).toBe(true);
    expect(versionAtLeast('1.10.2', [1, 4])).toBe(true);
    expect(versionAtLeast('1.3.450', [1, 4])).toBe(false);
    expect(versionAtLeast('2.0', [1, 4])).toBe(true);
    expect(versionAtLeast('0.9', [1, 4])).toBe(false);
  });

  it('finds a quarto >= 1.4 on the PATH and reports its version and where it came from', () => {
    const fake = fakeQuarto('1.5.57');
    expect(findQuarto(envWith(path.dirname(fake)), noLocal)).toEqual({ found: true, version: '1.5.57', path: fake, source: 'PATH' });
  });

  it('prefers QUARTO_PATH over the PATH, and says so when QUARTO_PATH does not run', () => {
    const onPath = fakeQuarto('1.5.57');
    const chosen = fakeQuarto('1.8.25');
    expect(findQuarto(envWith(path.dirname(onPath), chosen), noLocal)).toEqual({ found: true, version: '1.8.25', path: chosen, source: 'QUARTO_PATH' });
    const broken = path.join(tmp, 'missing-quarto');
    expect(findQuarto(envWith(path.dirname(onPath), broken), noLocal)).toEqual({ found: false, reason: `QUARTO_PATH=${broken} does not run (\`${broken} --version\` failed)` });
  });

  it('falls back to the project-local .tools/quarto when nothing else is there', () => {
    const local = fakeQuarto('1.7.34');
    const found = fs.existsSync('/usr/bin/quarto') || fs.existsSync('/bin/quarto');
    if (!found) expect(findQuarto(envWith(), local)).toEqual({ found: true, version: '1.7.34', path: local, source: 'project' });
  });

  it('rejects a quarto older than 1.4, and a missing one, with the reason', () => {
    const old = fakeQuarto('1.3.450');
    expect(findQuarto(envWith(path.dirname(old)), noLocal)).toEqual({ found: false, reason: `quarto 1.3.450 (${old}) is too old (manuscript projects need 1.4 or newer)` });
    if (!fs.existsSync('/usr/bin/quarto') && !fs.existsSync('/bin/quarto')) {
      expect(findQuarto(envWith(), noLocal)).toEqual({ found: false, reason: 'quarto is not on the PATH (and QUARTO_PATH is not set)' });
    }
  });

  it('tells the user what to install for HTML and PDF', () => {
    const msg = quartoMissingMessage('quarto is not on the PATH');
    expect(msg).toContain('Quarto 1.4 or newer');
    expect(msg).toContain('https://quarto.org/docs/get-started/');
    expect(msg).toContain('quarto install tinytex');
  });
});
