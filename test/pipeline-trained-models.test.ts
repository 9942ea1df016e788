import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeTrainedInRun, modelsTrainedSince, savedRunsFingerprint } from '../src/pipeline/trained-models';
import { formatDuration, recordPipelineTimings, type PipelineTimings } from '../src/pipeline/timings';
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

describe('recordPipelineTimings: the main job record describes the first run on a set of trained models', () => {
  const record = (startedAt: string, runs: Record<string, string>, totalSeconds: number): PipelineTimings => ({
    profile: 'paper', protocols: ['paper', 'official'], concurrency: 2, startedAt, finishedAt: startedAt, totalSeconds, stages: [{ stage: 'notebooks', seconds: totalSeconds }], notebooks: {}, runs,
  });

  it('keeps the record of an earlier job on the same models (file byte-identical), replaces it when a model changed', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'timings-'));
    const file = path.join(root, 'pipeline-timings.json');
    const runsA = { 'paper/ann': 'k1 2026-01-01T09:00:00.000Z', 'official/ann': 'k2 2026-01-01T09:05:00.000Z' };
    expect(await recordPipelineTimings(file, record('2026-01-01T10:00:00.000Z', runsA, 1800))).toBe('written');
    const first = fs.readFileSync(file, 'utf8');
    // The same job writing again (its end-of-run record, with the render stage): replaced.
    expect(await recordPipelineTimings(file, record('2026-01-01T10:00:00.000Z', runsA, 1900))).toBe('written');
    const final = fs.readFileSync(file, 'utf8');
    expect(final).not.toBe(first);
    // A later rerun loading the same models from the cache: kept.
    expect(await recordPipelineTimings(file, record('2026-01-05T10:00:00.000Z', runsA, 230))).toBe('kept');
    expect(fs.readFileSync(file, 'utf8')).toBe(final);
    // A model retrained (new finish time): the new job's record.
    const runsB = { ...runsA, 'paper/ann': 'k1 2026-01-06T09:00:00.000Z' };
    expect(await recordPipelineTimings(file, record('2026-01-06T10:00:00.000Z', runsB, 240))).toBe('written');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).totalSeconds).toBe(240);
  });

  it('fingerprints the saved runs by cache key and finish time', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trained-'));
    const dir = artifactDir({ profile: 'paper', protocol: 'paper', model: 'cnn3', runtime }, root);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ cacheKey: 'abc', timings: { finishedAt: '2026-01-02T10:20:00.000Z' } }));
    expect(savedRunsFingerprint('paper', ['paper', 'official'], runtime, root)).toEqual({ 'paper/cnn3': 'abc 2026-01-02T10:20:00.000Z' });
  });
});

describe('formatDuration', () => {
  it('rounds before splitting minutes and seconds', () => {
    expect(formatDuration(539.6)).toBe('9 min 00 s');
    expect(formatDuration(59.9)).toBe('59.9 s');
    expect(formatDuration(1745.762)).toBe('29 min 06 s');
  });
});
