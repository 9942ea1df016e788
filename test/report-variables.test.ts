import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReportVariables, extremes, modelList, variableKeys, writeReportVariables, type ModelVariables } from '../src/report/variables';
import type { ModelName } from '../src/models/registry';
import { DISK_TEST, rewriteArtifact, writeSyntheticResults, writeSyntheticStudy } from './report-fixtures';
import { committedRuntime } from '../src/results/runtime';
import { studyVariables } from '../src/report/study-variables';
import { CLEAR_ORDER } from './study-fixtures';
import { MODEL_NAMES } from '../src/models/registry';
import { pairCount } from '../src/util/words';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-vars-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('report variables (_variables.yml) from results', () => {
  it('formats every number from the results files and the model summaries', () => {
    const root = path.join(tmp, 'ok');
    writeSyntheticResults(root);
    const v = buildReportVariables(root) as Record<string, any>;
    expect(v.cnn3.paper.test_accuracy).toBe('91.00');
    expect(v.cnn3.official.test_accuracy).toBe('91.10');
    expect(v.ann.paper.test_macro_f1).toBe('0.878');
    expect(v.ann.paper.gap).toBe('5.0'); // train 0.93 − test 0.88
    expect(v.cnn3.paper.gap).toBe('2.0');
    expect(v.cnn2.paper.best_epoch).toBe('2');
    expect(v.cnn2.paper.best_val_accuracy).toBe('90.20');
    expect(v.cnn1.paper.train_minutes).toBe('11.0');
    // CNN 1 by hand: conv 4·4·1·32+32 = 544; 25×25×32 → pool 12×12×32 = 4608 → dense 4608·128+128 = 589,952; out 128·10+10 = 1,290.
    expect(v.cnn1.params).toBe('591,786');
    // ANN by hand: 784·64+64 = 50,240; 64·128+128 = 8,320; 128·10+10 = 1,290.
    expect(v.ann.params).toBe('59,850');
    expect(v.best_paper.model).toBe('CNN 3');
    expect(v.worst_paper.model).toBe('ANN');
    expect(v.widest_gap_paper.model).toBe('ANN');
    // One schema per model: what the paper reports for it and our difference, only where it reports something.
    expect(v.cnn2.paper_reported).toEqual({ test_accuracy: '90.6', train_accuracy: '97.4', gap: '6.8' });
    expect(v.cnn3.paper_reported).toEqual({ f1: '0.903' });
    // Ours beside them come from the faithful condition's seeds, which these results do not have.
    expect(v.cnn3.vs_paper).toEqual({ f1_faithful: 'not run', f1_difference: '' });
    expect(Object.keys(v.cnn2.vs_paper).sort()).toEqual(['gap_difference', 'gap_faithful', 'test_accuracy_difference', 'test_accuracy_faithful', 'train_accuracy_difference', 'train_accuracy_faithful']);
    expect(v.ann.vs_paper).toBeUndefined();
    expect(v.ann.paper_reported).toBeUndefined();
    expect(v.paper_reported).toEqual({ approx_accuracy: '90' });
    // Like with like: the improved runs are trained with flips, so only the 2 augmented results count, and 0.911 beats neither.
    expect(v.benchmarks.like_with_like).toBe('2');
    expect(v.benchmarks.below_best_official).toBe('0');
    expect(v.benchmarks.non_augmented).toBe('7');
    expect(v.pipeline.notebooks_minutes).toBe('25.0');
    expect(v.pipeline.peak_memory_gib).toBe('1.50');
    expect(v.pipeline.peak_rss_sum_gib).toBe('2.00');
    expect(v.pipeline.machine).toBe('a machine with 2 CPU cores and 24 GiB of memory');
    // How the models were trained comes from their own run.json files, not from the main job's record:
    // 8 runs of 600, 660, 720, 780 s per protocol = 2 × 2760 s = 92.0 min.
    expect(v.training).toMatchObject({ runs: '8', total_minutes: '92.0', finished: 'between 2025-01-01 and 2025-01-02', machine: 'a machine with 4 CPU cores and 16 GiB of memory' });
    expect(v.pipeline.training_note).toBe('2 of the 8 models were trained in this run and the other 6 loaded from the cache of an earlier run');
  });

  it('fails naming every missing results file and how to make it', () => {
    const root = path.join(tmp, 'missing');
    writeSyntheticResults(root, { skip: 'official/cnn2' });
    expect(() => buildReportVariables(root)).toThrow(/official\/cnn2\/run\.json[\s\S]*npm run main/);
  });

  it('fails naming the file and the field when a metric is absent', () => {
    const root = path.join(tmp, 'field');
    writeSyntheticResults(root);
    rewriteArtifact(path.join(root, 'paper', 'cnn1', 'metrics.json'), JSON.stringify({ train: { accuracy: 0.9 }, test: { accuracy: 0.9 } }));
    expect(() => buildReportVariables(root)).toThrow(/paper\/cnn1\/metrics\.json: missing numeric field test\.macroF1/);
  });

  it('carries the seed study: means over seeds and the generated ranking sentences', () => {
    const root = path.join(tmp, 'study');
    writeSyntheticResults(root);
    const v = buildReportVariables(root) as Record<string, any>;
    expect(v.study.n_seeds).toBe('5');
    // Seed 42 is the committed run (91.10%), seeds 1–4 CLEAR_ORDER's: (91.10 + 91.98 + 92.31 + 92.07 + 92.24) / 5.
    expect(v.study.cnn3.official.mean).toBe('91.94');
    expect(v.study.abstract).toMatch(/^Over 5 training seeds per model, every convolutional model is more accurate than the fully connected baseline on both protocols/);
  });

  it('fails when the seed study is missing, saying how to run it', () => {
    const root = path.join(tmp, 'nostudy');
    writeSyntheticResults(root, { noStudy: true });
    expect(() => buildReportVariables(root)).toThrow(/study\/summary\.json is missing: run the seed study \(`node bin\/fmnist\.js study`/);
  });

  it('refuses a results file edited after its run, naming it and the fix (issue 15.3)', () => {
    const root = path.join(tmp, 'edited');
    writeSyntheticResults(root);
    const file = path.join(root, 'paper', 'cnn3', 'metrics.json');
    const metrics = JSON.parse(fs.readFileSync(file, 'utf8'));
    metrics.test.accuracy = 0.9876;
    fs.writeFileSync(file, JSON.stringify(metrics));
    expect(() => buildReportVariables(root)).toThrow(/paper\/cnn3\/metrics\.json (has \d+ bytes but run\.json records|does not match the SHA-256)[\s\S]*Fix: retrain it with `fmnist train cnn3 --protocol paper --profile paper --force`/);
    // Same length, other content: caught by the hash, not the size.
    writeSyntheticResults(root);
    const original = fs.readFileSync(file, 'utf8');
    const text = original.replace(/("test":\{"accuracy":0\.)(\d)/, (_m, head: string, d: string) => `${head}${(Number(d) + 1) % 10}`);
    expect(text).not.toBe(original);
    expect(text.length).toBe(original.length);
    fs.writeFileSync(file, text);
    expect(() => buildReportVariables(root)).toThrow(/paper\/cnn3\/metrics\.json does not match the SHA-256 recorded in run\.json/);
  });

  it('refuses a run copied into another run\'s folder', () => {
    const root = path.join(tmp, 'moved');
    writeSyntheticResults(root);
    // The official-protocol cnn1 run, copied over the paper-protocol one: every hash matches, the identity does not.
    for (const f of fs.readdirSync(path.join(root, 'official', 'cnn1'))) fs.copyFileSync(path.join(root, 'official', 'cnn1', f), path.join(root, 'paper', 'cnn1', f));
    expect(() => buildReportVariables(root)).toThrow(/paper\/cnn1\/run\.json records a run that belongs in .*official\/cnn1/);
  });

  it('reads only the folders of the runtime it is asked for (the committed one by default)', () => {
    const root = path.join(tmp, 'runtime');
    writeSyntheticResults(root);
    expect(() => buildReportVariables(root, { backend: 'wasm', tfjsVersion: committedRuntime().tfjsVersion, data: 'full' })).toThrow(/paper-wasm\/paper\/ann\/run\.json/);
  });

  it('fails when the pipeline timings are missing', () => {
    const root = path.join(tmp, 'timings');
    writeSyntheticResults(root);
    fs.rmSync(path.join(root, 'pipeline-timings.json'));
    expect(() => buildReportVariables(root)).toThrow(/pipeline-timings\.json is missing/);
  });

  it('names every model tied at the printed precision, not the first of them (a fifth model made ties likelier)', () => {
    const row = (test_accuracy: string, gap: string) => ({ test_accuracy, gap }) as ModelVariables;
    const t: Partial<Record<ModelName, ModelVariables>> = { ann: row('88.20', '1.7'), cnn1: row('91.37', '2.9'), cnn2: row('91.37', '2.6'), cnn3: row('90.92', '2.9') };
    expect(extremes(t, (v) => v.test_accuracy, 'highest')).toEqual(['cnn1', 'cnn2']);
    expect(extremes(t, (v) => v.test_accuracy, 'lowest')).toEqual(['ann']);
    expect(extremes(t, (v) => v.gap, 'highest')).toEqual(['cnn1', 'cnn3']);
    expect(modelList(['cnn1', 'cnn2'])).toBe('CNN 1 and CNN 2');
    expect(modelList(['ann', 'cnn1', 'cnn3'])).toBe('ANN, CNN 1 and CNN 3');
    expect(modelList(['cnn3'])).toBe('CNN 3');
  });

  it('writes YAML that parses back to the same keys', async () => {
    const root = path.join(tmp, 'yaml');
    writeSyntheticResults(root);
    const file = path.join(tmp, '_variables.yml');
    const vars = await writeReportVariables(file, root);
    const parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
    expect(variableKeys(parsed).sort()).toEqual(variableKeys(vars).sort());
    expect(variableKeys(parsed)).toContain('cnn3.paper.test_accuracy');
  });

  it('refuses a seed-study summary that does not match its runs, naming the file and `fmnist study` (issue 19)', () => {
    const root = path.join(tmp, 'study-edited');
    writeSyntheticResults(root);
    const file = path.join(root, 'study', 'summary.json');
    expect(studyVariables(root).n_seeds).toBe('5');
    const good = fs.readFileSync(file, 'utf8');
    const summary = JSON.parse(good);
    summary.runs['paper/cnn3'].testAccuracy.mean = 0.9999; // beside a maximum of 0.9231
    fs.writeFileSync(file, JSON.stringify(summary));
    expect(() => buildReportVariables(root)).toThrow(
      /study\/summary\.json does not match the runs it summarises: runs\["paper\/cnn3"\]\.testAccuracy\.mean is 0\.9999 in the file but 0\.91\d+ from the runs \(edited or damaged\?\)\. Fix: rebuild it from the saved runs with `node bin\/fmnist\.js study`/,
    );
    // A sentence edited, a comparison's verdict flipped, a field dropped: each caught.
    const edits: Array<(s: any) => void> = [
      (s) => (s.comparisons[4].significant = !s.comparisons[4].significant),
      (s) => delete s.gapComparisons,
      (s) => (s.runs['official/ann'].perSeed[2].testCorrect += 1),
      (s) => s.seeds.pop(),
    ];
    for (const edit of edits) {
      const copy = JSON.parse(good);
      edit(copy);
      fs.writeFileSync(file, JSON.stringify(copy));
      expect(() => studyVariables(root)).toThrow(/summary\.json (does not match the runs it summarises|cannot be checked against its runs)[\s\S]*Fix: rebuild it/);
    }
    fs.writeFileSync(file, good);
    expect(studyVariables(root).n_seeds).toBe('5');
  });

  it('refuses a summary whose runs changed after it was written (a run retrained or damaged)', () => {
    const root = path.join(tmp, 'study-stale');
    writeSyntheticResults(root);
    // A seed-3 run rewritten with one more test image right (its own hashes re-recorded: the run is valid, the summary stale).
    const dir = path.join(root, 'paper-seed3', 'paper', 'cnn1');
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    const pred = JSON.parse(fs.readFileSync(path.join(dir, 'predictions.json'), 'utf8'));
    const right = Math.round(metrics.test.accuracy * DISK_TEST);
    pred.predicted = pred.labels.slice(0, right + 1) + pred.predicted.slice(right + 1);
    metrics.test.accuracy = (right + 1) / DISK_TEST;
    rewriteArtifact(path.join(dir, 'predictions.json'), JSON.stringify(pred));
    rewriteArtifact(path.join(dir, 'metrics.json'), JSON.stringify(metrics));
    expect(() => studyVariables(root)).toThrow(/does not match the runs it summarises: runs\["paper\/cnn1"\]\.testAccuracy\.mean is [\d.]+ in the file but [\d.]+ from the runs/);
    // A damaged run is reported as the run's own damage, with its fix.
    fs.writeFileSync(path.join(dir, 'metrics.json'), '{}');
    expect(() => studyVariables(root)).toThrow(/paper-seed3\/paper\/cnn1\/metrics\.json has \d+ bytes but run\.json records/);
  });

  it('reads the per-run facts the claims need from the runs, and works the same for the faithful condition', () => {
    const root = path.join(tmp, 'study-faithful');
    writeSyntheticResults(root);
    // The faithful condition's study: its own run folders (faithful/, faithful-seed1/, …) and summary.
    const file = writeSyntheticStudy(root, { profile: 'faithful', withCommitted: true, acc: { ...CLEAR_ORDER, 'paper/cnn2': [0.906, 0.9051, 0.9072, 0.9049, 0.9066] } });
    expect(path.relative(root, file)).toBe(path.join('faithful', 'study', 'summary.json'));
    expect(fs.existsSync(path.join(root, 'faithful-seed1', 'paper', 'cnn2', 'run.json'))).toBe(true);
    const v = studyVariables(root, undefined, 'faithful') as Record<string, any>;
    expect(v.cnn2.paper.mean).toBe('90.60');
    const s = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(s).toMatchObject({ format: 'fmnist-study-2', profile: 'faithful', testCounts: { paper: DISK_TEST, official: DISK_TEST } });
    const r = s.runs['paper/cnn2'].perSeed[0];
    expect(r).toMatchObject({ seed: 42, testCorrect: 9060, testCount: DISK_TEST, epochs: 10, trainSeconds: 600, folder: 'faithful/paper/cnn2', cpuModel: null });
    expect(r.gap).toBeCloseTo(r.trainAccuracy - r.testAccuracy, 15);
    expect(r.trainAccuracy).toBe(r.trainCorrect / r.trainCount);
    expect(s.runs['paper/cnn2'].trainSeconds).toEqual({ median: 620, min: 600, max: 640 });
    expect(s.gapComparisons).toHaveLength(2 * pairCount(MODEL_NAMES.length));
    // An edit to the faithful summary names the faithful command.
    s.runs['paper/cnn2'].gap.mean = 0.068;
    fs.writeFileSync(file, JSON.stringify(s));
    expect(() => studyVariables(root, undefined, 'faithful')).toThrow(/faithful\/study\/summary\.json does not match[\s\S]*`node bin\/fmnist\.js study --profile faithful`/);
  });
});

