/**
 * Static PNG and SVG of a FigureSpec, rendered by plotly.js itself (Plotly.toImage) in headless Chromium.
 *
 * - One browser and one page per process, reused for every figure (starting Chromium costs ~1 s);
 *   closed after {@link DEFAULT_IDLE_CLOSE_MS} without a figure (a browser holds ~0.3 GB of private memory and
 *   ~1 GB of summed RSS: kept through a notebook's training cells, two kernels' browsers were the largest part
 *   of the main job's peak), when the process exits, or by {@link closeFigureExporter}.
 * - Chromium is found through FMNIST_CHROMIUM or CHROME_PATH, else the usual install paths. If there is
 *   none, {@link findChromium} returns undefined and callers keep the interactive output only.
 * - WebGL traces (scatter3d, scattergl) need a GL implementation in a GPU-less headless browser:
 *   SwiftShader (software) via ANGLE, enabled explicitly because Chromium no longer falls back to it.
 * - Output is stable: fixed size and scale, fixed fonts (see FIGURE_FONT), animations off.
 */
import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { FigureSpec } from './spec';
import { plotlyBundlePath, resolvedLayout } from './plotly-html';

/**
 * Pixel ratio of the PNG export. The PDF prints a figure at 0.75 of its design width (show.ts
 * printSize), so 1.5 gives 192 dpi there; 2 made the notebooks with many or dense figures exceed 2 MB.
 */
export const PNG_SCALE = 1.5;

// The headless shell first: same renderer and identical PNGs, but no browser UI, so about half the processes and resident memory.
const CANDIDATE_PATHS = [
  '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
];

/**
 * The Chrome/Chromium executable to use: FMNIST_CHROMIUM, then CHROME_PATH, then the usual install paths
 * (`candidates`). FMNIST_CHROMIUM=none turns static export off. An environment variable naming a missing
 * file is an error (the user asked for that browser explicitly).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = CANDIDATE_PATHS): string | undefined {
  if (env.FMNIST_CHROMIUM === 'none') return undefined;
  for (const name of ['FMNIST_CHROMIUM', 'CHROME_PATH']) {
    const value = env[name];
    if (value) {
      if (!fs.existsSync(value)) throw new Error(`${name}=${value} does not exist: point it at a Chrome or Chromium executable, or unset it`);
      return value;
    }
  }
  return candidates.find((p) => fs.existsSync(p));
}

/** The message shown once when no browser is found. */
export const NO_CHROMIUM_MESSAGE =
  'No Chrome/Chromium found (set FMNIST_CHROMIUM to its path, or install chromium): figures are shown interactively only, without PNG/SVG files.';

/**
 * Chromium flags: headless-safe, no network chatter, software WebGL. --disable-gpu is NOT used: it turns WebGL off.
 * The GPU (SwiftShader) thread runs inside the browser process, and as root (no sandbox) there is no zygote:
 * fewer processes, less memory, same pixels.
 */
export function chromiumArgs(): string[] {
  const args = [
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--font-render-hinting=none',
    '--force-color-profile=srgb',
    '--in-process-gpu',
  ];
  // Chromium refuses to run as root with its sandbox on; without the sandbox the zygote has no purpose.
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox', '--no-zygote');
  return args;
}

/** The browser itself could not be started (as opposed to one figure failing to render). */
export class ChromiumStartError extends Error {
  override name = 'ChromiumStartError';
}

export interface StaticImages {
  png: Buffer;
  svg: string;
  width: number;
  height: number;
}

interface ExporterState {
  browser: Browser;
  page: Page;
}

let starting: Promise<ExporterState> | undefined;
let queue: Promise<unknown> = Promise.resolve();
let exitHookInstalled = false;
let inFlight = 0;
let idleTimer: NodeJS.Timeout | undefined;

/** How long the browser stays open after the last figure: long enough for a cell's run of figures. */
export const DEFAULT_IDLE_CLOSE_MS = 15_000;
let idleCloseMs = DEFAULT_IDLE_CLOSE_MS;

/** Sets how long an idle browser is kept (ms; Infinity keeps it until exit). Returns the previous value. */
export function setFigureExporterIdleClose(ms: number): number {
  const previous = idleCloseMs;
  idleCloseMs = ms;
  return previous;
}

/** Whether a browser is running or starting (for tests and diagnostics). */
export function isFigureExporterRunning(): boolean {
  return starting !== undefined;
}

function cancelIdleClose(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = undefined;
}

function scheduleIdleClose(): void {
  cancelIdleClose();
  if (inFlight > 0 || !Number.isFinite(idleCloseMs)) return;
  idleTimer = setTimeout(() => {
    idleTimer = undefined;
    if (inFlight === 0) void closeFigureExporter();
  }, idleCloseMs);
  idleTimer.unref(); // never keeps a finished process alive
}

async function start(executablePath: string): Promise<ExporterState> {
  const { chromium } = await import('playwright-core');
  // playwright gives the browser a fresh temporary --user-data-dir and deletes it on close.
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs() });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;background:white}</style></head><body></body></html>');
  await page.addScriptTag({ path: plotlyBundlePath() });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'beforeExit' lets an idle process close the browser cleanly; playwright itself kills it on 'exit'.
    process.once('beforeExit', () => void closeFigureExporter());
  }
  return { browser, page };
}

/**
 * Renders `spec` to PNG (scale {@link PNG_SCALE}) and SVG in the shared headless browser.
 * Calls are serialised (one page). Throws with the browser's message if plotly fails.
 */
export async function renderStaticImages(spec: FigureSpec, executablePath: string): Promise<StaticImages> {
  inFlight++;
  cancelIdleClose();
  starting ??= start(executablePath).catch((err: unknown) => {
    starting = undefined;
    throw new ChromiumStartError(`could not start Chromium at ${executablePath}: ${(err as Error).message.split('\n')[0]}`);
  });
  const run = queue.then(async () => {
    const { page } = await starting!;
    const layout = resolvedLayout(spec);
    const width = layout.width as number;
    const height = layout.height as number;
    const result = await page.evaluate(
      async ({ data, layout, width, height, scale, seed }) => {
        const Plotly = (window as unknown as { Plotly: any }).Plotly;
        // plotly names its <defs> and clip paths with Math.random() ids: seeded from the figure id,
        // the same figure gives a byte-identical SVG (and PNG) on every run.
        const random = Math.random;
        let state = seed >>> 0;
        Math.random = () => {
          state = (state + 0x6d2b79f5) >>> 0; // mulberry32
          let t = state;
          t = Math.imul(t ^ (t >>> 15), t | 1);
          t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
          return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        };
        const el = document.createElement('div');
        document.body.appendChild(el);
        try {
          await Plotly.newPlot(el, data, layout, { staticPlot: true });
          const png: string = await Plotly.toImage(el, { format: 'png', width, height, scale });
          const svg: string = await Plotly.toImage(el, { format: 'svg', width, height });
          return { png, svg };
        } finally {
          Plotly.purge(el);
          el.remove();
          Math.random = random;
        }
      },
      { data: spec.data, layout: { ...layout, transition: { duration: 0 } }, width, height, scale: PNG_SCALE, seed: fnv1a(spec.id) },
    );
    return { png: decodeDataUrl(result.png), svg: canonicalSvgRoot(decodeDataUrl(result.svg).toString('utf8')), width, height };
  });
  queue = run.catch(() => undefined);
  return run.finally(() => {
    inFlight--;
    scheduleIdleClose();
  });
}

/**
 * The SVG with its root element's attributes in alphabetical order: plotly sets `style` and `viewBox`
 * in an order that varies between runs, and the file must not.
 */
export function canonicalSvgRoot(svg: string): string {
  return svg.replace(/^<svg\b([^>]*)>/, (tag, attrs: string) => {
    const list = [...attrs.matchAll(/\s+([\w:.-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as const);
    if (list.map(([k, v]) => ` ${k}="${v}"`).join('') !== attrs.replace(/\s+$/, '')) return tag; // unexpected syntax: leave as is
    list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `<svg${list.map(([k, v]) => ` ${k}="${v}"`).join('')}>`;
  });
}

/** 32-bit FNV-1a of a string: a stable seed per figure id. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Closes the shared browser (safe to call when none is running). */
export async function closeFigureExporter(): Promise<void> {
  cancelIdleClose();
  const current = starting;
  starting = undefined;
  if (!current) return;
  try {
    const { browser } = await current;
    await browser.close();
  } catch {
    // it never started, or is already gone
  }
}

function decodeDataUrl(url: string): Buffer {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error(`plotly returned an unexpected image: ${url.slice(0, 40)}`);
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return header.endsWith(';base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
}
