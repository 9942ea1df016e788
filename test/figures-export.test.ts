import { describe, it, expect, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalSvgRoot, findChromium, renderStaticImages, closeFigureExporter, PNG_SCALE, chromiumArgs, isFigureExporterRunning, setFigureExporterIdleClose } from '../src/figures/export';
import type { FigureSpec } from '../src/figures/spec';

const chromium = (() => {
  try {
    return findChromium();
  } catch {
    return undefined;
  }
})();

/** PNG width/height from the IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('canonicalSvgRoot', () => {
  it('orders the root element\'s attributes, so plotly\'s varying order gives one file', () => {
    const a = '<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" width="900" height="460" viewBox="0 0 900 460" style=""><rect x="0"/></svg>';
    const b = '<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" width="900" height="460" style="" viewBox="0 0 900 460"><rect x="0"/></svg>';
    expect(canonicalSvgRoot(a)).toBe(canonicalSvgRoot(b));
    expect(canonicalSvgRoot(a)).toBe('<svg class="main-svg" height="460" style="" viewBox="0 0 900 460" width="900" xmlns="http://www.w3.org/2000/svg"><rect x="0"/></svg>');
    expect(canonicalSvgRoot('<svg weird attr>x</svg>')).toBe('<svg weird attr>x</svg>');
  });
});

describe('findChromium', () => {
  it('prefers FMNIST_CHROMIUM and rejects a missing path with the variable name', () => {
    const exe = process.execPath; // any existing file stands in for a browser here
    expect(findChromium({ FMNIST_CHROMIUM: exe, CHROME_PATH: '/nope' })).toBe(exe);
    expect(findChromium({ CHROME_PATH: exe })).toBe(exe);
    expect(() => findChromium({ FMNIST_CHROMIUM: '/no/such/chrome' })).toThrow(/FMNIST_CHROMIUM=\/no\/such\/chrome does not exist/);
  });

  it('keeps WebGL on: software GL flags, never --disable-gpu', () => {
    const args = chromiumArgs();
    expect(args).toContain('--use-angle=swiftshader');
    expect(args).not.toContain('--disable-gpu');
  });
});

describe.skipIf(!chromium)('renderStaticImages (headless Chromium)', () => {
  afterAll(async () => {
    await closeFigureExporter();
  });

  it('renders a bar chart to PNG at the fixed size and scale, and to SVG with its text', async () => {
    const spec: FigureSpec = {
      id: 'fig-test-bar',
      caption: 'test',
      alt: 'test',
      data: [{ type: 'bar', x: ['alpha', 'beta'], y: [3, 5] }],
      layout: { title: { text: 'Export check' } },
      width: 400,
      height: 300,
    };
    const out = await renderStaticImages(spec, chromium!);
    expect(pngSize(out.png)).toEqual({ width: 400 * PNG_SCALE, height: 300 * PNG_SCALE });
    expect(out.svg.startsWith('<svg')).toBe(true);
    expect(out.svg).toContain('Export check');
    expect(out.svg).toContain('alpha');
  });

  it('renders the same figure to byte-identical SVG and PNG every time (plotly\'s random defs and clip-path ids are seeded)', async () => {
    const spec = (id: string): FigureSpec => ({
      id,
      caption: 'test',
      alt: 'test',
      data: [
        { type: 'scatter', x: [1, 2, 3], y: [2, 1, 3], xaxis: 'x', yaxis: 'y' },
        { type: 'bar', x: [1, 2], y: [3, 4], xaxis: 'x2', yaxis: 'y2' },
      ],
      layout: { grid: { rows: 1, columns: 2, pattern: 'independent' }, title: { text: 'Determinism' } },
      width: 500,
      height: 300,
    });
    const first = await renderStaticImages(spec('fig-test-same'), chromium!);
    const other = await renderStaticImages(spec('fig-test-other'), chromium!); // advances any shared random state
    const again = await renderStaticImages(spec('fig-test-same'), chromium!);
    expect(first.svg).toMatch(/id="defs-[0-9a-z]+"/);
    expect(again.svg).toBe(first.svg);
    expect(Buffer.compare(again.png, first.png)).toBe(0);
    // A different figure gets different ids, so two SVGs inlined in one page do not clash.
    expect(/id="defs-([0-9a-z]+)"/.exec(other.svg)![1]).not.toBe(/id="defs-([0-9a-z]+)"/.exec(first.svg)![1]);
    // A plotly table: its clip paths are named after a per-trace random uid.
    const table: FigureSpec = { id: 'fig-test-table', caption: 't', alt: 't', data: [{ type: 'table', header: { values: ['a', 'b'] }, cells: { values: [[1, 2], [3, 4]] } }], layout: {}, width: 300, height: 200 };
    const t1 = await renderStaticImages(table, chromium!);
    const t2 = await renderStaticImages(table, chromium!);
    expect(t2.svg).toBe(t1.svg);
  });

  it('draws WebGL traces (scatter3d) instead of a blank image', async () => {
    const n = 300;
    const idx = Array.from({ length: n }, (_, i) => i);
    const spec: FigureSpec = {
      id: 'fig-test-3d',
      caption: 'test',
      alt: 'test',
      data: [{ type: 'scatter3d', mode: 'markers', x: idx.map((i) => Math.sin(i)), y: idx.map((i) => Math.cos(i)), z: idx.map((i) => i / n), marker: { size: 4, color: 'rgb(200,0,0)' } }],
      layout: { showlegend: false },
      width: 300,
      height: 300,
    };
    const out = await renderStaticImages(spec, chromium!);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fig-')), '3d.png');
    fs.writeFileSync(file, out.png);
    // The markers are pure red; a blank WebGL canvas would have none. Count red pixels through the browser-free PNG decoder below.
    const reds = countRedPixels(out.png);
    expect(reds).toBeGreaterThan(200);
  });

  it.skipIf(!fs.existsSync('/usr/bin/chromium-headless-shell') || !fs.existsSync('/usr/bin/chromium'))(
    'draws the same PNG pixels in the headless shell as in the full browser',
    async () => {
      const spec: FigureSpec = { id: 'fig-test-same', caption: 'test', alt: 'test', data: [{ type: 'bar', x: ['alpha', 'beta'], y: [3, 5] }], layout: { title: { text: 'Same pixels' } }, width: 400, height: 300 };
      const images: Buffer[] = [];
      for (const exe of ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium']) {
        await closeFigureExporter();
        images.push((await renderStaticImages(spec, exe)).png);
      }
      await closeFigureExporter();
      expect(images[0].equals(images[1])).toBe(true);
    },
  );

  it('closes the browser once idle and starts a new one for the next figure', async () => {
    const previous = setFigureExporterIdleClose(300);
    try {
      const spec: FigureSpec = { id: 'fig-test-idle', caption: 'test', alt: 'test', data: [{ type: 'bar', x: ['a'], y: [1] }], layout: {}, width: 200, height: 150 };
      await renderStaticImages(spec, chromium!);
      expect(isFigureExporterRunning()).toBe(true);
      await new Promise((r) => setTimeout(r, 1500));
      expect(isFigureExporterRunning()).toBe(false);
      const again = await renderStaticImages(spec, chromium!);
      expect(pngSize(again.png)).toEqual({ width: 200 * PNG_SCALE, height: 150 * PNG_SCALE });
    } finally {
      setFigureExporterIdleClose(previous);
    }
  });
});

/** Decodes an 8-bit RGBA/RGB PNG (no interlace) with zlib and counts strongly red pixels. */
function countRedPixels(png: Buffer): number {
  const zlib = require('node:zlib') as typeof import('node:zlib');
  const { width, height } = pngSize(png);
  const bitDepth = png[24];
  const colorType = png[25];
  expect(bitDepth).toBe(8);
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);
  const chunks: Buffer[] = [];
  let offset = 8;
  while (offset < png.length) {
    const len = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('ascii');
    if (type === 'IDAT') chunks.push(png.subarray(offset + 8, offset + 8 + len));
    offset += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(chunks));
  const stride = width * channels;
  const prev = Buffer.alloc(stride);
  const line = Buffer.alloc(stride);
  let reds = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels] : 0;
      const b = prev[x];
      const c = x >= channels ? prev[x - channels] : 0;
      let v = src[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const r = line[x * channels], g = line[x * channels + 1], bl = line[x * channels + 2];
      if (r > 150 && g < 90 && bl < 90) reds++;
    }
    line.copy(prev);
  }
  return reds;
}
