import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { AddressInfo } from 'node:net';
import { downloadDataFile } from '../src/data/download';
import { DatasetNotFoundError, locateDataset } from '../src/data/locate';
import { FIXTURE_DIR, HAVE_REAL, REAL_DIR, readGz, snapshot, tmpDir } from './data-helpers';

/**
 * Downloads against a local HTTP server on 127.0.0.1 (the real mirror is unreachable here).
 * The server serves either the committed fixture's .gz files (checked against its manifest) or,
 * when Debian's dataset is installed, the real files (checked against the published checksums).
 */

type Mode = 'ok' | 'cut-off' | 'short-body' | 'corrupt' | '404';
let mode: Mode = 'ok';
let served: Record<string, string> = {}; // URL path → local file
const requests: string[] = [];
let server: http.Server;
let mirror: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const file = served[req.url ?? ''];
    if (!file || mode === '404') {
      res.writeHead(404).end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    if (mode === 'cut-off') {
      // Promise the whole file, send half, then drop the connection.
      res.writeHead(200, { 'Content-Length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
      return;
    }
    if (mode === 'short-body') {
      // No Content-Length (chunked) and a clean end after half: only the gzip check can notice.
      res.writeHead(200);
      res.end(body.subarray(0, body.length >> 1));
      return;
    }
    if (mode === 'corrupt') {
      const copy = Buffer.from(body);
      copy[copy.length - 5] ^= 0xff; // inside the gzip trailer: the checksum no longer matches
      res.writeHead(200, { 'Content-Length': copy.length }).end(copy);
      return;
    }
    res.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  mode = 'ok';
  requests.length = 0;
});

const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'checksums.json'), 'utf8'));
const NAME = 'train-images-idx3-ubyte';

function serveFixture(): void {
  served = Object.fromEntries(fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.gz')).map((f) => [`/${f}`, path.join(FIXTURE_DIR, f)]));
}

describe('downloadDataFile', () => {
  beforeEach(serveFixture);

  it('downloads, verifies the decompressed checksum, and saves the file', async () => {
    const dest = tmpDir();
    const out = await downloadDataFile({ mirror, name: NAME, destDir: dest, expected: manifest.files[NAME], quiet: true });
    expect(out).toBe(path.join(dest, `${NAME}.gz`));
    expect(readGz(out).equals(readGz(path.join(FIXTURE_DIR, `${NAME}.gz`)))).toBe(true);
    expect(fs.readdirSync(dest)).toEqual([`${NAME}.gz`]); // no temp files left behind
  });

  for (const [m, pattern] of [
    ['cut-off', /cut off after \d+ of \d+ bytes; nothing was saved/],
    ['short-body', /incomplete or corrupted.*nothing was saved/],
    ['corrupt', /nothing was saved/],
    ['404', /HTTP 404/],
  ] as [Mode, RegExp][]) {
    it(`saves nothing when the download is ${m}, and the next run downloads it again`, async () => {
      const dest = tmpDir();
      fs.writeFileSync(path.join(dest, 'other-file'), 'untouched');
      const before = snapshot(dest);
      mode = m;
      await expect(downloadDataFile({ mirror, name: NAME, destDir: dest, expected: manifest.files[NAME], quiet: true })).rejects.toThrow(pattern);
      expect(snapshot(dest)).toEqual(before);
      mode = 'ok';
      await downloadDataFile({ mirror, name: NAME, destDir: dest, expected: manifest.files[NAME], quiet: true });
      expect(fs.readdirSync(dest).sort()).toEqual(['other-file', `${NAME}.gz`]);
    });
  }

  it('rejects a file whose checksum differs from the expected one', async () => {
    const dest = tmpDir();
    await expect(
      downloadDataFile({ mirror, name: NAME, destDir: dest, expected: { sha256: '0'.repeat(64), bytes: manifest.files[NAME].bytes }, quiet: true }),
    ).rejects.toThrow(/checksum mismatch after download/);
    expect(fs.readdirSync(dest)).toEqual([]);
  });
});

describe('locateDataset search order', () => {
  beforeEach(serveFixture);

  it('when every place fails, one error lists each place tried and the fixes', async () => {
    const cache = tmpDir();
    const err = await locateDataset({ cacheDir: cache, systemDir: path.join(cache, 'no-such-dir'), mirror, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetNotFoundError);
    const msg = (err as Error).message;
    expect((err as DatasetNotFoundError).tried).toHaveLength(4);
    expect(msg).toMatch(/FASHION_MNIST_DIR: not set/);
    expect(msg).toContain(`${cache} (download cache): holds none of the four files`);
    expect(msg).toContain(`${path.join(cache, 'no-such-dir')} (Debian dataset-fashion-mnist): does not exist`);
    expect(msg).toMatch(/download from http:\/\/127\.0\.0\.1:\d+\/ into .*checksum mismatch after download/); // fixture ≠ published
    expect(msg).toMatch(/apt-get install dataset-fashion-mnist/);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  it('with downloads disabled it says so', async () => {
    const cache = tmpDir();
    await expect(locateDataset({ cacheDir: cache, systemDir: '/nonexistent', mirror, download: false })).rejects.toThrow(/skipped \(downloads disabled\)/);
    expect(requests).toEqual([]);
  });

  it('an explicit folder is used exclusively, never replaced by another copy', async () => {
    const cache = tmpDir();
    await expect(locateDataset({ dir: path.join(cache, 'missing'), cacheDir: FIXTURE_DIR, mirror })).rejects.toThrow(/the folder does not exist/);
    expect(requests).toEqual([]);
  });

  it('uses a complete cache before the system folder and without network', async () => {
    const got = await locateDataset({ cacheDir: FIXTURE_DIR, systemDir: '/nonexistent', mirror });
    expect(got.origin).toBe('cache');
    expect(got.dataset.source).toBe(FIXTURE_DIR);
    expect(requests).toEqual([]);
  });
});

describe.skipIf(!HAVE_REAL)('downloading the real files from a local mirror', () => {
  beforeEach(() => {
    served = Object.fromEntries(fs.readdirSync(REAL_DIR).map((f) => [`/${f}`, path.join(REAL_DIR, f)]));
  });

  it('fetches only the missing files into the cache, verifies them, then uses the cache', async () => {
    const cache = tmpDir();
    fs.copyFileSync(path.join(REAL_DIR, 't10k-labels-idx1-ubyte.gz'), path.join(cache, 't10k-labels-idx1-ubyte.gz'));
    const got = await locateDataset({ cacheDir: cache, systemDir: '/nonexistent', mirror, quiet: true });
    expect(got.origin).toBe('download');
    expect(requests.sort()).toEqual(['/t10k-images-idx3-ubyte.gz', '/train-images-idx3-ubyte.gz', '/train-labels-idx1-ubyte.gz']);
    expect(got.dataset.files.every((f) => f.verified)).toBe(true);
    expect(got.dataset.train.count).toBe(60_000);
    requests.length = 0;
    const again = await locateDataset({ cacheDir: cache, systemDir: '/nonexistent', mirror, quiet: true });
    expect(again.origin).toBe('cache');
    expect(requests).toEqual([]);
  });

  it('a download cut off halfway leaves nothing in the cache; the next run completes it', async () => {
    const cache = tmpDir();
    mode = 'cut-off';
    await expect(locateDataset({ cacheDir: cache, systemDir: '/nonexistent', mirror, quiet: true })).rejects.toThrow(/cut off/);
    expect(fs.readdirSync(cache)).toEqual([]);
    mode = 'ok';
    const got = await locateDataset({ cacheDir: cache, systemDir: '/nonexistent', mirror, quiet: true });
    expect(got.dataset.files.every((f) => f.verified)).toBe(true);
  });
});
