/**
 * The results table at the top of README.md, generated from results/ (the same numbers as the article,
 * via report/variables.ts), between two marker comments. The main job rewrites it after _variables.yml;
 * test/readme.test.ts fails when the committed README is not what the committed results give.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_NAMES } from '../models/architectures';
import { writeFileAtomic } from '../util/atomic';
import { projectRoot } from '../util/paths';
import { modelEntries, paperReportedVariables } from './variables';

export const RESULTS_START = '<!-- results:start — generated from results/ by the main job (src/report/readme.ts); do not edit -->';
export const RESULTS_END = '<!-- results:end -->';

export function readmePath(): string {
  return path.join(projectRoot(), 'README.md');
}

/** The Markdown between the markers: one row per model, then the paper's own figures. Reads only results/<protocol>/<model>/. */
export function readmeResultsBlock(resultsRoot?: string): string {
  const entries = modelEntries(resultsRoot);
  const paper = paperReportedVariables();
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
      `The paper reports about ${paper.approx_accuracy}% accuracy for every model, an F1 of ${paper.cnn3_f1} for CNN 3 and, for CNN 2, ` +
      `${paper.cnn2_train_accuracy}% training against ${paper.cnn2_test_accuracy}% test accuracy.`,
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `block`. Throws when the markers are missing. */
export function withResultsBlock(readme: string, block: string): string {
  const start = readme.indexOf(RESULTS_START);
  const end = readme.indexOf(RESULTS_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no results block: put the lines\n${RESULTS_START}\n${RESULTS_END}\nwhere the table belongs`);
  }
  return readme.slice(0, start + RESULTS_START.length) + '\n' + block + '\n' + readme.slice(end);
}

/** Rewrites README.md's results block from results/ (atomically, only when it changed). Returns whether it changed. */
export async function updateReadmeResults(file = readmePath(), resultsRoot?: string): Promise<boolean> {
  const before = fs.readFileSync(file, 'utf8');
  const after = withResultsBlock(before, readmeResultsBlock(resultsRoot));
  if (after === before) return false;
  await writeFileAtomic(file, after);
  return true;
}
