import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FigureSpec } from '../src/figures/spec';

const spec: FigureSpec = { id: 'fig-show-test', caption: 'cap', alt: 'alt', data: [{ type: 'bar', x: [1], y: [1] }], layout: {}, width: 200, height: 150 };
const keys = ['FMNIST_CHROMIUM', 'FMNIST_FIGURES_DIR', 'FMNIST_PROFILE'] as const;
const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
let dir: string;

beforeEach(() => {
  vi.resetModules(); // fresh module state (warn-once flags) per test
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'show-'));
  process.env.FMNIST_FIGURES_DIR = dir;
  process.env.FMNIST_PROFILE = 'paper';
});
afterEach(async () => {
  const { closeFigureExporter } = await import('../src/figures/export');
  await closeFigureExporter();
  for (const k of keys) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  vi.restoreAllMocks();
});

describe('showFigure without a usable browser', () => {
  it('FMNIST_CHROMIUM=none: says so once, records the figure without files, does not throw', async () => {
    process.env.FMNIST_CHROMIUM = 'none';
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { showFigure, setNotebook } = await import('../src/figures/show');
    setNotebook('show-test');
    await showFigure(spec);
    await showFigure({ ...spec, id: 'fig-show-test-2' });
    const notes = log.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('No Chrome/Chromium found'));
    expect(notes).toHaveLength(1);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.figures['fig-show-test']).toMatchObject({ notebook: 'show-test', files: [], profile: 'paper' });
    expect(fs.existsSync(path.join(dir, 'fig-show-test.png'))).toBe(false);
  });

  it('a browser that cannot start: one clear message naming it, interactive output kept', async () => {
    process.env.FMNIST_CHROMIUM = '/bin/true'; // exists, but is not a browser
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { showFigure } = await import('../src/figures/show');
    await showFigure(spec);
    await showFigure(spec);
    const notes = log.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('could not start Chromium at /bin/true'));
    expect(notes).toHaveLength(1);
  }, 60_000);

  it('rejects ids that cannot be file names or Quarto labels', async () => {
    process.env.FMNIST_CHROMIUM = 'none';
    const { showFigure } = await import('../src/figures/show');
    await expect(showFigure({ ...spec, id: 'Fig 1' })).rejects.toThrow(/lower-case letters, digits and dashes/);
  });
});

describe('showTable', () => {
  it('writes a CSV, records it, and checks row lengths', async () => {
    const { showTable } = await import('../src/figures/show');
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await showTable({ id: 'tbl-show-test', caption: 'c', columns: ['name', 'value'], rows: [['a, "b"', 0.123456], ['c', 3]] });
    expect(fs.readFileSync(path.join(dir, 'tbl-show-test.csv'), 'utf8')).toBe('name,value\n"a, ""b""",0.1235\nc,3\n');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.figures['tbl-show-test']).toMatchObject({ kind: 'table', files: ['tbl-show-test.csv'] });
    await expect(showTable({ id: 'tbl-bad', caption: 'c', columns: ['a'], rows: [[1, 2]] })).rejects.toThrow(/row 0 has 2 cells, expected 1/);
  });
});
