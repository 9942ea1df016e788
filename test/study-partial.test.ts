import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStudySummary, studySentences } from '../src/report/study-claims';
import { statusSentence, studyVariablesFrom } from '../src/report/study-variables';
import { committedRuntime } from '../src/results/runtime';
import { summaryPath, writeStudySummary } from '../src/study/summary';
import { CLEAR_ORDER, syntheticStudy } from './study-fixtures';
import { MODEL_NAMES } from '../src/models/registry';

// A study finished over several sessions: the report reads the seeds done so far and says how far it got.
const both = ['paper', 'official'] as const;
const all = MODEL_NAMES;
/** How a summary's file name lists the models. */
const joined = all.join('+');
const runs = (seeds: number) => seeds * all.length * both.length;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-study-partial-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a seed study with fewer seeds than planned', () => {
  it('the first seeds of the default list are the report summary; other selections get their own file', () => {
    const rt = committedRuntime();
    const name = (seeds: number[]) => path.basename(summaryPath({ profile: 'paper', protocols: [...both], models: [...all], seeds }, rt, tmp));
    expect(name([42])).toBe('summary.json');
    expect(name([42, 1])).toBe('summary.json');
    expect(name([42, 1, 2, 3, 4])).toBe('summary.json');
    expect(name([1, 2])).toBe(`summary-both-${joined}-2seeds.json`);
    expect(path.basename(summaryPath({ profile: 'paper', protocols: ['paper'], models: [...all], seeds: [42] }, rt, tmp))).toBe(`summary-paper-${joined}-1seeds.json`);
  });

  it('never replaces the summary of a larger study with a smaller one', async () => {
    const rt = committedRuntime();
    const five = await writeStudySummary(syntheticStudy(CLEAR_ORDER), rt, tmp);
    expect(path.basename(five)).toBe('summary.json');
    const two = await writeStudySummary(syntheticStudy(CLEAR_ORDER, [...both], [42, 1]), rt, tmp);
    expect(path.basename(two)).toBe(`summary-both-${joined}-2seeds.json`);
    expect(JSON.parse(fs.readFileSync(five, 'utf8')).seeds).toEqual([42, 1, 2, 3, 4]);
  });

  it('with one seed, no sentence ranks the models: each says the study cannot test it yet', () => {
    const one = syntheticStudy(CLEAR_ORDER, [...both], [42]);
    const sentences = studySentences(one);
    expect(Object.keys(sentences)).toEqual(expect.arrayContaining(['ranking.paper', 'ranking.official', 'abstract', 'conclusion', 'versus_paper', 'pairs.paper.cnn1_cnn3']));
    for (const s of Object.values(sentences)) {
      expect(s.text).toMatch(/^With 1 training seed per model \(of 5 planned\) the seed study cannot yet test whether the models differ/);
      expect(s.findings).toEqual([]);
    }
    expect(statusSentence(one)).toMatch(new RegExp(`^The study is not complete yet: it has 1 of the 5 planned seeds \\(${runs(1)} of ${runs(5)} training runs\\)`));
  });

  it('with two seeds, the status says so and "no difference" is not read as "alike"', () => {
    const two = syntheticStudy(CLEAR_ORDER, [...both], [42, 1]);
    expect(statusSentence(two)).toMatch(new RegExp(`it has 2 of the 5 planned seeds \\(${runs(2)} of ${runs(5)} training runs\\)`));
    const v = studyVariablesFrom(two, path.join(tmp, 'summary.json'));
    expect(v.planned_seeds).toBe('5');
    expect(v.n_seeds).toBe('2');
    expect(v.seeds_phrase).toBe('2 of its 5 planned seeds per model so far');
    if (!two.comparisons.some((c) => c.significant)) expect(studySentences(two).versus_paper.text).toMatch(/^Over the 2 seeds run so far \(of 5 planned\) no pair of models differs significantly/);
  });

  it('the complete study has no status sentence', () => {
    expect(statusSentence(syntheticStudy(CLEAR_ORDER))).toBe('');
  });

  it('a summary in the older format is refused with the command that rewrites it (no retraining)', () => {
    const file = path.join(tmp, 'old', 'summary.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ ...syntheticStudy(CLEAR_ORDER), format: 'fmnist-study-1', profile: 'faithful' }));
    expect(() => readStudySummary(file)).toThrow(/is in the older format fmnist-study-1 \(this code reads fmnist-study-2\); rewrite it from the saved runs with `node bin\/fmnist\.js study --profile faithful`/);
    fs.writeFileSync(file, JSON.stringify({ format: 'something-else' }));
    expect(() => readStudySummary(file)).toThrow(/is not a seed-study summary \(format "something-else"\)/);
  });
});

