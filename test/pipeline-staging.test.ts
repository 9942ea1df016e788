/**
 * Figure staging (issue 7, "Interruptions"): a notebook execution that does not finish leaves the figures
 * folder and its manifest exactly as they were; one that finishes promotes its figures and manifest entries.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordInManifest, readManifest, type ManifestEntry } from '../src/figures/manifest';
import {
  STAGING_DIR_NAME,
  cleanStaleStaging,
  createFigureStaging,
  discardFigureStaging,
  promoteFigureStaging,
} from '../src/pipeline/figure-staging';
import { executeNotebook, executeNotebooks } from '../src/pipeline/execute';
import { ROOT, compileEntries, tslabNotebook } from './notebook-exec-helper';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-staging-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let counter = 0;
const freshDir = (name: string) => fs.mkdtempSync(path.join(tmp, `${name}-${++counter}-`));

const entry = (id: string, files = [`${id}.png`], notebook = 'nb'): ManifestEntry => ({
  id, kind: 'figure', notebook, cell: id, caption: `caption of ${id}`, files, seed: 42, profile: 'paper', protocol: 'paper',
  gitCommit: 'abc', gitDirty: false, generatedAt: '2024-01-01T00:00:00.000Z',
});

/** What a kernel does in showFigure: the files, then the manifest entry, in the folder it was given. */
async function stageFigure(dir: string, id: string, notebook = 'nb', content = `new ${id}`): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${id}.png`), content);
  fs.writeFileSync(path.join(dir, `${id}.svg`), `<svg>${content}</svg>`);
  await recordInManifest(dir, entry(id, [`${id}.png`, `${id}.svg`], notebook));
}

/** Every file under `dir` (relative path -> bytes), to compare a folder before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = fs.readFileSync(path.join(dir, p)).toString('base64');
    }
  };
  walk('');
  return out;
}

/** A final figures folder holding an earlier complete run: one figure and its manifest entry. */
async function previousRun(): Promise<string> {
  const final = freshDir('final');
  await stageFigure(final, 'fig-old', 'old-nb', 'old bytes');
  await stageFigure(final, 'fig-shared', 'nb', 'old shared');
  return final;
}

describe('promoting and discarding staged figures', () => {
  it('success: moves the staged files into the final folder and merges their entries, keeping the others', async () => {
    const final = await previousRun();
    const staging = createFigureStaging(final, '04-cnn1');
    expect(path.dirname(staging.dir)).toBe(path.join(final, STAGING_DIR_NAME));
    await stageFigure(staging.dir, 'fig-new');
    await stageFigure(staging.dir, 'fig-shared', 'nb', 'new shared');
    await stageFigure(path.join(staging.dir, 'smoke'), 'fig-smoke'); // a non-paper profile writes to <figures>/<profile>/
    // Staged, nothing is visible in the final folder yet.
    expect(Object.keys(readManifest(final).figures).sort()).toEqual(['fig-old', 'fig-shared']);
    expect(fs.existsSync(path.join(final, 'fig-new.png'))).toBe(false);

    const promoted = await promoteFigureStaging(staging);
    expect(promoted.sort()).toEqual(['fig-new', 'fig-shared', 'smoke/fig-smoke']);
    const manifest = readManifest(final).figures;
    expect(Object.keys(manifest)).toEqual(['fig-new', 'fig-old', 'fig-shared']);
    expect(manifest['fig-old'].notebook).toBe('old-nb');
    // Entries name the final files, relative to the manifest's folder, and those files hold the new bytes.
    for (const e of Object.values(manifest)) {
      for (const f of e.files) {
        expect(path.isAbsolute(f)).toBe(false);
        expect(f).not.toContain(STAGING_DIR_NAME);
        expect(fs.existsSync(path.join(final, f))).toBe(true);
      }
    }
    expect(fs.readFileSync(path.join(final, 'fig-shared.png'), 'utf8')).toBe('new shared');
    expect(fs.readFileSync(path.join(final, 'fig-old.png'), 'utf8')).toBe('old bytes');
    expect(readManifest(path.join(final, 'smoke')).figures['fig-smoke'].files).toEqual(['fig-smoke.png', 'fig-smoke.svg']);
    expect(fs.existsSync(path.join(final, 'smoke', 'fig-smoke.svg'))).toBe(true);
    // Nothing of the staging is left, and no lock or temp file.
    expect(fs.readdirSync(final).sort()).toEqual(['fig-new.png', 'fig-new.svg', 'fig-old.png', 'fig-old.svg', 'fig-shared.png', 'fig-shared.svg', 'manifest.json', 'smoke']);
  });

  it("success retires the notebook's entries it no longer wrote (a figure turned into a table), files and all; other notebooks' stay", async () => {
    const final = await previousRun(); // fig-old (old-nb), fig-shared (nb)
    await stageFigure(final, 'fig-nb-architecture', 'nb', 'old image');
    const staging = createFigureStaging(final, 'nb');
    await stageFigure(staging.dir, 'fig-shared', 'nb', 'new shared');
    await stageFigure(staging.dir, 'tbl-nb-architecture', 'nb', 'the table');
    await promoteFigureStaging(staging);
    expect(Object.keys(readManifest(final).figures).sort()).toEqual(['fig-old', 'fig-shared', 'tbl-nb-architecture']);
    expect(fs.existsSync(path.join(final, 'fig-nb-architecture.png'))).toBe(false);
    expect(fs.existsSync(path.join(final, 'fig-nb-architecture.svg'))).toBe(false);
    expect(fs.readFileSync(path.join(final, 'fig-old.png'), 'utf8')).toBe('old bytes');
  });

  it('failure: discarding leaves the final folder and manifest byte-identical', async () => {
    const final = await previousRun();
    const before = snapshot(final);
    const staging = createFigureStaging(final, '05-cnn2');
    await stageFigure(staging.dir, 'fig-cnn2-architecture');
    await stageFigure(staging.dir, 'fig-shared', 'nb', 'half-run bytes');
    discardFigureStaging(staging);
    expect(snapshot(final)).toEqual(before);
  });

  it('concurrent promotions (and a direct writer) into one folder lose no manifest entry', async () => {
    const final = await previousRun();
    const stagings = Array.from({ length: 6 }, (_, i) => createFigureStaging(final, `nb${i}`));
    const staged: string[] = [];
    await Promise.all(
      stagings.map(async (s, i) => {
        for (let k = 0; k < 4; k++) {
          await stageFigure(s.dir, `fig-n${i}-${k}`, `nb${i}`);
          staged.push(`fig-n${i}-${k}`);
        }
      }),
    );
    await Promise.all([...stagings.map((s) => promoteFigureStaging(s)), recordInManifest(final, entry('fig-direct', []))]);
    const ids = Object.keys(readManifest(final).figures);
    expect(ids).toEqual([...staged, 'fig-direct', 'fig-old', 'fig-shared'].sort());
    for (const id of staged) expect(fs.readFileSync(path.join(final, `${id}.png`), 'utf8')).toBe(`new ${id}`);
    expect(fs.existsSync(path.join(final, STAGING_DIR_NAME))).toBe(false);
  });

  it('a staging folder left by a SIGKILLed process is never promoted and is deleted at the next run; live ones are kept', async () => {
    const final = await previousRun();
    const before = snapshot(final);
    // A real process that "was staging" when it was killed with SIGKILL.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const stale = path.join(final, STAGING_DIR_NAME, `06-cnn3-${child.pid}-0123abcd`);
    await stageFigure(stale, 'fig-cnn3-architecture');
    fs.writeFileSync(path.join(stale, 'fig-torn.png.12345'), 'half a write');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(snapshot(final)).not.toEqual(before); // the stale folder is there...
    expect(readManifest(final).figures['fig-cnn3-architecture']).toBeUndefined(); // ...but claims nothing

    const sibling = createFigureStaging(final, 'sibling'); // a concurrent execution in this (live) process
    await stageFigure(sibling.dir, 'fig-sibling');
    const next = createFigureStaging(final, '06-cnn3'); // the next run cleans up
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(sibling.dir)).toBe(true);
    await promoteFigureStaging(next); // an execution that showed nothing changes nothing
    discardFigureStaging(sibling);
    expect(cleanStaleStaging(final)).toEqual([]);
    expect(snapshot(final)).toEqual(before);
  });

  it('a leftover atomic-write temp file in the staging folder is not promoted', async () => {
    const final = freshDir('final');
    const staging = createFigureStaging(final, 'x');
    await stageFigure(staging.dir, 'fig-a');
    fs.writeFileSync(path.join(staging.dir, 'fig-b.png.987654321'), 'torn');
    await promoteFigureStaging(staging);
    expect(fs.readdirSync(final).sort()).toEqual(['fig-a.png', 'fig-a.svg', 'manifest.json']);
  });
});

describe('executeNotebook stages figures (nbclient + tslab, real showTable)', () => {
  let dir: string;
  beforeAll(() => {
    // Only the figure modules are compiled (into dir/build): the test never touches dist/.
    fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    dir = fs.mkdtempSync(path.join(ROOT, 'tmp', 'staging-test-'));
    compileEntries(['src/figures/show.ts'], path.join(dir, 'build'));
  }, 120_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const tableCell = (id: string, notebook: string) =>
    `await showTable({ id: '${id}', caption: 'from ${notebook}', columns: ['k', 'v'], rows: [['a', 1], ['b', 2]] });`;
  function notebookFile(name: string, cells: string[]): string {
    const file = path.join(dir, `${name}.ipynb`);
    fs.writeFileSync(file, JSON.stringify(tslabNotebook([`import { setNotebook, showTable } from './build/figures/show';\nsetNotebook('${name}');`, ...cells])));
    return file;
  }

  it('a cell failing after a table was shown leaves the final folder and manifest byte-identical', { timeout: 300_000 }, async () => {
    const final = await previousRun();
    const before = snapshot(final);
    const input = notebookFile('fails', [tableCell('tbl-half', 'fails'), 'throw new Error("cell fails halfway");']);
    await expect(executeNotebook(input, { output: path.join(dir, 'fails-out.ipynb'), env: { FMNIST_FIGURES_DIR: final } })).rejects.toThrow(/cell fails halfway/);
    expect(snapshot(final)).toEqual(before);
  });

  it('two notebooks succeeding concurrently promote all their tables and manifest entries', { timeout: 300_000 }, async () => {
    const final = await previousRun();
    const jobs = ['one', 'two'].map((name) => ({
      id: name,
      notebook: notebookFile(name, [tableCell(`tbl-${name}-a`, name), tableCell(`tbl-${name}-b`, name)]),
      output: path.join(dir, `${name}-out.ipynb`),
      env: { FMNIST_FIGURES_DIR: final },
    }));
    await executeNotebooks(jobs, { concurrency: 2 });
    const manifest = readManifest(final).figures;
    expect(Object.keys(manifest)).toEqual(['fig-old', 'fig-shared', 'tbl-one-a', 'tbl-one-b', 'tbl-two-a', 'tbl-two-b']);
    expect(manifest['tbl-two-b'].notebook).toBe('two');
    expect(manifest['tbl-one-a'].files).toEqual(['tbl-one-a.csv']);
    expect(fs.readFileSync(path.join(final, 'tbl-one-a.csv'), 'utf8')).toBe('k,v\na,1\nb,2\n');
    expect(fs.existsSync(path.join(final, STAGING_DIR_NAME))).toBe(false);
  });
});
