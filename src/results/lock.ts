import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { ResultWriteError } from './artifacts';
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

/** Thrown when `signal` aborts while waiting for another process's lock: nothing was done. */
export class LockWaitAborted extends Error {
  override name = 'LockWaitAborted';
}

/** The calls of THIS process that hold (or are acquiring) a folder's lock, by absolute folder. */
interface HolderHere {
  /** Asks the holder to stop (at its next batch boundary); absent when it cannot be stopped. */
  stop?: () => void;
  released: Promise<void>;
}
const heldHere = new Map<string, HolderHere>();

export interface ArtifactLockOptions {
  /** How a later call in this process for the same folder stops this one (training: at its next batch). */
  stop?: () => void;
  /** Gives up waiting for another process's lock (LockWaitAborted). */
  signal?: AbortSignal;
}

/**
 * Runs `fn` while holding the artifact folder's lock, so two processes never train or write the
 * same model at once: the second waits (announcing it once) and then sees the first one's result.
 * The lock is removed on normal exit and on SIGINT/SIGTERM (proper-lockfile uses signal-exit).
 *
 * Within one process (a notebook kernel) the lock knows its owner: a call that finds the folder held
 * by an earlier call of the same process never waits for it as if it were another process (the
 * earlier call would be left running in the background, printing into other cells). It asks that
 * call to stop (`stop`), waits until it has released the folder, and goes on from its checkpoint. A
 * lock file naming this process's pid that no call here holds (left by an earlier process that had the
 * same pid) is taken over at once.
 */
export async function withArtifactLock<T>(dir: string, fn: () => Promise<T>, log: (msg: string) => void = () => {}, opts: ArtifactLockOptions = {}): Promise<T> {
  const key = path.resolve(dir);
  let said = false;
  for (let holder = heldHere.get(key); holder; holder = heldHere.get(key)) {
    if (!said) {
      log(
        holder.stop
          ? `an earlier call in this process (pid ${process.pid}) is still training into ${dir}; stopping it, this call goes on from its last checkpoint`
          : `an earlier call in this process (pid ${process.pid}) is writing ${dir}; waiting for it`,
      );
      said = true;
    }
    holder.stop?.();
    await holder.released;
  }
  // Registered before any await, so two calls of this process never both get past the loop above.
  let releaseHere!: () => void;
  heldHere.set(key, { stop: opts.stop, released: new Promise<void>((r) => (releaseHere = r)) });
  try {
    return await lockedByThisCall(dir, fn, log, opts.signal);
  } finally {
    heldHere.delete(key);
    releaseHere();
  }
}

async function lockedByThisCall<T>(dir: string, fn: () => Promise<T>, log: (msg: string) => void, signal: AbortSignal | undefined): Promise<T> {
  try {
    await fs.promises.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new ResultWriteError(dir, dir, err, 'the result');
  }
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
      if (await takeOverDeadLock(dir, log)) continue;
      if (signal?.aborted) throw new LockWaitAborted(`stopped while waiting for another process training into ${dir}`);
      if (!announced) log(`another process${await ownerPid(dir).then((pid) => (pid ? ` (pid ${pid})` : ''))} is training into ${dir}; waiting for it to finish`);
      announced = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const owner = path.join(dir, OWNER_FILE);
  await fs.promises.writeFile(owner, JSON.stringify({ pid: process.pid, since: new Date().toISOString() })).catch(() => {});
  try {
    return await fn();
  } finally {
    await fs.promises.rm(owner, { force: true }).catch(() => {});
    await release().catch(() => {}); // already released if compromised
  }
}

/** Beside the lock: the pid of the process holding it, so a waiter can tell a dead holder at once. */
const OWNER_FILE = `${ARTIFACT_FILES.lock}-owner.json`;
/** Held (a folder) by the one waiter taking a dead lock over, so two waiters never both do. */
const TAKEOVER_DIR = `${ARTIFACT_FILES.lock}-takeover`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

async function ownerPid(dir: string): Promise<number | undefined> {
  try {
    const pid = (JSON.parse(await fs.promises.readFile(path.join(dir, OWNER_FILE), 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * If the lock's holder (its pid in OWNER_FILE) is no longer running (killed with SIGKILL, so it could
 * not remove the lock), removes the lock at once, says so, and returns true. The caller is this
 * process's only call for the folder (withArtifactLock), so a lock naming this process's own pid is
 * no holder either: an earlier process with the same pid left it. A lock younger than a second is left
 * alone: its new holder may not have written its pid yet. Holders without an owner file (older
 * versions) are left to the stale timeout.
 */
async function takeOverDeadLock(dir: string, log: (msg: string) => void): Promise<boolean> {
  const lockPath = path.join(dir, ARTIFACT_FILES.lock);
  let owner: { pid?: unknown };
  let lockAge: number;
  try {
    owner = JSON.parse(await fs.promises.readFile(path.join(dir, OWNER_FILE), 'utf8'));
    lockAge = Date.now() - (await fs.promises.stat(lockPath)).mtimeMs;
  } catch {
    return false;
  }
  const pid = owner.pid;
  const ownPid = pid === process.pid;
  if (typeof pid !== 'number' || (!ownPid && processAlive(pid)) || lockAge < 1000) return false;
  const takeover = path.join(dir, TAKEOVER_DIR);
  try {
    await fs.promises.mkdir(takeover);
  } catch {
    // Another waiter is taking it over; one left behind by a killed waiter is cleared after 10 s.
    const age = await fs.promises.stat(takeover).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age > 10_000) await fs.promises.rm(takeover, { recursive: true, force: true });
    return false;
  }
  try {
    // Re-read under the takeover folder: the lock may have changed hands meanwhile.
    const again = JSON.parse(await fs.promises.readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => '{}')) as { pid?: unknown };
    if (again.pid !== pid) return false;
    log(
      ownPid
        ? `the lock on ${dir} names this process's pid ${pid} but no call here holds it (left by an earlier process with the same pid); taking it over`
        : `the lock on ${dir} was held by process ${pid}, which is no longer running (killed?); taking it over`,
    );
    await fs.promises.rm(path.join(dir, OWNER_FILE), { force: true });
    await fs.promises.rm(lockPath, { recursive: true, force: true });
    return true;
  } finally {
    await fs.promises.rm(takeover, { recursive: true, force: true });
  }
}
