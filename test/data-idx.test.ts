import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CLASS_NAMES } from '../src/data/classes';
import { PUBLISHED_FILES, DATA_FILE_NAMES } from '../src/data/checksums';
import { encodeIdxImages, encodeIdxLabels, parseIdx, readIdxFile, sha256Hex } from '../src/data/idx';
import { readDatasetDir } from '../src/data/dataset-dir';
import { loadFixture, loadFashionMnist, clearDatasetCache } from '../src/data/load';
import { NUM_CLASSES, PIXELS } from '../src/data/types';
import { copyFixture, FIXTURE_DIR, HAVE_REAL, readGz, REAL_DIR, tmpDir } from './data-helpers';

describe('class names and published checksums', () => {
  it('lists the ten classes in label order', () => {
    expect(CLASS_NAMES).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  });

  it('has the four files of issue 2 with their sizes', () => {
    expect(DATA_FILE_NAMES).toEqual(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);
    expect(PUBLISHED_FILES.map((f) => f.bytes)).toEqual([47_040_016, 60_008, 7_840_016, 10_008]);
    for (const f of PUBLISHED_FILES) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    // header + count × item size must equal the published size
    expect(16 + 60_000 * PIXELS).toBe(PUBLISHED_FILES[0].bytes);
    expect(8 + 10_000).toBe(PUBLISHED_FILES[3].bytes);
  });
});

describe('IDX reader', () => {
  const images = new Uint8Array(3 * PIXELS).map((_, i) => (i * 7) % 256);
  const labels = Uint8Array.from([0, 9, 4]);

  it('round-trips encoded images and labels', () => {
    const img = parseIdx(encodeIdxImages(images, 3), 'x', { kind: 'images' });
    expect(img.count).toBe(3);
    expect(Array.from(img.data)).toEqual(Array.from(images));
    expect(img.bytes).toBe(16 + 3 * PIXELS);
    const lab = parseIdx(encodeIdxLabels(labels), 'y', { kind: 'labels' });
    expect(Array.from(lab.data)).toEqual([0, 9, 4]);
    expect(lab.sha256).toBe(sha256Hex(encodeIdxLabels(labels)));
  });

  it('reads plain and gzip files alike, detecting gzip from the bytes', async () => {
    const dir = tmpDir();
    const raw = encodeIdxLabels(labels);
    fs.writeFileSync(path.join(dir, 'plain'), raw);
    fs.writeFileSync(path.join(dir, 'gz-without-extension'), zlib.gzipSync(raw));
    const a = await readIdxFile(path.join(dir, 'plain'), { kind: 'labels' });
    const b = await readIdxFile(path.join(dir, 'gz-without-extension'), { kind: 'labels' });
    expect(a.sha256).toBe(b.sha256);
    expect(Array.from(b.data)).toEqual([0, 9, 4]);
  });

  it('returns payloads that are plain Uint8Arrays starting at offset 0', () => {
    const img = parseIdx(Buffer.from(encodeIdxImages(images, 3)), 'x', { kind: 'images' });
    expect(img.data.byteOffset).toBe(0);
    expect(img.data.buffer.byteLength).toBe(3 * PIXELS);
  });

  it('accepts a folder of plain (uncompressed) files', async () => {
    const src = copyFixture();
    const dir = tmpDir();
    for (const name of DATA_FILE_NAMES) fs.writeFileSync(path.join(dir, name), readGz(path.join(src, `${name}.gz`)));
    fs.copyFileSync(path.join(src, 'checksums.json'), path.join(dir, 'checksums.json'));
    const ds = await readDatasetDir(dir);
    expect(ds.train.count).toBe(300);
    expect(ds.files.map((f) => path.basename(f.path))).toEqual([...DATA_FILE_NAMES]);
  });
});

describe('committed fixture', () => {
  it('is a stratified subset (30 per class train, 10 per class test) checked against its manifest, not the published checksums', async () => {
    const ds = await loadFixture();
    expect(ds.train.count).toBe(300);
    expect(ds.test.count).toBe(100);
    expect(ds.train.images.length).toBe(300 * PIXELS);
    const count = (l: Uint8Array) => Array.from({ length: NUM_CLASSES }, (_, k) => l.filter((x) => x === k).length);
    expect(count(ds.train.labels)).toEqual(new Array(10).fill(30));
    expect(count(ds.test.labels)).toEqual(new Array(10).fill(10));
    expect(ds.files.every((f) => !f.verified && f.checksumSource === 'manifest')).toBe(true);
  });

  it('is cached per process', async () => {
    expect(await loadFixture()).toBe(await loadFixture());
  });

  it.skipIf(!HAVE_REAL)('holds the real images at the indices its manifest records', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'checksums.json'), 'utf8'));
    const fixture = await loadFixture();
    const realLabels = readGz(path.join(REAL_DIR, 'train-labels-idx1-ubyte.gz')).subarray(8);
    const realTestImages = readGz(path.join(REAL_DIR, 't10k-images-idx3-ubyte.gz')).subarray(16);
    manifest.trainIndices.forEach((src: number, j: number) => expect(fixture.train.labels[j]).toBe(realLabels[src]));
    const k = manifest.testIndices[7];
    expect(Buffer.from(fixture.test.images.subarray(7 * PIXELS, 8 * PIXELS)).equals(realTestImages.subarray(k * PIXELS, (k + 1) * PIXELS))).toBe(true);
  });
});

describe.skipIf(!HAVE_REAL)('real dataset', () => {
  it('loads and verifies all four files, and caches the result', async () => {
    clearDatasetCache();
    const ds = await loadFashionMnist({ dir: REAL_DIR });
    expect(ds.train.count).toBe(60_000);
    expect(ds.test.count).toBe(10_000);
    expect(ds.files.map((f) => f.verified)).toEqual([true, true, true, true]);
    expect(ds.files.map((f) => f.sha256)).toEqual(PUBLISHED_FILES.map((f) => f.sha256));
    expect(await loadFashionMnist({ dir: REAL_DIR })).toBe(ds);
  });
});
