import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { formatMemoryPeaks, readProcessMemory, sampleTree, TreeMemorySampler } from '../src/pipeline/memory';

const linux = fs.existsSync('/proc/self/smaps_rollup');
const MB = 1024 * 1024;

describe.skipIf(!linux)('process-tree memory sampling', () => {
  it('reads this process: RSS agrees with /proc/self/statm, PSS is at most RSS', () => {
    const m = readProcessMemory(process.pid)!;
    const statmRss = Number(fs.readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
    expect(Math.abs(m.rssBytes - statmRss)).toBeLessThan(16 * MB); // two reads a moment apart
    expect(m.pssBytes).toBeGreaterThan(0);
    expect(m.pssBytes!).toBeLessThanOrEqual(m.rssBytes);
  });

  it('counts a child that touches 300 MB, and the sampler keeps the peak after it exits', async () => {
    const before = sampleTree(process.pid);
    const sampler = new TreeMemorySampler().start(100);
    // The child fills 300 MB (so every page is resident), says so, and exits a moment later.
    const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(300 * 1024 * 1024, 1); console.log("ready", b[5]); setTimeout(() => {}, 1500);'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    const during = sampleTree(process.pid);
    await new Promise((resolve) => child.once('exit', resolve));
    const peaks = sampler.stop();

    expect(during.processes).toBeGreaterThan(before.processes);
    expect(during.pssBytes! - before.pssBytes!).toBeGreaterThan(300 * MB);
    expect(during.rssBytes - before.rssBytes).toBeGreaterThan(300 * MB);
    expect(peaks.pssBytes!).toBeGreaterThanOrEqual(during.pssBytes! - 32 * MB);
    expect(peaks.rssSumBytes!).toBeGreaterThanOrEqual(peaks.pssBytes!);
    expect(peaks.samples).toBeGreaterThan(2);
    // After the child is gone the tree is back near where it started.
    expect(sampleTree(process.pid).pssBytes!).toBeLessThan(peaks.pssBytes! - 200 * MB);
  });

  it('gives nothing for a process that does not exist', () => {
    expect(readProcessMemory(2 ** 22 + 12345)).toBeUndefined();
  });
});

describe('formatMemoryPeaks', () => {
  it('leads with PSS and names the RSS upper bound; says when PSS is unavailable', () => {
    expect(formatMemoryPeaks({ pssBytes: 1.5 * 2 ** 30, rssSumBytes: 2.25 * 2 ** 30, samples: 3 })).toBe(
      'Peak memory: 1.50 GiB (summed PSS of the job and its kernels and browsers; summed RSS 2.25 GiB)',
    );
    expect(formatMemoryPeaks({ rssSumBytes: 2 ** 30, samples: 1 })).toBe('Peak memory: 1.00 GiB (summed RSS; PSS unavailable on this system)');
    expect(formatMemoryPeaks({ samples: 0 })).toBeUndefined();
  });
});
