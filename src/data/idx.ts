import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS } from './types';
import { DataError, DEFAULT_FIX } from './errors';

/**
 * Reader (and writer, for the fixture and tests) of the IDX format the dataset ships in:
 * a big-endian header — magic 0x0000 08 <ndims>, then one uint32 per dimension — followed
 * by unsigned bytes. Files may be gzip-compressed; we detect that from the content, not the name.
 */

const gunzip = promisify(zlib.gunzip);

export type IdxKind = 'images' | 'labels';

/** Magic numbers: unsigned-byte data (0x08) with 3 dimensions (images) or 1 (labels). */
export const IDX_MAGIC: Record<IdxKind, number> = { images: 2051, labels: 2049 };
const HEADER_BYTES: Record<IdxKind, number> = { images: 16, labels: 8 };

export interface IdxContent {
  path: string;
  kind: IdxKind;
  count: number;
  /** The payload after the header: count×784 pixels or count labels. */
  data: Uint8Array;
  /** SHA-256 (hex) of the whole decompressed file, header included: what the published checksums cover. */
  sha256: string;
  /** Size of the decompressed file in bytes. */
  bytes: number;
}

export interface ReadIdxOptions {
  kind: IdxKind;
  /** The advice appended to every error; locate.ts passes one that fits where the file came from. */
  fix?: string;
}

export function sha256Hex(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Reads, decompresses if needed, and validates one IDX file. Every failure is a {@link DataError} naming the file. */
export async function readIdxFile(file: string, opts: ReadIdxOptions): Promise<IdxContent> {
  const fix = opts.fix ?? DEFAULT_FIX;
  let raw: Buffer;
  try {
    raw = await fs.promises.readFile(file);
  } catch (err) {
    throw fileAccessError(file, err, fix);
  }
  if (raw.length === 0) throw new DataError(file, 'the file is empty (0 bytes)', fix);
  let content: Uint8Array = raw;
  if (isGzip(raw)) {
    try {
      content = await gunzip(raw);
    } catch (err) {
      const msg = (err as Error).message;
      const truncated = /unexpected end of file/i.test(msg);
      throw new DataError(
        file,
        truncated
          ? 'the gzip data is truncated (unexpected end of file): the file is incomplete, e.g. a cut-off download or copy'
          : `the gzip data is corrupted (${msg})`,
        fix,
      );
    }
  } else if (file.endsWith('.gz')) {
    throw new DataError(file, 'the file is named .gz but is not gzip data (it does not start with the gzip magic bytes 1f 8b)', fix);
  }
  return parseIdx(content, file, { kind: opts.kind, fix });
}

/** Validates decompressed IDX bytes: magic number, 28×28 dimensions, count against length, labels 0–9. */
export function parseIdx(buf: Uint8Array, file: string, opts: ReadIdxOptions): IdxContent {
  const fix = opts.fix ?? DEFAULT_FIX;
  const { kind } = opts;
  const header = HEADER_BYTES[kind];
  if (buf.length === 0) throw new DataError(file, 'the file is empty (0 bytes after decompression)', fix);
  if (buf.length < header) {
    throw new DataError(file, `the file is too short for an IDX ${kind} header (${buf.length} bytes, need at least ${header})`, fix);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== IDX_MAGIC[kind]) {
    const other = kind === 'images' ? 'labels' : 'images';
    const hint = magic === IDX_MAGIC[other] ? ` — this looks like an IDX ${other} file; are the image and label files swapped?` : '';
    throw new DataError(
      file,
      `wrong magic number ${magic} (0x${magic.toString(16).padStart(8, '0')}); an IDX ${kind} file starts with ${IDX_MAGIC[kind]}${hint}`,
      fix,
    );
  }
  const count = view.getUint32(4, false);
  if (kind === 'images') {
    const rows = view.getUint32(8, false);
    const cols = view.getUint32(12, false);
    if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
      throw new DataError(file, `wrong image dimensions ${rows}×${cols}; Fashion-MNIST images are ${IMAGE_SIZE}×${IMAGE_SIZE}`, fix);
    }
  }
  const itemBytes = kind === 'images' ? PIXELS : 1;
  const expected = header + count * itemBytes;
  if (buf.length !== expected) {
    const what = buf.length < expected ? 'the file is truncated' : 'the file has unexpected trailing bytes';
    throw new DataError(
      file,
      `${what}: its header says ${count} ${kind} (${expected} bytes) but the ${isGzipName(file) ? 'decompressed ' : ''}file has ${buf.length} bytes`,
      fix,
    );
  }
  // A fresh plain Uint8Array (not a Buffer view at offset 16), so `data.buffer` holds only the payload.
  const data = new Uint8Array(buf.subarray(header));
  if (kind === 'labels') {
    for (let i = 0; i < data.length; i++) {
      if (data[i] >= NUM_CLASSES) {
        throw new DataError(file, `label ${data[i]} at index ${i} is outside 0–${NUM_CLASSES - 1}`, fix);
      }
    }
  }
  return { path: file, kind, count, data, sha256: sha256Hex(buf), bytes: buf.length };
}

function isGzipName(file: string): boolean {
  return file.endsWith('.gz');
}

/** Turns an fs error into a message that says what went wrong with which file. */
export function fileAccessError(file: string, err: unknown, fix: string): DataError {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return new DataError(file, 'the file does not exist', fix);
    case 'EACCES':
    case 'EPERM':
      return new DataError(file, 'permission denied when reading it', `Make it readable (chmod a+r) or ${lowerFirst(fix)}`);
    case 'EISDIR':
      return new DataError(file, 'this is a directory, not a file', fix);
    default:
      return new DataError(file, `cannot be read (${(err as Error)?.message ?? String(err)})`, fix);
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Encodes images (count×784 bytes) as an IDX3 file; used to write the fixture and, in tests, broken files. */
export function encodeIdxImages(images: Uint8Array, count: number): Uint8Array {
  if (images.length !== count * PIXELS) throw new Error(`encodeIdxImages: ${images.length} bytes is not ${count}×${PIXELS}`);
  const out = new Uint8Array(16 + images.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_MAGIC.images, false);
  view.setUint32(4, count, false);
  view.setUint32(8, IMAGE_SIZE, false);
  view.setUint32(12, IMAGE_SIZE, false);
  out.set(images, 16);
  return out;
}

/** Encodes labels as an IDX1 file. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_MAGIC.labels, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, 8);
  return out;
}
