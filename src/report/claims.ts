import { MODEL_NAMES, modelsOfFamily, type ModelName } from '../models/registry';
import { numberWord } from '../util/words';
import { loadResults, num, REPORT_PROTOCOLS, type LoadedResults } from './saved-results';
import type { RuntimeIdentity } from '../results/runtime';

/**
 * The article's qualitative statements about the results ("every CNN beats the ANN", "shirts are
 * the hardest class"), each with a test against the saved results. Numbers come from _variables.yml;
 * these are the words around them. If a rerun changes the picture, the check names the sentence to
 * revise instead of letting the text silently contradict its own figures.
 */
export interface Claim {
  id: string;
  /** The statement as the article makes it (where: the section). */
  statement: string;
  where: string;
  /** Returns undefined when the claim holds, else what the results show instead. */
  check: (r: LoadedResults) => string | undefined;
}

export interface ClaimResult {
  id: string;
  statement: string;
  where: string;
  holds: boolean;
  detail?: string;
}

// Class indices in the dataset's order: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat,
// 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.
const UPPER_BODY = [0, 2, 4, 6];
const DISTINCT_SHAPES = [1, 5, 7, 8, 9];
const SHIRT = 6;

const testAccuracy = (r: LoadedResults, p: keyof LoadedResults, m: ModelName) => num(r[p][m].metrics, ['test.accuracy'], r[p][m].files[0]);
const gap = (r: LoadedResults, p: keyof LoadedResults, m: ModelName) => num(r[p][m].metrics, ['train.accuracy'], r[p][m].files[0]) - testAccuracy(r, p, m);
const f1s = (r: LoadedResults, p: keyof LoadedResults, m: ModelName): number[] => {
  const perClass = (r[p][m].metrics as { test?: { perClass?: Array<{ f1: number }> } }).test?.perClass;
  if (!Array.isArray(perClass) || perClass.length !== 10) throw new Error(`${r[p][m].files[0]}: test.perClass must list 10 classes`);
  return perClass.map((c) => c.f1);
};
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export const ARTICLE_CLAIMS: readonly Claim[] = [
  // Which model is more accurate than which is decided by the seed study, not by one run: those
  // sentences are generated and checked in src/report/study-claims.ts.
  {
    id: 'cnn3-smallest-cnn-gap',
    statement: `CNN 3's train–test gap is the smallest of the ${numberWord(modelsOfFamily('convolutional').length)} CNNs (paper protocol)`,
    where: 'abstract, learning curves, discussion (overfitting gap), conclusion',
    check: (r) => {
      const bad = modelsOfFamily('convolutional').filter((m) => m !== 'cnn3' && gap(r, 'paper', m) <= gap(r, 'paper', 'cnn3'));
      return bad.length ? `gap of ${bad.join(', ')} ≤ gap of cnn3 (${pct(gap(r, 'paper', 'cnn3'))})` : undefined;
    },
  },
  {
    id: 'single-conv-overfit',
    statement: 'CNN 1 and CNN 2 have the two widest train–test gaps (paper protocol): they overfit visibly, the ANN does not',
    where: 'abstract, learning curves, discussion (overfitting gap)',
    check: (r) => {
      const order = [...MODEL_NAMES].sort((a, b) => gap(r, 'paper', b) - gap(r, 'paper', a));
      const top = order.slice(0, 2).sort().join(',');
      return top === 'cnn1,cnn2' ? undefined : `the widest gaps belong to ${order.slice(0, 2).join(' and ')} (${order.map((m) => `${m} ${pct(gap(r, 'paper', m))}`).join(', ')})`;
    },
  },
  {
    id: 'shirt-hardest',
    statement: 'the shirt class has the lowest test F1 for every model (paper protocol)',
    where: 'results (per-class performance)',
    check: (r) => {
      const bad = MODEL_NAMES.filter((m) => {
        const f = f1s(r, 'paper', m);
        return Math.min(...f) !== f[SHIRT];
      });
      return bad.length ? `not the lowest for ${bad.join(', ')}` : undefined;
    },
  },
  {
    id: 'distinct-shapes-easier',
    statement: 'trousers, sandals, sneakers, bags and ankle boots all score a higher F1 than any upper-body garment (T-shirt, pullover, coat, shirt), for every model (paper protocol)',
    where: 'results (per-class performance), PCA',
    check: (r) => {
      const bad = MODEL_NAMES.filter((m) => {
        const f = f1s(r, 'paper', m);
        return Math.min(...DISTINCT_SHAPES.map((k) => f[k])) <= Math.max(...UPPER_BODY.map((k) => f[k]));
      });
      return bad.length ? `does not hold for ${bad.join(', ')}` : undefined;
    },
  },
  {
    id: 'cnn3-errors-upper-body',
    statement: "CNN 3's three most frequent confusions are all between upper-body garments or dresses (paper protocol)",
    where: 'results (per-class performance)',
    check: (r) => {
      const confusion = (r.paper.cnn3.metrics as { test?: { confusion?: number[][] } }).test?.confusion;
      if (!Array.isArray(confusion)) return `${r.paper.cnn3.files[0]} has no test.confusion`;
      const cells = confusion.flatMap((row, t) => row.map((n, p) => ({ t, p, n }))).filter((c) => c.t !== c.p);
      const top = cells.sort((a, b) => b.n - a.n).slice(0, 3);
      const group = [...UPPER_BODY, 3];
      const bad = top.filter((c) => !group.includes(c.t) || !group.includes(c.p));
      return bad.length ? `top confusions include ${bad.map((c) => `${c.t}→${c.p} (${c.n})`).join(', ')}` : undefined;
    },
  },
];

/** Checks every claim against the results (default: the paper profile's results/). */
export function checkArticleClaims(resultsRoot?: string, claims: readonly Claim[] = ARTICLE_CLAIMS, runtime?: RuntimeIdentity): ClaimResult[] {
  const results = loadResults(resultsRoot, runtime);
  return claims.map((c) => {
    const detail = c.check(results);
    return { id: c.id, statement: c.statement, where: c.where, holds: detail === undefined, ...(detail ? { detail } : {}) };
  });
}

/** A message for each failed claim: what the article says, where, and what the results show. */
export function describeFailedClaims(results: ClaimResult[]): string[] {
  return results
    .filter((c) => !c.holds)
    .map((c) => `index.qmd (${c.where}) says ${c.statement}, but the results show: ${c.detail}. Revise the text.`);
}
