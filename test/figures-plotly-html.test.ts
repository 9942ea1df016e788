import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { figureHtml, plotlyLibraryHtml, resolvedLayout, FIGURE_FONT } from '../src/figures/plotly-html';
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

describe('figure and library HTML', () => {
  it('the library output is what Quarto hoists; a figure output is not and never holds the library', () => {
    const lib = plotlyLibraryHtml();
    expect(quartoSeesPlotlyLibrary(lib)).toBe(true);
    const fig = figureHtml(spec);
    expect(quartoSeesPlotlyLibrary(fig)).toBe(false);
    expect(fig.length).toBeLessThan(5000);
    expect(fig).not.toMatch(/https?:\/\//); // nothing from a CDN
    // data containing '</script>' cannot end the script element early
    expect(fig.match(/<\/script>/g)).toHaveLength(1);
  });

  it('holds the static PNG as the no-script fallback when one is given', () => {
    const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
    const fig = figureHtml(spec, png);
    expect(fig).toContain(`<img src="data:image/png;base64,${Buffer.from(png).toString('base64')}"`);
    expect(fig).toContain('alt="a"');
    expect(figureHtml(spec)).toContain('needs JavaScript');
  });

  it('fixes font and size on top of the spec layout', () => {
    const layout = resolvedLayout(spec);
    expect(layout.width).toBe(320);
    expect(layout.height).toBe(240);
    expect((layout.font as { family: string }).family).toBe(FIGURE_FONT.family);
  });
});

/** A stand-in for require.js: like it, an anonymous define() from a plain script is an error. */
const FAKE_AMD = `<script>
  window.__amdModules = {};
  window.define = function (name, deps, factory) {
    if (typeof name !== 'string') throw new Error('Mismatched anonymous define() module');
    window.__amdModules[name] = (typeof deps === 'function' ? deps : factory)();
  };
  window.define.amd = { jQuery: true };
  window.require = { defined: function (n) { return n in window.__amdModules; } };
</script>`;

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

  async function drawn(head: string, body: string): Promise<number> {
    errors.length = 0;
    await page.setContent(`<!doctype html><html><head>${head}</head><body>${body}</body></html>`);
    await page.waitForFunction(() => document.querySelectorAll('.fmnist-figure .main-svg').length > 0, undefined, { timeout: 20_000 });
    return page.evaluate(() => document.querySelectorAll('.fmnist-figure .main-svg').length);
  }

  it('draws with require.js-style AMD present, library hoisted into the head (Quarto HTML)', async () => {
    expect(await drawn(FAKE_AMD + plotlyLibraryHtml(), figureHtml(spec))).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (window as any).require.defined('plotly'))).toBe(true);
  });

  it('replaces the fallback image with the interactive plot', async () => {
    const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(await drawn('', plotlyLibraryHtml() + figureHtml(spec, png))).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.querySelectorAll('.fmnist-figure img').length)).toBe(0);
  });

  it('draws without any AMD loader (JupyterLab)', async () => {
    expect(await drawn('', plotlyLibraryHtml() + figureHtml(spec))).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it('draws when the figure output comes before the library output (waits for the ready event)', async () => {
    expect(await drawn('', figureHtml(spec) + plotlyLibraryHtml())).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
