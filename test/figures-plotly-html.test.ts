import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { compactPlotlyFigure, figureHtml, interactiveFigure, plotlyBundleSource, resolvedLayout, FIGURE_FONT } from '../src/figures/plotly-html';
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
    // A plotly table keeps its height (its rows do not shrink) and a minimum width (narrower, it scrolls in its own box).
    const table = { ...spec, data: [{ type: 'table', header: { values: ['a'] }, cells: { values: [[1]] } }] };
    expect(figureHtml(table)).toContain('style="width:100%;max-width:320px;min-width:320px;height:240px;"');
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

/** Decodes a `{ dtype, bdata, shape }` typed array spec back to numbers (null for NaN), as plotly.js reads it. */
function decode(spec: { dtype: string; bdata: string; shape?: string }): Array<number | null> {
  const bytes = Buffer.from(spec.bdata, 'base64');
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const ctor = { u1: Uint8Array, i2: Int16Array, i4: Int32Array, f4: Float32Array, f8: Float64Array }[spec.dtype]!;
  return Array.from(new ctor(buf), (v) => (Number.isNaN(v) ? null : v));
}

const grid: FigureSpec = {
  id: 'fig-grid-test',
  caption: 'c',
  alt: 'a',
  data: [
    { type: 'heatmap', z: Array.from({ length: 10 }, (_, r) => Array.from({ length: 10 }, (_, c) => (c === 5 ? null : r * 10 + c))) },
    { type: 'scatter', x: Array.from({ length: 100 }, (_, i) => i), y: Array.from({ length: 100 }, (_, i) => i / 7), text: Array.from({ length: 100 }, (_, i) => `p${i}`) },
    { type: 'bar', x: ['a', 'b'], y: [1, 2] },
  ],
  layout: {},
};

describe('compact plotly JSON for the notebook (typed arrays)', () => {
  it('turns long numeric arrays into typed arrays that decode to the same numbers, leaving short and text arrays alone', () => {
    const [heat, scatter, bar] = compactPlotlyFigure(grid).data as Array<Record<string, any>>;
    expect(heat.z).toMatchObject({ dtype: 'f4', shape: '10,10' }); // integers with gaps: float32, NaN for null
    expect(decode(heat.z)).toEqual((grid.data[0] as { z: Array<Array<number | null>> }).z.flat());
    expect(scatter.x.dtype).toBe('u1');
    expect(decode(scatter.x)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(scatter.y.dtype).toBe('f8'); // exact: hover values unchanged
    expect(decode(scatter.y)).toEqual(Array.from({ length: 100 }, (_, i) => i / 7));
    expect(scatter.text).toEqual(grid.data[1].text);
    expect(bar).toEqual(interactiveFigure(grid).data[2]);
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

  it('plotly.js draws the compact (typed array) figure like the plain one', async () => {
    const compact = compactPlotlyFigure(grid);
    const plain = interactiveFigure(grid);
    await page.setContent(`<!doctype html><html><head>${plotlyScript()}</head><body><div id="a" style="width:400px;height:300px"></div><div id="b" style="width:400px;height:300px"></div></body></html>`);
    const same = await page.evaluate(
      async ([c, p]) => {
        const P = (window as any).Plotly;
        await P.newPlot('a', c.data, c.layout);
        await P.newPlot('b', p.data, p.layout);
        const z = (id: string) => Array.from((document.getElementById(id) as any)._fullData[0].z, (row: any) => Array.from(row));
        const y = (id: string) => Array.from((document.getElementById(id) as any)._fullData[1].y);
        return JSON.stringify([z('a'), y('a')]) === JSON.stringify([z('b'), y('b')]);
      },
      [compact, plain] as const,
    );
    expect(same).toBe(true);
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
