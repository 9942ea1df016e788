import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeTrainedInRun, modelsTrainedSince } from '../src/pipeline/trained-models';
import { artifactDir } from '../src/results/layout';
import { committedRuntime } from '../src/results/runtime';

const runtime = committedRuntime();

function writeRun(root: string, protocol: 'paper' | 'official', model: 'ann' | 'cnn1' | 'cnn2' | 'cnn3', finishedAt: string, profile: 'paper' | 'smoke' = 'paper'): void {
  const dir = artifactDir({ profile, protocol, model, runtime }, root);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ format: 'fmnist-run-1', timings: { startedAt: finishedAt, finishedAt } }));
}

describe('modelsTrainedSince', () => {
  it('splits saved runs by whether their training finished after the job started', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trained-'));
    const start = new Date('2026-01-02T10:00:00.000Z');
    writeRun(root, 'paper', 'ann', '2026-01-01T09:00:00.000Z'); // an earlier run: cached
    writeRun(root, 'paper', 'cnn3', '2026-01-02T10:20:00.000Z'); // trained by this job
    writeRun(root, 'official', 'cnn1', '2026-01-02T09:59:59.999Z'); // just before: cached
    writeRun(root, 'official', 'cnn2', '2026-01-02T10:00:00.000Z');
    writeRun(root, 'paper', 'cnn1', '2026-01-02T10:30:00.000Z', 'smoke'); // another profile: not counted
    expect(modelsTrainedSince(start, 'paper', ['paper', 'official'], runtime, root)).toEqual({
      trained: ['paper/cnn3', 'official/cnn2'],
      cached: ['paper/ann', 'official/cnn1'],
    });
    expect(modelsTrainedSince(start, 'paper', ['official'], runtime, root)).toEqual({ trained: ['official/cnn2'], cached: ['official/cnn1'] });
    expect(modelsTrainedSince(start, 'smoke', ['paper'], runtime, root)).toEqual({ trained: ['paper/cnn1'], cached: [] });
  });

  it('says in words how much was trained', () => {
    expect(describeTrainedInRun({ trained: ['a', 'b'], cached: [] })).toBe('all 2 models were trained in this run');
    expect(describeTrainedInRun({ trained: [], cached: ['a', 'b', 'c'] })).toBe('all 3 models were loaded from the cache of an earlier run, so this time includes no training');
    expect(describeTrainedInRun({ trained: ['a'], cached: ['b', 'c'] })).toBe('1 of the 3 models was trained in this run and the other 2 loaded from the cache of an earlier run');
  });
});
