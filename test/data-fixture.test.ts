import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFixture, writeFixtureFromDir } from '../src/data/fixture';
import { readDatasetDir } from '../src/data/dataset-dir';
import { loadFixture } from '../src/data/load';
import { FIXTURE_DIR, HAVE_REAL, REAL_DIR, tmpDir } from './data-helpers';

describe('fixture generation', () => {
  it('writes a readable subset with its own checksums (from the committed fixture, 2 + 1 per class)', async () => {
    const out = tmpDir();
    const manifest = await writeFixture(await loadFixture(), out, { trainPerClass: 2, testPerClass: 1, seed: 3 });
    expect(manifest.trainIndices).toHaveLength(20);
    const ds = await readDatasetDir(out);
    expect([ds.train.count, ds.test.count]).toEqual([20, 10]);
    expect(ds.files.every((f) => f.checksumSource === 'manifest' && !f.verified)).toBe(true);
  });

  it('refuses to cut a fixture from files that are not the published ones', async () => {
    await expect(writeFixtureFromDir(FIXTURE_DIR, tmpDir())).rejects.toThrow(/verified, published files/);
  });

  it.skipIf(!HAVE_REAL)('regenerating from the real data reproduces the committed fixture byte for byte', async () => {
    const out = tmpDir();
    await writeFixtureFromDir(REAL_DIR, out);
    for (const f of fs.readdirSync(FIXTURE_DIR)) {
      expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(FIXTURE_DIR, f))), f).toBe(true);
    }
    expect(fs.readdirSync(out).sort()).toEqual(fs.readdirSync(FIXTURE_DIR).sort());
  });
});
