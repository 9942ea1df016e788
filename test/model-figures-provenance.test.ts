import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resultsProvenance } from '../src/figures/model-provenance';
import { writeSyntheticRun } from './report-fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-prov-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A minimal saved run: what readSavedRun needs to accept the folder. */
function fakeRun(model: string, backend: string, splitSum: string): string {
  const dir = path.join(tmp, model);
  fs.mkdirSync(dir, { recursive: true });
  const run = {
    model,
    backend,
    data: {
      counts: { train: 1, val: 1, test: 1 },
      checksums: { train: `${splitSum}-tr`, val: `${splitSum}-va`, test: `${splitSum}-te` },
      files: [{ name: 't10k-images-idx3-ubyte', sha256: 'abc', verified: true }],
    },
  };
  writeSyntheticRun(dir, { 'history.json': JSON.stringify({ history: [] }), 'metrics.json': JSON.stringify({}) }, run);
  return dir;
}

describe('resultsProvenance', () => {
  it('collects file and split checksums per model, backends and result folders from run.json', async () => {
    const a = fakeRun('ann', 'wasm', 's1');
    const b = fakeRun('cnn3', 'cpu', 's2');
    const p = await resultsProvenance([
      { model: 'ann', dir: a },
      { model: 'cnn3', dir: b },
    ]);
    expect(p.dataChecksums).toEqual({
      't10k-images-idx3-ubyte': 'abc',
      'ann:train': 's1-tr',
      'ann:val': 's1-va',
      'ann:test': 's1-te',
      'cnn3:train': 's2-tr',
      'cnn3:val': 's2-va',
      'cnn3:test': 's2-te',
    });
    expect(p.backend).toBe('cpu, wasm');
    expect((p.results as string[]).map((r) => path.basename(r))).toEqual(['ann', 'cnn3']);
  });

  it('names the folder when there is no saved run', async () => {
    await expect(resultsProvenance([{ model: 'cnn1', dir: path.join(tmp, 'missing') }])).rejects.toThrow(/missing.*train cnn1 again/);
  });
});
