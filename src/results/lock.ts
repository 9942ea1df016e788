import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { ARTIFACT_FILES } from './layout';

/**
 * How long a lock may go without its heartbeat before another process takes it over (a SIGKILLed
 * trainer cannot release it). The trainer yields to the event loop every batch, so the heartbeat
 * (every stale/2) keeps running. FMNIST_LOCK_STALE_MS shortens it for tests.
 */
export function lockStaleMs(): number {
  const env = Number(process.env.FMNIST_LOCK_STALE_MS);
  return Number.isFinite(env) && env >= 2000 ? env : 30_000;
}

/**
 * Runs `fn` while holding the artifact folder's lock, so two processes never train or write the
 * same model at once: the second waits (announcing it once) and then sees the first one's result.
 * The lock is removed on normal exit and on SIGINT/SIGTERM (proper-lockfile uses signal-exit).
 */
export async function withArtifactLock<T>(dir: string, fn: () => Promise<T>, log: (msg: string) => void = () => {}): Promise<T> {
  await fs.promises.mkdir(dir, { recursive: true });
  const stale = lockStaleMs();
  const options: lockfile.LockOptions = {
    lockfilePath: path.join(dir, ARTIFACT_FILES.lock),
    realpath: false,
    stale,
    onCompromised: (err) => {
      // Another process took the lock over (we were blocked longer than `stale`). Training is
      // deterministic and every write is atomic, so carrying on still leaves a consistent folder.
      log(`warning: the lock on ${dir} was taken over by another process (${err.message}); continuing`);
    },
  };
  let release: (() => Promise<void>) | undefined;
  let announced = false;
  while (!release) {
    try {
      release = await lockfile.lock(dir, options);
    } catch (err) {
      // Only "someone else holds it" is worth waiting for; anything else (permissions...) is fatal.
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new Error(`cannot lock ${dir}: ${(err as Error).message}. Check that the results folder is writable (or set FMNIST_RESULTS_DIR)`);
      }
      if (!announced) log(`another process is training into ${dir}; waiting for it to finish`);
      announced = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {}); // already released if compromised
  }
}
