import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findQuarto, quartoMissingMessage, versionAtLeast } from '../src/pipeline/quarto';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-quarto-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Puts a fake `quarto` that prints `version` first on the PATH (scripts/env.sh keeps the rest of PATH). */
function withFakeQuarto<T>(version: string | null, fn: () => T): T {
  const bin = path.join(tmp, `bin-${version ?? 'none'}`);
  fs.mkdirSync(bin, { recursive: true });
  if (version) fs.writeFileSync(path.join(bin, 'quarto'), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  const saved = process.env.PATH;
  // Without a fake: a PATH with only the system tools, so a real quarto elsewhere is not found.
  process.env.PATH = version ? `${bin}:${saved}` : '/usr/bin:/bin';
  try {
    return fn();
  } finally {
    process.env.PATH = saved;
  }
}

describe('Quarto detection', () => {
  it('compares versions numerically', () => {
    expect(versionAtLeast('1.4.0', [1, 4])).toBe(true);
    expect(versionAtLeast('1.10.2', [1, 4])).toBe(true);
    expect(versionAtLeast('1.3.450', [1, 4])).toBe(false);
    expect(versionAtLeast('2.0', [1, 4])).toBe(true);
    expect(versionAtLeast('0.9', [1, 4])).toBe(false);
  });

  it('finds a quarto >= 1.4 on the PATH and reports its version', () => {
    expect(withFakeQuarto('1.5.57', findQuarto)).toEqual({ found: true, version: '1.5.57' });
  });

  it('rejects a quarto older than 1.4, and a missing one, with the reason', () => {
    expect(withFakeQuarto('1.3.450', findQuarto)).toEqual({ found: false, reason: 'quarto 1.3.450 is too old (manuscript projects need 1.4 or newer)' });
    if (!fs.existsSync('/usr/bin/quarto') && !fs.existsSync('/bin/quarto')) {
      expect(withFakeQuarto(null, findQuarto)).toEqual({ found: false, reason: 'quarto is not on the PATH' });
    }
  });

  it('tells the user what to install for HTML and PDF', () => {
    const msg = quartoMissingMessage('quarto is not on the PATH');
    expect(msg).toContain('Quarto 1.4 or newer');
    expect(msg).toContain('https://quarto.org/docs/get-started/');
    expect(msg).toContain('quarto install tinytex');
  });
});
