import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { findChromium, chromiumArgs } from '../src/figures/export';
import { projectRoot } from '../src/util/paths';

/**
 * The researcher's JupyterLab session (issue 24), in a real JupyterLab driven by headless Chromium on a
 * scratch copy of the project started with scripts/lab.sh, as `npm run lab` does: 06-cnn3 is Run All
 * on the smoke profile (its training cell asks for 300 epochs, so there is something to interrupt),
 * Kernel › Interrupt stops the training cell, and the committed notebooks and figures/ must come out
 * unchanged after every figure is hovered, the (shortened) autosave interval has passed, and an
 * untouched notebook is saved with Ctrl+S. Skipped, saying why, without Chromium or the project's
 * Jupyter (.venv).
 */
const root = projectRoot();
const chromium = (() => {
  try {
    return findChromium();
  } catch {
    return undefined;
  }
})();
const jupyter = path.join(root, '.venv', 'bin', 'jupyter');
const skipReason = !chromium
  ? 'no Chrome/Chromium (set FMNIST_CHROMIUM)'
  : !fs.existsSync(jupyter)
    ? 'no project Jupyter in .venv (run `bash scripts/bootstrap.sh lab`)'
    : !fs.existsSync(path.join(root, 'dist', 'index.js'))
      ? 'dist/ is not built (npm run build)'
      : undefined;
if (skipReason) console.warn(`[jupyterlab-session] skipped: ${skipReason}`);

const AUTOSAVE_SECONDS = 6; // JupyterLab's default is 120 s; the test's user setting shortens it
const TRAINING_CELL = "await trainInNotebook(settings, 'cnn3')";
// Batches of 4: about 50 a smoke epoch, so an epoch lasts long enough to see its progress line.
const LONG_TRAINING_CELL = "await trainInNotebook(settings, 'cnn3', { epochs: 300, batchSize: 4 })";

let tmp: string;
let copy: string;
let server: ChildProcess | undefined;
let serverLog = '';
let browser: Browser | undefined;
let page: Page;
let base: string;
let before: Map<string, string>;

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every file under notebooks/ and figures/ (not the smoke and experiment folders, which are not committed) with its digest. */
function committedFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const rel = path.relative(dir, full);
      if (e.isDirectory()) {
        if (!['smoke', 'variants', '.ipynb_checkpoints', '.staging'].includes(e.name)) walk(full);
      } else out.set(rel, sha(full));
    }
  };
  walk(path.join(dir, 'notebooks'));
  walk(path.join(dir, 'figures'));
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The project as a fresh clone has it after `npm run lab`'s bootstrap: sources, notebooks, figures, Jupyter settings; node_modules and .venv shared. */
function makeCopy(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'package.json', 'scripts', 'notebooks', 'figures', '.jupyter', 'src'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(to, f));
  }
  fs.cpSync(path.join(root, 'dist'), path.join(to, 'dist'), { recursive: true, preserveTimestamps: true });
  for (const link of ['node_modules', '.venv', 'build']) if (fs.existsSync(path.join(root, link))) fs.symlinkSync(fs.realpathSync(path.join(root, link)), path.join(to, link));
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- server log (tail) ---\n${serverLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The text of a code cell's outputs in the open notebook (stream text as JupyterLab keeps it). */
function cellText(index: number): Promise<string> {
  return page.evaluate((i) => {
    const app = (window as any).jupyterapp;
    const cell = app.shell.currentWidget.content.widgets[i];
    return ((cell.model.outputs?.toJSON() ?? []) as any[]).map((o) => (o.text ?? '') + (o.data?.['text/plain'] ?? '')).join('');
  }, index);
}

function kernelStatus(): Promise<string> {
  return page.evaluate(() => (window as any).jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status ?? 'none');
}

/** Runs a JupyterLab command without waiting for what it starts (a Run All resolves only when every cell has run). */
async function command(id: string): Promise<void> {
  await page.evaluate((c) => void (window as any).jupyterapp.commands.execute(c), id);
}

async function openNotebook(name: string): Promise<void> {
  await page.evaluate((n) => (window as any).jupyterapp.commands.execute('docmanager:open', { path: n }).then(() => true), name);
  await waitFor(`${name} open with an idle kernel`, async () => (await page.evaluate((n) => (window as any).jupyterapp.shell.currentWidget?.context?.path === n, name)) && (await kernelStatus()) === 'idle', 60_000);
}

const epochLines = (text: string) => text.split('\n').filter((l) => /\] epoch \d+\/300 +loss/.test(l)).length;

describe.skipIf(skipReason !== undefined)('a researcher in JupyterLab (scripts/lab.sh, headless Chromium)', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-lab-'));
    copy = path.join(tmp, 'project');
    makeCopy(copy);
    // 06-cnn3's training cell asks for 300 epochs: long enough to interrupt (one smoke epoch is ~0.2 s).
    const nbFile = path.join(copy, 'notebooks', '06-cnn3.ipynb');
    const text = fs.readFileSync(nbFile, 'utf8');
    expect(text).toContain(TRAINING_CELL);
    fs.writeFileSync(nbFile, text.replace(TRAINING_CELL, LONG_TRAINING_CELL));
    // A researcher's own JupyterLab setting: autosave every few seconds (the default is 120 s).
    const userSettings = path.join(copy, '.jupyter', 'config', 'lab', 'user-settings', '@jupyterlab', 'docmanager-extension');
    fs.mkdirSync(userSettings, { recursive: true });
    fs.writeFileSync(path.join(userSettings, 'plugin.jupyterlab-settings'), JSON.stringify({ autosaveInterval: AUTOSAVE_SECONDS }));
    execFileSync('bash', ['-c', 'source scripts/env.sh && node scripts/write-kernelspec.js'], { cwd: copy, stdio: 'pipe' });
    before = committedFiles(copy);

    const port = await freePort();
    server = spawn('bash', [path.join(copy, 'scripts', 'lab.sh'), '--no-browser', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0', '--ServerApp.token=fmnist-test', '--LabApp.expose_app_in_browser=True'], {
      cwd: copy,
      env: { ...process.env, FMNIST_PROFILE: 'smoke', FMNIST_RESULTS_DIR: '', FMNIST_FIGURES_DIR: '', FMNIST_NODE_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so the kernel it starts is stopped with it
    });
    server.stdout!.on('data', (d) => (serverLog += d));
    server.stderr!.on('data', (d) => (serverLog += d));
    base = `http://127.0.0.1:${port}`;
    await waitFor('JupyterLab to answer', async () => fetch(`${base}/api/status?token=fmnist-test`).then((r) => r.ok, () => false), 60_000, 500);

    const { chromium: pw } = await import('playwright-core');
    browser = await pw.launch({ executablePath: chromium!, headless: true, args: chromiumArgs() });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${base}/lab?token=fmnist-test`);
    await waitFor('the JupyterLab app', () => page.evaluate(() => Boolean((window as any).jupyterapp?.shell)), 60_000);
    await page.evaluate(() => (window as any).jupyterapp.restored);
    await waitFor('the document manager', () => page.evaluate(() => (window as any).jupyterapp.commands.hasCommand('docmanager:open')), 30_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Kernel › Interrupt stops training at a batch boundary, with one line, no background work and no lock; the committed files stay as they were', async () => {
    await openNotebook('06-cnn3.ipynb');
    // Figures, as the committed notebook opens (06's cells before training show tables only, so Run All
    // below clears every figure): the static image at its print size until hovered, then the chart at its design height.
    const hovered = await hoverEveryFigure();
    expect(hovered.figures).toBeGreaterThan(0);
    expect(hovered.heights).toBe(hovered.figures);

    const cells = await page.evaluate(() => ((window as any).jupyterapp.shell.currentWidget.content.widgets as any[]).map((c) => c.model.sharedModel.getSource() as string));
    const training = cells.findIndex((s) => s.includes(LONG_TRAINING_CELL));
    expect(training).toBeGreaterThan(0);

    const t0 = Date.now();
    await command('notebook:run-all-cells');
    await waitFor('two epochs in the training cell', async () => epochLines(await cellText(training)) >= 2, 90_000).catch(async (err: Error) => {
      const texts = await Promise.all(cells.map((_, i) => cellText(i)));
      throw new Error(`${err.message}\n--- cell outputs ---\n${texts.map((t, i) => `[${i}] ${t.slice(-400)}`).join('\n')}`);
    });
    console.log(`[jupyterlab-session] Run All to the second epoch line: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Progress inside an epoch: the live line (batches, samples/s, ETA) is there while it trains.
    const live = await waitFor('a progress line', async () => ((await cellText(training)).match(/\d+\/\d+ batches +[\d,]+ samples\/s .*ETA/) ?? [])[0], 10_000, 50);
    expect(live).toBeTruthy();

    const interruptedAt = Date.now();
    await command('kernelmenu:interrupt');
    const stopped = await waitFor('the interrupted line', async () => ((await cellText(training)).match(/^.*interrupted in epoch \d+\/300 .*$/m) ?? [])[0], 15_000, 50);
    const latency = Date.now() - interruptedAt;
    console.log(`[jupyterlab-session] interrupt latency ${latency} ms: ${stopped.trim()}`);
    expect(latency).toBeLessThan(5_000);
    expect(stopped).toMatch(/a rerun resumes from the checkpoint after epoch \d+ \(results\/smoke-e300-b4\/paper\/cnn3\)|a rerun starts from the beginning/);
    await waitFor('the kernel to be idle', async () => (await kernelStatus()) === 'idle', 10_000);

    // Nothing goes on in the background: no further epoch lines, here or in another cell, and no lock.
    const text = await cellText(training);
    expect(text).not.toMatch(/Interrupted asynchronously/);
    expect(text.match(/interrupted in epoch/g)).toHaveLength(1);
    const runDir = path.join(copy, 'results', 'smoke-e300-b4', 'paper', 'cnn3');
    const lines = epochLines(text);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(epochLines(await cellText(training))).toBe(lines);
    expect(fs.existsSync(path.join(runDir, '.lock'))).toBe(false);
    const checkpoint = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint', 'state.json'), 'utf8')) as { epochsDone: number };
    expect(checkpoint.epochsDone).toBeGreaterThanOrEqual(2);
    // The cells queued behind it did not run (their outputs would be errors about `report`).
    for (let i = training + 1; i < cells.length; i++) expect(await cellText(i)).not.toMatch(/Error/);

    // Rerunning the cell resumes from the checkpoint, in this cell (no "another process" waiting for itself).
    await page.evaluate((i) => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      panel.content.activeCellIndex = i;
    }, training);
    await command('notebook:run-cell');
    const resumed = await waitFor('the resumed run', async () => ((await cellText(training)).match(/resuming after epoch (\d+)\/300/) ?? [])[1], 30_000);
    expect(Number(resumed)).toBeGreaterThanOrEqual(checkpoint.epochsDone);
    await command('kernelmenu:interrupt');
    await waitFor('the second interrupt', async () => /interrupted in epoch/.test(await cellText(training)), 15_000, 100);
    expect(await cellText(training)).not.toMatch(/another process/);
    await waitFor('the kernel to be idle', async () => (await kernelStatus()) === 'idle', 10_000);

    // Past the autosave interval: the notebook (changed in the browser, never saved) is as committed.
    await new Promise((r) => setTimeout(r, (AUTOSAVE_SECONDS + 4) * 1000));
    const dirty = await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.model.dirty);
    expect(dirty).toBe(true); // it did change in the browser; only the file must not
    expect(committedFiles(copy)).toEqual(before);
  }, 180_000);

  it('a committed notebook hovered and saved with Ctrl+S is saved byte for byte as committed', async () => {
    await openNotebook('03-ann.ipynb');
    const { figures } = await hoverEveryFigure();
    expect(figures).toBeGreaterThanOrEqual(4);
    // The plotly extension did replace the images in the browser (that is what a save used to store).
    expect(await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.model.dirty)).toBe(true);
    await command('docmanager:save');
    await waitFor('the save', async () => !(await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.model.dirty)), 20_000);
    expect(committedFiles(copy)).toEqual(before);
    expect(serverLog).not.toMatch(/unknown msg_type/);
  }, 90_000);
});

/**
 * Hovers every figure of the open notebook until its interactive chart is drawn. Checks the static
 * image's size before (its print size: half its pixels, at most 600 px, as show.ts printSize gives the
 * PDF) and the chart's height after (the figure's design height, where the output carries one; older
 * outputs made before it did are drawn 360 px tall). Returns how many figures and how many heights were checked.
 */
async function hoverEveryFigure(): Promise<{ figures: number; heights: number }> {
  const designHeights = await page.evaluate(() =>
    ((window as any).jupyterapp.shell.currentWidget.content.widgets as any[]).flatMap((c) =>
      c.model.type === 'code' ? (c.model.outputs.toJSON() as any[]).filter((o) => o.data?.['application/vnd.plotly.v1+json']).map((o) => o.data['application/vnd.plotly.v1+json'].layout?.height ?? null) : [],
    ),
  );
  const panel = await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.id as string);
  const figures = page.locator(`[id="${panel}"] .jp-RenderedPlotly`);
  const n = await figures.count();
  expect(n).toBe(designHeights.length);
  let heights = 0;
  for (let i = 0; i < n; i++) {
    const figure = figures.nth(i);
    await figure.scrollIntoViewIfNeeded();
    const img = figure.locator('img.plot-img');
    await waitFor(`figure ${i + 1}/${n}'s image`, () => img.evaluate((im: HTMLImageElement) => im.complete && im.naturalWidth > 0), 10_000, 100);
    const size = await img.evaluate((im: HTMLImageElement) => ({ shown: im.getBoundingClientRect().width, natural: im.naturalWidth }));
    expect(Math.abs(size.shown - Math.min(size.natural / 2, 600))).toBeLessThanOrEqual(1.5);
    await img.hover({ force: true }); // jupyterlab-plotly draws the chart on mouseenter
    await waitFor(`figure ${i + 1}/${n} drawn`, () => figure.evaluate((el) => el.querySelector('.plot-container .main-svg') !== null), 20_000, 100);
    if (typeof designHeights[i] === 'number') {
      const drawn = await figure.evaluate((el) => (el.querySelector('.main-svg') as SVGElement).getBoundingClientRect().height);
      expect(Math.abs(drawn - designHeights[i])).toBeLessThanOrEqual(1.5);
      heights++;
    }
    await page.mouse.move(0, 0);
  }
  return { figures: n, heights };
}
