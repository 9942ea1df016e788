/**
 * The results table at the top of README.md, generated from results/ (the same numbers as the article,
 * via report/variables.ts), between two marker comments. The main job rewrites it after _variables.yml;
 * test/readme.test.ts fails when the committed README is not what the committed results give.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_NAMES, MODEL_TITLES } from '../models/registry';
import { writeFileAtomic } from '../util/atomic';
import { projectRoot } from '../util/paths';
import { describeMachine, modelEntries, paperReportedFor, paperReportedVariables } from './variables';
import { pipelineTimingsPath, formatDuration, type PipelineTimings } from '../pipeline/timings';
import { toGiB } from '../pipeline/memory';

export const RESULTS_START = '<!-- results:start — generated from results/ by the main job (src/report/readme.ts); do not edit -->';
export const RESULTS_END = '<!-- results:end -->';
export const TIMINGS_START = '<!-- timings:start — generated from results/pipeline-timings.json by the main job (src/report/readme.ts); do not edit -->';
export const TIMINGS_END = '<!-- timings:end -->';

export function readmePath(): string {
  return path.join(projectRoot(), 'README.md');
}

/** The Markdown between the markers: one row per model, then the paper's own figures. Reads only results/<protocol>/<model>/. */
export function readmeResultsBlock(resultsRoot?: string): string {
  const entries = modelEntries(resultsRoot);
  const paper = paperReportedVariables();
  // The paper's own per-model figures (src/cited/paper.ts): an F1 for CNN 3, both accuracies for CNN 2.
  const [cnn3, cnn2] = [paperReportedFor('cnn3'), paperReportedFor('cnn2')];
  if (!cnn3?.f1 || !cnn2?.train_accuracy || !cnn2.test_accuracy) throw new Error('src/cited/paper.ts lacks the F1 of CNN 3 or the accuracies of CNN 2 the README quotes');
  const rows = MODEL_NAMES.map((m) => {
    const v = entries[m];
    return `| ${v.name} | ${v.params} | ${v.paper.test_accuracy}% | ${v.paper.test_macro_f1} | ${v.paper.train_accuracy}% | ${v.paper.gap} | ${v.official.test_accuracy}% | ${v.paper.train_minutes} min |`;
  });
  return [
    '| Model | Parameters | Test accuracy | Macro F1 | Training accuracy | Train − test gap (points) | Test accuracy, official split | Training time |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    `Test set of the paper's 60:20:20 split (seed 42) unless marked; the official split is the dataset's own 10,000 test images. ` +
      `Training time: the paper-split run's training epochs on the ${[...new Set(MODEL_NAMES.map((m) => entries[m].paper.backend))].join(', ')} backend, as its run.json records. ` +
      `The paper reports about ${paper.approx_accuracy}% accuracy for every model, an F1 of ${cnn3.f1} for ${MODEL_TITLES.cnn3} and, for ${MODEL_TITLES.cnn2}, ` +
      `${cnn2.train_accuracy}% training against ${cnn2.test_accuracy}% test accuracy.`,
  ].join('\n');
}

/**
 * The last full main job's stages, as results/pipeline-timings.json records them, in one sentence:
 * the README quotes the file instead of numbers typed once and left behind.
 */
export function readmeTimingsBlock(file = pipelineTimingsPath('paper')): string {
  if (!fs.existsSync(file)) return 'No full main job has recorded its timings yet (`results/pipeline-timings.json` is missing).';
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as PipelineTimings;
  const stage = (name: string) => t.stages.find((x) => x.stage === name)?.seconds;
  const parts = [
    ['executed the notebooks', stage('notebooks')],
    ["generated the report's numbers", stage('report variables')],
    ['rendered the report', stage('quarto render')],
  ].filter((p): p is [string, number] => typeof p[1] === 'number').map(([what, s]) => `${what} in ${formatDuration(s)}`);
  const machine = describeMachine(t.machine);
  const memory = t.peakMemory?.pssBytes !== undefined ? `, with a peak memory of ${toGiB(t.peakMemory.pssBytes)} GiB summed PSS` : '';
  return (
    `The last full main job (${t.finishedAt.slice(0, 10)}, ${Object.keys(t.notebooks).length} notebook runs, ${t.concurrency} at a time, on ${machine}) ` +
    `${parts.join(', ')}: ${formatDuration(t.totalSeconds)} in all${memory}, as \`results/pipeline-timings.json\` records.`
  );
}

/** `readme` with the text between `startMarker` and `endMarker` replaced by `block`. Throws when the markers are missing. */
function withBlock(readme: string, block: string, startMarker: string, endMarker: string, what: string): string {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${what} block: put the lines\n${startMarker}\n${endMarker}\nwhere it belongs`);
  }
  return readme.slice(0, start + startMarker.length) + '\n' + block + '\n' + readme.slice(end);
}

/** `readme` with the text between the results markers replaced by `block`. Throws when the markers are missing. */
export function withResultsBlock(readme: string, block: string): string {
  return withBlock(readme, block, RESULTS_START, RESULTS_END, 'results');
}

/** `readme` with the text between the timings markers replaced by `block`. */
export function withTimingsBlock(readme: string, block: string): string {
  return withBlock(readme, block, TIMINGS_START, TIMINGS_END, 'timings');
}

/** Rewrites README.md's results block from results/ (atomically, only when it changed). Returns whether it changed. */
export async function updateReadmeResults(file = readmePath(), resultsRoot?: string): Promise<boolean> {
  const before = fs.readFileSync(file, 'utf8');
  const after = withTimingsBlock(withResultsBlock(before, readmeResultsBlock(resultsRoot)), readmeTimingsBlock());
  if (after === before) return false;
  await writeFileAtomic(file, after);
  return true;
}
