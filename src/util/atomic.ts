import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

/** Writes a file atomically (temp file in the same folder, fsync, rename): readers see the old or the new content, never a torn one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomicLib(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** Synchronous twin of {@link writeFileAtomic}, for exit handlers and small files. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicLib.sync(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** Pretty JSON with a trailing newline, written atomically. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}
