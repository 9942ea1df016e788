// Committed outputs must not name folders of the machine that made them (a checkout, a temp folder, a
// home directory): they print paths relative to the repository (src/util/paths.ts displayPath).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEM_DATA_DIR } from '../src/data/locate';
import { displayPath, projectRoot } from '../src/util/paths';

const root = projectRoot();

/** Every committed output a reader sees: executed notebooks, manifests, results records, report numbers. */
function committedOutputs(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.')) walk(file);
      else if (e.isFile() && /\.(ipynb|json|yml|csv)$/.test(e.name)) out.push(file);
    }
  };
  walk(path.join(root, 'notebooks'));
  walk(path.join(root, 'results'));
  walk(path.join(root, 'figures'));
  out.push(path.join(root, '_variables.yml'));
  return out.filter((f) => fs.existsSync(f));
}

// An absolute POSIX path under a machine-specific top folder, or a Windows drive path, at the start of a
// token (so base64 image data, which contains '/', does not match).
const ABSOLUTE = /(?<=^|[\s"'(=:,\[])(?:\/(?:tmp|work|home|root|Users|var|mnt|opt|srv|private|data|builds|runner|github)\/[^\s"'),\]\\]*|[A-Za-z]:\\\\[^\s"']*)/gm;

function absolutePaths(text: string): string[] {
  return [...text.matchAll(ABSOLUTE)].map((m) => m[0]).filter((p) => !p.startsWith(SYSTEM_DATA_DIR));
}

describe('no committed output contains an absolute path', () => {
  it('the pattern finds the paths it must and skips what it must not', () => {
    expect(absolutePaths('"[ann/paper] loaded from cache (/tmp/memrun/results/paper/ann)\\n"')).toEqual(['/tmp/memrun/results/paper/ann']);
    expect(absolutePaths('"→ /tmp/memrun/results/paper/ann\\n"')).toEqual(['/tmp/memrun/results/paper/ann']); // JSON-escaped newline
    expect(absolutePaths('→ /work/main/results/paper/cnn3')).toEqual(['/work/main/results/paper/cnn3']);
    expect(absolutePaths('"C:\\\\Users\\\\me\\\\fmnist"')).toHaveLength(1);
    expect(absolutePaths('read from /usr/share/datasets/fashion-mnist')).toEqual([]); // Debian's fixed location
    expect(absolutePaths('"image/png": "iVBOR/tmp/xyz+abc"')).toEqual([]); // base64 payload
    expect(absolutePaths('→ results/paper/ann')).toEqual([]);
  });

  it('displayPath prints repository-relative paths, and names FMNIST_RESULTS_DIR instead of its folder', () => {
    expect(displayPath(path.join(root, 'results', 'paper', 'ann'))).toBe(path.join('results', 'paper', 'ann'));
    expect(displayPath(root)).toBe('.');
    const before = process.env.FMNIST_RESULTS_DIR;
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-paths-'));
    process.env.FMNIST_RESULTS_DIR = elsewhere;
    try {
      expect(displayPath(path.join(elsewhere, 'paper', 'cnn3'))).toBe('$FMNIST_RESULTS_DIR/paper/cnn3');
    } finally {
      if (before === undefined) delete process.env.FMNIST_RESULTS_DIR;
      else process.env.FMNIST_RESULTS_DIR = before;
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it.each(committedOutputs().map((f) => path.relative(root, f)))('%s', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const found = [...new Set(absolutePaths(text))];
    expect(found, `${file} names folders of the machine that made it; rerun the main job with the current code`).toEqual([]);
    expect(text.includes(root + path.sep), `${file} contains this checkout's path ${root}`).toBe(false);
  });
});
