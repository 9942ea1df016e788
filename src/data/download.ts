import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import cliProgress from 'cli-progress';
import { writeFileAtomic } from '../util/atomic';
import { sha256Hex, isGzip } from './idx';

/**
 * Downloads one dataset file. The whole body is held in memory (the largest file is 26 MB),
 * checked — complete per Content-Length, valid gzip, decompressed SHA-256 and size — and only
 * then written to disk atomically (temp file + rename). A cut-off or corrupted download therefore
 * never reaches the cache, and the next run simply downloads again.
 */

const gunzip = promisify(zlib.gunzip);

/** The mirror the dataset's README points to. FASHION_MNIST_MIRROR overrides it (tests use a local server). */
export const OFFICIAL_MIRROR = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

export function mirrorUrl(override?: string): string {
  return override ?? process.env.FASHION_MNIST_MIRROR ?? OFFICIAL_MIRROR;
}

export interface DownloadOptions {
  /** Base URL; `<base>/<name>.gz` is fetched. */
  mirror: string;
  /** File name without .gz, e.g. 'train-labels-idx1-ubyte'. */
  name: string;
  destDir: string;
  /** Expected SHA-256 and size of the decompressed content. */
  expected: { sha256: string; bytes: number };
  /** No progress bar (it is drawn on stderr only when stderr is a terminal anyway). */
  quiet?: boolean;
  timeoutMs?: number;
}

/** Downloads `<mirror>/<name>.gz` into `<destDir>/<name>.gz` after verifying it; returns the final path. */
export async function downloadDataFile(opts: DownloadOptions): Promise<string> {
  const url = new URL(`${opts.name}.gz`, opts.mirror.endsWith('/') ? opts.mirror : `${opts.mirror}/`).toString();
  const body = await fetchBytes(url, opts);
  if (!isGzip(body)) throw new Error(`${url} did not return gzip data (got ${body.length} bytes starting ${JSON.stringify(body.subarray(0, 16).toString('latin1'))})`);
  let content: Buffer;
  try {
    content = await gunzip(body);
  } catch (err) {
    throw new Error(`${url}: the download is incomplete or corrupted (${(err as Error).message}); nothing was saved`);
  }
  const sha = sha256Hex(content);
  if (sha !== opts.expected.sha256 || content.length !== opts.expected.bytes) {
    throw new Error(
      `${url}: checksum mismatch after download (SHA-256 ${sha}, ${content.length} bytes; expected ${opts.expected.sha256}, ${opts.expected.bytes} bytes); nothing was saved — check the mirror (FASHION_MNIST_MIRROR)`,
    );
  }
  const dest = path.join(opts.destDir, `${opts.name}.gz`);
  await writeFileAtomic(dest, body);
  return dest;
}

function fetchBytes(url: string, opts: DownloadOptions, redirects = 5): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects <= 0) return reject(new Error(`${url}: too many redirects`));
        return resolve(fetchBytes(new URL(res.headers.location, url).toString(), opts, redirects - 1));
      }
      if (status !== 200) {
        res.resume();
        return reject(new Error(`${url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
      }
      const total = Number(res.headers['content-length'] ?? 0);
      const bar = !opts.quiet && process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: `${opts.name}.gz [{bar}] {percentage}% | {value}/{total} bytes`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      bar?.start(total || 1, 0);
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        bar?.update(Math.min(received, total || received));
      });
      res.on('aborted', () => {
        bar?.stop();
        reject(new Error(`${url}: the connection was cut off after ${received} of ${total || '?'} bytes; nothing was saved`));
      });
      res.on('error', (err) => {
        bar?.stop();
        reject(new Error(`${url}: download failed after ${received} bytes (${err.message}); nothing was saved`));
      });
      res.on('end', () => {
        bar?.stop();
        if (!res.complete || (total && received !== total)) {
          return reject(new Error(`${url}: the download was cut off after ${received} of ${total || '?'} bytes; nothing was saved`));
        }
        resolve(Buffer.concat(chunks));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no response for ${(opts.timeoutMs ?? 30_000) / 1000} s`)));
    req.on('error', (err) => reject(new Error(`${url}: ${err.message}`)));
  });
}
