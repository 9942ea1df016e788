import * as fs from 'node:fs';

/**
 * Peak memory of this process and all its descendants (the Python executors, their tslab kernels and
 * the kernels' headless browsers), sampled from /proc. Two sums are kept:
 *
 * - PSS (proportional set size, /proc/<pid>/smaps_rollup): each shared page is split between the
 *   processes that map it, so the sum is the tree's real share of the machine's memory. This is the
 *   job's "peak memory".
 * - RSS: counts a shared page once per process that maps it (Chromium's ten-odd processes each map the
 *   same 100+ MB binary), so the sum over-states the tree; it is kept as an upper bound.
 *
 * Linux only; elsewhere the peaks stay undefined. Kernels without smaps_rollup (before 4.14) give RSS only.
 */
export interface MemoryPeaks {
  /** Peak of the summed PSS; undefined where smaps_rollup is unavailable. */
  pssBytes?: number;
  /** Peak of the summed RSS. */
  rssSumBytes?: number;
  /** Number of samples taken. */
  samples: number;
}

export interface TreeSample {
  pssBytes?: number;
  rssBytes: number;
  processes: number;
}

export class TreeMemorySampler {
  private peaks: MemoryPeaks = { samples: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly rootPid: number = process.pid) {}

  start(intervalMs = 1000): this {
    if (!fs.existsSync('/proc/self/statm')) return this;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): MemoryPeaks {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (fs.existsSync('/proc/self/statm')) this.sample();
    return this.peak();
  }

  peak(): MemoryPeaks {
    return { ...this.peaks };
  }

  /** Takes one sample now and folds it into the peaks. */
  sample(): TreeSample | undefined {
    try {
      const s = sampleTree(this.rootPid);
      this.peaks.samples++;
      this.peaks.rssSumBytes = Math.max(this.peaks.rssSumBytes ?? 0, s.rssBytes);
      if (s.pssBytes !== undefined) this.peaks.pssBytes = Math.max(this.peaks.pssBytes ?? 0, s.pssBytes);
      return s;
    } catch {
      // A process exiting between readdir and read is normal; the next sample catches up.
      return undefined;
    }
  }
}

/** Bytes in GiB with two decimals, e.g. "2.38" (the unit is the caller's). */
export function toGiB(bytes: number): string {
  return (bytes / 2 ** 30).toFixed(2);
}

/** One line for the end of a run, e.g. "Peak memory: 1.62 GiB (summed PSS; summed RSS 2.41 GiB)". */
export function formatMemoryPeaks(peaks: MemoryPeaks): string | undefined {
  const gib = (b: number) => `${toGiB(b)} GiB`;
  if (peaks.pssBytes !== undefined) return `Peak memory: ${gib(peaks.pssBytes)} (summed PSS of the job and its kernels and browsers; summed RSS ${gib(peaks.rssSumBytes ?? 0)})`;
  if (peaks.rssSumBytes !== undefined) return `Peak memory: ${gib(peaks.rssSumBytes)} (summed RSS; PSS unavailable on this system)`;
  return undefined;
}

/** Summed PSS and RSS of `rootPid` and its descendants, now. */
export function sampleTree(rootPid: number): TreeSample {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = readPpid(Number(entry));
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  let rss = 0;
  let pss: number | undefined = 0;
  let processes = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    const m = readProcessMemory(pid);
    if (m) {
      processes++;
      rss += m.rssBytes;
      pss = pss === undefined || m.pssBytes === undefined ? undefined : pss + m.pssBytes;
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return { rssBytes: rss, pssBytes: pss, processes };
}

function readPpid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 4, after the parenthesised command name (which may itself contain spaces).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

/** RSS and PSS of one process (bytes); undefined if it is gone. */
export function readProcessMemory(pid: number): { rssBytes: number; pssBytes?: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    const rssBytes = kb('Rss');
    const pssBytes = kb('Pss');
    if (Number.isFinite(rssBytes) && Number.isFinite(pssBytes)) return { rssBytes, pssBytes };
  } catch {
    // no smaps_rollup (old kernel) or the process is gone: fall back to statm
  }
  try {
    // /proc/<pid>/statm counts pages; 4 KiB on x86-64 and arm64 Linux.
    return { rssBytes: (Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) || 0) * 4096 };
  } catch {
    return undefined;
  }
}
