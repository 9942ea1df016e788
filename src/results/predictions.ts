import type { SplitProtocol } from '../data/types';
import { NUM_CLASSES } from '../data/types';

/**
 * predictions.json: what a run predicted for every test image, in the split's order (ascending
 * dataset index). Classes are single digits, so labels and predictions are stored as digit strings
 * (one character per image: 14 kB for the paper split instead of ~60 kB of JSON numbers). Two runs
 * of one protocol share the split (SPLIT_SEED), so their strings line up image by image: that
 * pairing is what McNemar's test needs. `testChecksum` is run.json's data.checksums.test.
 */
export interface PredictionsFile {
  format: 'fmnist-predictions-1';
  split: 'test';
  protocol: SplitProtocol;
  count: number;
  testChecksum: string;
  /** sha256 of the test images' dataset-wide indices (uint32 little-endian), to name the images without listing them. */
  indicesSha256: string;
  labels: string;
  predicted: string;
}

export function encodeClasses(classes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (!(Number.isInteger(c) && c >= 0 && c < NUM_CLASSES)) throw new Error(`class ${c} at position ${i} is not in 0..${NUM_CLASSES - 1}`);
    out += String(c);
  }
  return out;
}

export function decodeClasses(digits: string, what = 'predictions'): Uint8Array {
  const out = new Uint8Array(digits.length);
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i) - 48;
    if (!(c >= 0 && c < NUM_CLASSES)) throw new Error(`${what}: character ${JSON.stringify(digits[i])} at position ${i} is not a class digit 0..${NUM_CLASSES - 1}`);
    out[i] = c;
  }
  return out;
}

export function predictionsFile(opts: { protocol: SplitProtocol; testChecksum: string; indicesSha256: string; labels: ArrayLike<number>; predicted: ArrayLike<number> }): PredictionsFile {
  if (opts.labels.length !== opts.predicted.length) throw new Error(`labels and predictions differ in length (${opts.labels.length} vs ${opts.predicted.length})`);
  return {
    format: 'fmnist-predictions-1',
    split: 'test',
    protocol: opts.protocol,
    count: opts.labels.length,
    testChecksum: opts.testChecksum,
    indicesSha256: opts.indicesSha256,
    labels: encodeClasses(opts.labels),
    predicted: encodeClasses(opts.predicted),
  };
}

/** Checks a parsed predictions.json; `file` names it in the error. */
export function checkPredictions(p: PredictionsFile, file: string): { labels: Uint8Array; predicted: Uint8Array } {
  if (p?.format !== 'fmnist-predictions-1') throw new Error(`${file} is not a predictions file (format ${JSON.stringify(p?.format)}); retrain the run with --force`);
  const labels = decodeClasses(p.labels, `${file} labels`);
  const predicted = decodeClasses(p.predicted, `${file} predicted`);
  if (labels.length !== p.count || predicted.length !== p.count) throw new Error(`${file} says ${p.count} images but holds ${labels.length} labels and ${predicted.length} predictions; retrain the run with --force`);
  return { labels, predicted };
}
