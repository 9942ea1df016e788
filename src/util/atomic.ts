import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Durable atomic writes: the data goes to a temp file in the same folder, every byte is written
 * (write(2) may write fewer bytes than asked on a nearly full disk; we loop and a failure throws),
 * the size on disk is checked, the file is fsynced, then renamed over the target and the folder is
 * fsynced. Readers see the old or the new content, never a torn one; on any error the temp file is
 * removed and the old content stays.
 *
 * Not npm's write-file-atomic: a result is several files that must be replaced together, so
 * they are staged first ({@link stageFile}) and renamed only when all of them are on disk (a full
 * disk then fails before anything old is replaced); write-file-atomic writes one file per call and
 * does not fsync the folder after the rename.
 */

/** Thrown when fewer bytes reached the disk than were written (should not happen after a clean write loop). */
export class ShortWriteError extends Error {
  readonly code = 'ESHORTWRITE';
  constructor(
    readonly file: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${file}: only ${actual} of ${expected} bytes reached the disk`);
    this.name = 'ShortWriteError';
  }
}

function toBuffer(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

/** Test hook: a function that may replace the byte count a write reports (to simulate a short write). */
let writeHook: ((file: string, written: number, asked: number) => number) | undefined;
export function setWriteHookForTests(hook: typeof writeHook): void {
  writeHook = hook;
}

function writeAllSync(fd: number, buf: Buffer, target: string): void {
  let off = 0;
  while (off < buf.length) {
    let n = fs.writeSync(fd, buf, off, buf.length - off, off);
    if (writeHook) n = writeHook(target, n, buf.length - off);
    if (n <= 0) throw new ShortWriteError(target, buf.length, off);
    off += n;
  }
}

async function writeAll(fh: fs.promises.FileHandle, buf: Buffer, target: string): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    let { bytesWritten: n } = await fh.write(buf, off, buf.length - off, off);
    if (writeHook) n = writeHook(target, n, buf.length - off);
    if (n <= 0) throw new ShortWriteError(target, buf.length, off);
    off += n;
  }
}

function fsyncDirSync(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some filesystems cannot fsync a folder; the rename is still atomic */
  }
}

/**
 * Writes `data` to a temp file beside `file` (complete, size-checked, fsynced) and returns its
 * path, without touching `file`. {@link commitStaged} then renames it into place. Staging every
 * file of a result first means a full disk fails before anything old is replaced.
 */
export async function stageFile(file: string, data: string | Uint8Array): Promise<string> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const buf = toBuffer(data);
  const tmp = tempName(file);
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(tmp, 'wx', 0o644);
    await writeAll(fh, buf, file);
    await fh.sync();
    const { size } = await fh.stat();
    if (size !== buf.length) throw new ShortWriteError(file, buf.length, size);
    await fh.close();
    fh = undefined;
    return tmp;
  } catch (err) {
    await fh?.close().catch(() => {});
    await fs.promises.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Renames a staged temp file over its target and fsyncs the folder. */
export async function commitStaged(tmp: string, file: string): Promise<void> {
  await fs.promises.rename(tmp, file);
  fsyncDirSync(path.dirname(file));
}

/** Removes staged temp files that will not be committed (after a failure). */
export async function discardStaged(tmps: readonly string[]): Promise<void> {
  await Promise.all(tmps.map((t) => fs.promises.rm(t, { force: true }).catch(() => {})));
}

/** Writes a file atomically and durably (see the top of this file). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = await stageFile(file, data);
  try {
    await commitStaged(tmp, file);
  } catch (err) {
    await discardStaged([tmp]);
    throw err;
  }
}

/** Synchronous twin of {@link writeFileAtomic}, for exit handlers and small files. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const buf = toBuffer(data);
  const tmp = tempName(file);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    writeAllSync(fd, buf, file);
    fs.fsyncSync(fd);
    const { size } = fs.fstatSync(fd);
    if (size !== buf.length) throw new ShortWriteError(file, buf.length, size);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
    fsyncDirSync(path.dirname(file));
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Pretty JSON with a trailing newline, as written by {@link writeJsonAtomic}. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Pretty JSON with a trailing newline, written atomically. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, jsonText(value));
}
