import * as fs from 'node:fs';

/**
 * Samples the resident memory of this process and all its descendants (the Python executors and
 * their tslab kernels) from /proc, keeping the peak. Linux only; elsewhere peak() stays undefined.
 */
export class TreeMemorySampler {
  private peakBytes: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pageSize = 4096; // /proc/<pid>/statm counts pages; 4 KiB on x86-64 and arm64 Linux

  start(intervalMs = 2000): this {
    if (!fs.existsSync('/proc/self/statm')) return this;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): number | undefined {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (fs.existsSync('/proc/self/statm')) this.sample();
    return this.peakBytes;
  }

  peak(): number | undefined {
    return this.peakBytes;
  }

  private sample(): void {
    try {
      const children = new Map<number, number[]>();
      for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const ppid = readPpid(Number(entry));
        if (ppid === undefined) continue;
        const list = children.get(ppid) ?? [];
        list.push(Number(entry));
        children.set(ppid, list);
      }
      let total = 0;
      const stack = [process.pid];
      while (stack.length) {
        const pid = stack.pop()!;
        total += readRssPages(pid) * this.pageSize;
        stack.push(...(children.get(pid) ?? []));
      }
      this.peakBytes = Math.max(this.peakBytes ?? 0, total);
    } catch {
      // A process exiting between readdir and read is normal; the next sample catches up.
    }
  }
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

function readRssPages(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) || 0;
  } catch {
    return 0;
  }
}
