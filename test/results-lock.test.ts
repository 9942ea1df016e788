import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withArtifactLock } from '../src/results/lock';

// Issue 15.5: a lock left by a holder killed with SIGKILL is taken over at once, with a line saying
// so, instead of after the 30 s stale timeout; a live holder is still waited for.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-lock-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** Leaves `dir` locked the way a SIGKILLed holder would: the lock folder, aged, and its owner file. */
function leaveLock(dir: string, pid: number, ageMs: number): void {
  fs.mkdirSync(path.join(dir, '.lock'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.lock-owner.json'), JSON.stringify({ pid }));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(path.join(dir, '.lock'), t, t);
}

describe('withArtifactLock', () => {
  it('takes a dead holder\'s lock over at once and says so', async () => {
    delete process.env.FMNIST_LOCK_STALE_MS; // the default 30 s: waiting it out would fail the timing below
    const dir = path.join(tmp, 'dead');
    const pid = deadPid();
    leaveLock(dir, pid, 3_000);
    const logs: string[] = [];
    const t0 = Date.now();
    const result = await withArtifactLock(dir, async () => 'ran', (m) => logs.push(m));
    expect(result).toBe('ran');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(logs.join('\n')).toMatch(new RegExp(`held by process ${pid}, which is no longer running \\(killed\\?\\); taking it over`));
    expect(logs.join('\n')).not.toMatch(/waiting/);
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.lock-owner.json'))).toBe(false);
  });

  it('waits for a live holder (and records its own pid while it holds the lock)', async () => {
    const dir = path.join(tmp, 'live');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      leaveLock(dir, holder.pid!, 3_000);
      const logs: string[] = [];
      let ran = false;
      const p = withArtifactLock(
        dir,
        async () => {
          ran = true;
          return JSON.parse(fs.readFileSync(path.join(dir, '.lock-owner.json'), 'utf8')).pid;
        },
        (m) => logs.push(m),
      );
      await new Promise((r) => setTimeout(r, 1_500));
      expect(ran).toBe(false);
      expect(logs.join('\n')).toMatch(/another process \(pid \d+\) is training into .*; waiting for it to finish/);
      // The holder goes away (e.g. killed): the waiter takes over without waiting for the stale timeout.
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
      const t0 = Date.now();
      expect(await p).toBe(process.pid);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(logs.join('\n')).toMatch(/no longer running \(killed\?\); taking it over/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  // Issue 24: in a notebook kernel an interrupted cell's training went on in the background, and
  // rerunning the cell waited for "another process" that was the kernel itself.
  it('never waits for a lock file naming its own pid that no call of this process holds', async () => {
    delete process.env.FMNIST_LOCK_STALE_MS;
    const dir = path.join(tmp, 'own-pid');
    leaveLock(dir, process.pid, 3_000);
    const logs: string[] = [];
    const t0 = Date.now();
    expect(await withArtifactLock(dir, async () => 'ran', (m) => logs.push(m))).toBe('ran');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(logs.join('\n')).toMatch(new RegExp(`names this process's pid ${process.pid} but no call here holds it`));
    expect(logs.join('\n')).not.toMatch(/another process/);
  });

  it('stops an earlier call of the same process for the same folder, and runs once it has released it', async () => {
    const dir = path.join(tmp, 'same-process');
    const logs: string[] = [];
    const events: string[] = [];
    let stopFirst!: () => void;
    const stopped = new Promise<void>((r) => (stopFirst = r));
    const first = withArtifactLock(
      dir,
      async () => {
        events.push('first holds');
        await stopped; // a training loop that stops at its next batch when asked
        events.push('first stops');
        throw new Error('stopped');
      },
      (m) => logs.push(m),
      { stop: () => stopFirst() },
    ).catch((err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const second = await withArtifactLock(
      dir,
      async () => {
        events.push('second holds');
        return JSON.parse(fs.readFileSync(path.join(dir, '.lock-owner.json'), 'utf8')).pid;
      },
      (m) => logs.push(m),
    );
    expect(second).toBe(process.pid);
    expect(await first).toBe('stopped');
    expect(events).toEqual(['first holds', 'first stops', 'second holds']);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(logs.join('\n')).toMatch(/an earlier call in this process \(pid \d+\) is still training into .*; stopping it/);
    expect(logs.join('\n')).not.toMatch(/another process/);
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
  });
});
