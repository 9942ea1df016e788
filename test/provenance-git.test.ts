import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitInfo } from '../src/results/provenance';

function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-git-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  for (const f of ['src/a.ts', 'notebooks/01.ipynb', 'results/paper/ann/metrics.json', 'figures/manifest.json', '_variables.yml']) {
    fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), 'v1\n');
  }
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
  return dir;
}

describe('gitInfo: which commit made a result, and whether its code had local changes', () => {
  it("does not count the pipeline's own outputs (results, figures, variables, executed notebooks) as changes", () => {
    const dir = repo();
    for (const f of ['notebooks/01.ipynb', 'results/paper/ann/metrics.json', 'figures/manifest.json', '_variables.yml']) fs.writeFileSync(path.join(dir, f), 'v2\n');
    const info = gitInfo(dir);
    expect(info.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(info.dirty).toBe(false);
  });

  it('flags a change to the code', () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'src/a.ts'), 'v2\n');
    expect(gitInfo(dir).dirty).toBe(true);
  });

  it('says it does not know outside a git checkout', () => {
    expect(gitInfo(fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-nogit-')))).toEqual({ commit: null, dirty: null });
  });
});
