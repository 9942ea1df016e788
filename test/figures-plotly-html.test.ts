import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { figureHtml, interactiveFigure, plotlyBundleSource, resolvedLayout, FIGURE_FONT } from '../src/figures/plotly-html';
import { findChromium, chromiumArgs } from '../src/figures/export';
import type { FigureSpec } from '../src/figures/spec';

// quarto-cli (src/core/jupyter/widgets.ts) moves an output into the page head when its text/html matches this.
const quartoSeesPlotlyLibrary = (html: string) =>
  /^\s*<script type="text\/javascript">/.test(html) && (/require\.undef\(["']plotly["']\)/.test(html) || /define\('plotly'/.test(html));

const spec: FigureSpec = {
  id: 'fig-html-test',
  caption: 'c',
  alt: 'a',
  data: [{ type: 'bar', x: ['x</script>y', 'b'], y: [1, 2] }],
  layout: { title: { text: 'HTML test' } },
  width: 320,
  height: 240,
};

describe('figure HTML', () => {
  it('is not what Quarto hoists as a library, never holds the library, and is deterministic', () => {
    const fig = figureHtml(spec);
    expect(quartoSeesPlotlyLibrary(fig)).toBe(false);
    expect(fig.length).toBeLessThan(5000);
    expect(fig).not.toContain('Copyright 2012');
    expect(fig).not.toMatch(/https?:\/\//); // nothing from a CDN
    expect(fig).not.toContain('data:image/png'); // the PNG is its own MIME type, never inlined twice
    // data containing '</script>' cannot end the script element early
    expect(fig.match(/<\/script>/g)).toHaveLength(1);
    expect(figureHtml(spec)).toBe(fig);
  });

  it('is responsive: the container has the design width as its maximum and the design aspect ratio; the plot autosizes', () => {
    expect(figureHtml(spec)).toContain('style="width:100%;max-width:320px;aspect-ratio:320 / 240;"');
    const { layout, config } = interactiveFigure(spec);
    expect(layout).not.toHaveProperty('width');
    expect(layout).not.toHaveProperty('height');
    expect(layout.autosize).toBe(true);
    expect(config.responsive).toBe(true);
  });

  it('fixes font and size on top of the spec layout for the static export', () => {
    const layout = resolvedLayout(spec);
    expect(layout.width).toBe(320);
    expect(layout.height).toBe(240);
    expect((layout.font as { family: string }).family).toBe(FIGURE_FONT.family);
  });
});

const chromium = (() => {
  try {
    return findChromium();
  } catch {
    return undefined;
  }
})();

describe.skipIf(!chromium)('in a browser page (as in JupyterLab and Quarto HTML)', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const { chromium: pw } = await import('playwright-core');
    browser = await pw.launch({ executablePath: chromium!, headless: true, args: chromiumArgs() });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // Offline: any network request fails the test.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const plotlyScript = () => `<script>${plotlyBundleSource().replace(/<\/script/gi, '<\\/script')}</script>`;

  async function drawn(head: string, body: string): Promise<number> {
    errors.length = 0;
    await page.setContent(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`);
    await page.waitForFunction(() => document.querySelectorAll('.fmnist-figure .main-svg').length > 0, undefined, { timeout: 20_000 });
    return page.evaluate(() => document.querySelectorAll('.fmnist-figure .main-svg').length);
  }

  it('draws with plotly.js loaded once in the head (as the rendered report does), with no page error', async () => {
    expect(await drawn(plotlyScript(), figureHtml(spec))).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('fits a column narrower than its design width, keeping the aspect ratio', async () => {
    await drawn(plotlyScript(), `<div style="width:200px">${figureHtml(spec)}</div>`);
    const box = await page.evaluate(() => {
      const svg = document.querySelector('.fmnist-figure .main-svg')!.getBoundingClientRect();
      return { width: svg.width, height: svg.height };
    });
    expect(box.width).toBeLessThanOrEqual(200);
    expect(box.width).toBeGreaterThan(190);
    expect(box.height).toBeCloseTo((200 * 240) / 320, 0);
  });

  it('shows a note and raises no error where plotly.js is not loaded', async () => {
    const fresh = await browser.newPage(); // setContent keeps the window, and window.Plotly with it
    const freshErrors: string[] = [];
    fresh.on('pageerror', (e) => freshErrors.push(e.message));
    await fresh.setContent(`<!doctype html><html><body>${figureHtml(spec)}</body></html>`);
    expect(await fresh.textContent('.fmnist-figure')).toContain('Interactive figure fig-html-test');
    expect(freshErrors).toEqual([]);
    await fresh.close();
  });
});
