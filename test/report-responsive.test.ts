import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { classicName, classicScripts, moduleScriptTags } from '../src/report/classic-scripts';
import { figureHtml } from '../src/figures/plotly-html';
import { historyFigure, confusionFigure } from '../src/figures/model-figures';
import { misclassifiedGalleryFigure } from '../src/figures/comparison-figures';
import { CLASS_NAMES } from '../src/data/classes';

/** The report's page script (a classic browser script that also exports its pure rules under Node). */
const figures = createRequire(__filename)('../report/responsive-figures.js') as {
  COMPACT: number;
  adapt(fig: { data: Array<Record<string, unknown>>; layout: Record<string, unknown> }, width: number, design: { width: number; height: number }): {
    data: Array<Record<string, unknown>>;
    layout: Record<string, any>;
    compact: boolean;
    target: number;
  };
  wrapText(text: string, max: number): string;
  nextStep(step: number): number;
};

const history = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.8, valLoss: 0.5, valAccuracy: 0.85 }));

describe('responsive figures (report/responsive-figures.js)', () => {
  it('keeps the design layout in a wide column and labels every category', () => {
    const spec = confusionFigure('cnn3', CLASS_NAMES.map((_, i) => CLASS_NAMES.map((__, j) => (i === j ? 90 : 1))));
    const out = figures.adapt(spec, 700, { width: 760, height: 680 });
    expect(out.compact).toBe(false);
    expect(out.layout.font).toEqual(spec.layout.font);
    expect(out.layout.xaxis.dtick).toBe(1);
    expect(out.layout.yaxis.dtick).toBe(1);
  });

  it('on a phone stacks side-by-side panels, moves the legend above the plot, thins the epoch ticks and wraps the title', () => {
    const spec = historyFigure('cnn3', history);
    const out = figures.adapt(spec, 350, { width: 900, height: 440 });
    expect(out.compact).toBe(true);
    expect(out.layout.grid).toMatchObject({ rows: 2, columns: 1 });
    expect(out.layout.legend).toMatchObject({ orientation: 'h', y: 1, yanchor: 'bottom' });
    // 15 epochs on a 260 px axis: a tick every 2 epochs is 35 px apart at most; 1 would be 17 px.
    expect(out.layout.xaxis.dtick).toBeGreaterThanOrEqual(2);
    expect(out.layout.font.size).toBeLessThan(13);
    expect(out.target).toBeGreaterThanOrEqual(180);
    expect(figures.wrapText('CNN 3: per-class precision, recall and F1 (test)', 20)).toBe('CNN 3: per-class<br>precision, recall<br>and F1 (test)');
    expect(figures.nextStep(1)).toBe(2);
    expect(figures.nextStep(2)).toBe(5);
    expect(figures.nextStep(5)).toBe(10);
  });

  it('re-tiles a titled image gallery into fewer columns on a phone, moving every image and its title', () => {
    const images = new Uint8Array(12 * 784).map((_, i) => Math.floor(i / 784)); // image k is all k
    const examples = Array.from({ length: 12 }, (_, k) => ({ index: k, trueLabel: k % 10, predicted: (k + 1) % 10 }));
    const spec = misclassifiedGalleryFigure('cnn3', images, examples);
    const out = figures.adapt(spec, 350, { width: spec.width!, height: spec.height! });
    const meta = out.layout.meta.mosaic;
    expect(meta.columns).toBeLessThan(6);
    const z = out.data[0].z as Array<Array<number | null>>;
    const step = 28 + meta.gap;
    for (let k = 0; k < 12; k++) {
      const top = Math.floor(k / meta.columns) * step;
      const left = (k % meta.columns) * step;
      expect(z[top + 5][left + 5]).toBe(k);
      expect(out.layout.annotations[k].x).toBe(left + 13.5);
    }
  });
});

describe('module scripts become classic scripts (file://, issue 22)', () => {
  it('finds local module script tags only and names their classic bundle', () => {
    const html = '<script src="a/quarto.js" type="module"></script>\n<script type="module" src="https://x.org/m.js"></script><script src="b.js"></script>';
    expect(moduleScriptTags(html).map((t) => t.src)).toEqual(['a/quarto.js']);
    expect(classicName('site_libs/quarto-html/quarto.js')).toBe('site_libs/quarto-html/quarto.classic.js');
  });

  it('bundles a module and its imports into one deferred classic script and drops the imported module tag', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-classic-'));
    fs.mkdirSync(path.join(dir, 'lib', 'tabs'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib', 'tabs', 'tabs.js'), 'export function init() { window.__tabs = (window.__tabs || 0) + 1; }\n');
    fs.writeFileSync(path.join(dir, 'lib', 'main.js'), 'import * as tabs from "./tabs/tabs.js";\nwindow.addEventListener("load", () => tabs.init());\n');
    const page = '<head><script src="lib/main.js" type="module"></script>\n<script src="lib/tabs/tabs.js" type="module"></script>\n</head>';
    const { html, converted } = await classicScripts().convertPage(page, dir);
    expect(converted).toBe(2);
    expect(html).toBe('<head><script src="lib/main.classic.js" defer></script>\n</head>');
    const bundle = fs.readFileSync(path.join(dir, 'lib', 'main.classic.js'), 'utf8');
    expect(bundle).not.toMatch(/^\s*(import|export)\b/m);
    expect(bundle).toContain('__tabs');
    expect(fs.existsSync(path.join(dir, 'lib', 'tabs', 'tabs.classic.js'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('figure HTML', () => {
  it('carries its design size for the page script and hands drawing to it when the page has it', () => {
    const html = figureHtml(historyFigure('ann', history));
    expect(html).toContain('data-width="900" data-height="440"');
    expect(html).toContain('window.fmnistFigures.draw(el, fig)');
  });
});
