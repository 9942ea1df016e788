/**
 * `interpretability.*` in _variables.yml: the article's sentences about notebook 08, generated from
 * results/interpretability/paper.json (what the notebook measured). Every number and every verdict
 * in them comes from that file; a summary made from other trained models than the committed ones is
 * refused, naming the fix.
 */
import { MODEL_TITLES } from '../models/registry';
import { displayPath, resultsDir } from '../util/paths';
import { interpretabilitySummaryPath, readInterpretabilitySummary, type InterpretabilitySummary, type ProjectionSeparation } from '../interpretability/summary';
import type { LoadedResults } from './saved-results';

const METHOD_PROSE: Record<string, string> = { gradient: 'gradient saliency', gradCam: 'Grad-CAM', occlusion: 'occlusion sensitivity', gradientTimesInput: 'gradient × input' };
const UPPER_BODY = [0, 2, 4, 6];
/** Class names inside a sentence. */
const CLASS_PLURAL = ['T-shirts/tops', 'trousers', 'pullovers', 'dresses', 'coats', 'sandals', 'shirts', 'sneakers', 'bags', 'ankle boots'];
const SHIRT = 6;

/** "a", "a and b", "a, b and c". */
export function listPhrase(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const fixed2 = (v: number) => v.toFixed(2);

function view(s: InterpretabilitySummary, representation: ProjectionSeparation['representation'], method: ProjectionSeparation['method']): ProjectionSeparation {
  const v = s.separation.find((x) => x.representation === representation && x.method === method);
  if (!v) throw new Error(`the interpretability summary has no ${method} of ${representation}; re-execute notebook 08`);
  return v;
}

/** A pass this close to the threshold is called narrow in the text (fixed with the threshold, before any result was read). */
export const NARROW_MARGIN = 0.1;

/** Which methods passed the randomisation check, with their correlations, which passed narrowly, and which failed. */
export function sanitySentence(s: InterpretabilitySummary): string {
  const entries = Object.entries(s.sanity.verdicts);
  const phrase = (list: typeof entries) => listPhrase(list.map(([m]) => METHOD_PROSE[m] ?? m));
  const values = (list: typeof entries) => listPhrase(list.map(([, v]) => v.final.toFixed(2)));
  const passed = entries.filter(([, v]) => v.passed);
  const failed = entries.filter(([, v]) => !v.passed);
  const head = `With every layer of ${MODEL_TITLES.cnn3} randomised, from the output layer down to the first convolution (${s.sanity.images} test images), `;
  const pass = passed.length
    ? `the maps of ${phrase(passed)} keep a mean rank correlation of ${values(passed)} with the trained model's maps, below the ${s.sanity.threshold} fixed in advance: ${passed.length === 1 ? 'it passes' : 'they pass'} the check.`
    : `no method's maps fall below the rank correlation of ${s.sanity.threshold} fixed in advance.`;
  const narrow = passed.filter(([, v]) => v.final >= s.sanity.threshold - NARROW_MARGIN);
  const close = narrow.length ? ` ${capitalise(phrase(narrow))} ${narrow.length === 1 ? 'passes' : 'pass'} only narrowly, within ${NARROW_MARGIN} of the threshold.` : '';
  const fail = failed.length
    ? ` ${capitalise(phrase(failed))} ${failed.length === 1 ? 'keeps' : 'keep'} ${values(failed)} and ${failed.length === 1 ? 'fails' : 'fail'}: ${failed.length === 1 ? 'its maps survive' : 'their maps survive'} the destruction of the model, so they show the image more than what the model learned.`
    : ' No method failed the check.';
  return head + pass + close + fail;
}

const capitalise = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/** k-NN accuracy and silhouette of the raw pixels against the two models' features, under PCA and UMAP. */
export function separationSentence(s: InterpretabilitySummary): string {
  const at = (r: ProjectionSeparation['representation'], m: ProjectionSeparation['method']) => view(s, r, m);
  const both = (m: ProjectionSeparation['method']) => `${pct(at('pixels', m).knnAccuracy)} for the raw pixels, ${pct(at('ann', m).knnAccuracy)} for the ANN's features and ${pct(at('cnn3', m).knnAccuracy)} for ${MODEL_TITLES.cnn3}'s`;
  const gain = (m: ProjectionSeparation['method']) => 100 * (at('cnn3', m).knnAccuracy - at('pixels', m).knnAccuracy);
  const verdict = (['pca', 'umap'] as const).every((m) => gain(m) > 0)
    ? `${MODEL_TITLES.cnn3}'s features separate the classes better than the pixels in both projections, by ${gain('pca').toFixed(1)} points with PCA and ${gain('umap').toFixed(1)} with UMAP`
    : `${MODEL_TITLES.cnn3}'s features do not separate the classes better than the pixels in both projections (differences of ${gain('pca').toFixed(1)} points with PCA and ${gain('umap').toFixed(1)} with UMAP)`;
  const title = (m: ProjectionSeparation['method']) => (m === 'pca' ? 'PCA' : 'UMAP');
  const methods = ['pca', 'umap'] as const;
  const beats = methods.filter((m) => at('cnn3', m).knnAccuracy > at('ann', m).knnAccuracy);
  const versusAnn =
    beats.length === methods.length
      ? `They also separate them better than the ANN's in both.`
      : beats.length === 0
        ? `The ANN's features separate them better than ${MODEL_TITLES.cnn3}'s in both.`
        : `They separate them better than the ANN's with ${title(beats[0])} but not with ${title(methods.find((m) => !beats.includes(m))!)}.`;
  const silhouettes = (r: ProjectionSeparation['representation']) => `${fixed2(at(r, 'pca').silhouette)} and ${fixed2(at(r, 'umap').silhouette)}`;
  return (
    `On a stratified sample of ${s.sample.count.toLocaleString('en-US')} test images (${s.sample.perClass.toLocaleString('en-US')} per class), an image's ${at('pixels', 'pca').k} nearest neighbours in the PCA plane vote for its own class for ${both('pca')}; ` +
    `in the UMAP plane for ${both('umap')}. The mean silhouettes (PCA and UMAP) are ${silhouettes('pixels')} for the pixels, ${silhouettes('ann')} for the ANN's features and ${silhouettes('cnn3')} for ${MODEL_TITLES.cnn3}'s. ${verdict}. ${versusAnn}`
  );
}

/**
 * Which classes stay tangled in CNN 3's best-separating projection: those whose neighbours most often vote
 * for another class, and where the shirts' neighbours vote. The silhouette's lowest classes are named too;
 * one whose neighbours still vote for it (recall ≥ WELL_RECALLED) is split by the projection, not mixed.
 */
export const WELL_RECALLED = 0.9;

export function tangledSentence(s: InterpretabilitySummary): string {
  const cnn = s.separation.filter((v) => v.representation === 'cnn3').sort((a, b) => b.knnAccuracy - a.knnAccuracy)[0];
  if (!cnn) throw new Error('the interpretability summary has no projection of CNN 3');
  const lowest = (values: number[], n: number) => values.map((v, c) => [v, c] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, n);
  const mixed = lowest(cnn.knnRecall, UPPER_BODY.length);
  const allUpper = mixed.every(([, c]) => UPPER_BODY.includes(c));
  const row = cnn.knnConfusion[SHIRT];
  const total = row.reduce((a, b) => a + b, 0);
  const toUpper = UPPER_BODY.filter((c) => c !== SHIRT).reduce((a, c) => a + row[c], 0);
  const method = cnn.method === 'pca' ? 'PCA' : 'UMAP';
  const bySilhouette = lowest(cnn.silhouetteByClass, 3);
  const split = bySilhouette.filter(([, c]) => cnn.knnRecall[c] >= WELL_RECALLED);
  const splitText = split.length
    ? `; of these, ${listPhrase(split.map(([, c]) => `${CLASS_PLURAL[c]} (${pct(cnn.knnRecall[c])} voted right)`))} keep${split.length === 1 ? 's' : ''} neighbours of ${split.length === 1 ? 'its' : 'their'} own class, so the projection splits ${split.length === 1 ? 'it into separate groups' : 'them into separate groups'} rather than mixing ${split.length === 1 ? 'it' : 'them'} with others`
    : '';
  return (
    `In the projection where ${MODEL_TITLES.cnn3}'s features separate best (${method}), the neighbours vote most often for another class for ${listPhrase(mixed.map(([v, c]) => `${CLASS_PLURAL[c]} (${pct(v)} voted right)`))}` +
    `${allUpper ? `, the ${UPPER_BODY.length === 4 ? 'four' : String(UPPER_BODY.length)} upper-body garments` : ''}; the shirts' neighbours vote for a T-shirt/top, pullover or coat for ${pct(total ? toUpper / total : 0)} of them. ` +
    `The lowest silhouettes there are those of ${listPhrase(bySilhouette.map(([v, c]) => `${CLASS_PLURAL[c]} (${fixed2(v)})`))}${splitText}.`
  );
}

/** How often CNN 3 takes one garment of the hardest pair for the other. */
export function pairSentence(s: InterpretabilitySummary): string {
  const [a, b] = s.pair.classes;
  return `Of the ${s.testImages.toLocaleString('en-US')} test images, ${MODEL_TITLES.cnn3} takes ${s.pair.firstAsSecond} ${CLASS_PLURAL[a]} for ${CLASS_PLURAL[b]} and ${s.pair.secondAsFirst} ${CLASS_PLURAL[b]} for ${CLASS_PLURAL[a]}.`;
}

export function interpretabilitySentences(s: InterpretabilitySummary): Record<'sanity' | 'separation' | 'tangled' | 'pair', string> {
  return { sanity: sanitySentence(s), separation: separationSentence(s), tangled: tangledSentence(s), pair: pairSentence(s) };
}

export const NOT_YET_RUN =
  'Notebook 08 has not been executed for this version of the article (`node bin/fmnist.js main --only 08` runs it), so it gives no result here.';

/**
 * The variables, from results/interpretability/paper.json under `resultsRoot`; when the notebook has not
 * run, every sentence says so. Throws when the summary explains other runs than the committed CNN 3 and ANN.
 */
export function interpretabilityVariables(resultsRoot: string = resultsDir(), results?: LoadedResults): Record<string, string> {
  const file = interpretabilitySummaryPath('paper', 'paper', resultsRoot);
  const s = readInterpretabilitySummary(file);
  if (!s) return { sanity: NOT_YET_RUN, separation: NOT_YET_RUN, tangled: NOT_YET_RUN, pair: NOT_YET_RUN, failed_methods: 'not yet measured' };
  for (const model of ['cnn3', 'ann'] as const) {
    const current = results?.paper[model].run.cacheKey;
    if (current !== undefined && s.models[model]?.cacheKey !== current) {
      throw new Error(`${displayPath(file)} explains another ${MODEL_TITLES[model]} than the saved results/paper/${model} (its cache key differs): re-execute notebook 08 with \`node bin/fmnist.js main --only 08\``);
    }
  }
  const failed = Object.entries(s.sanity.verdicts).filter(([, v]) => !v.passed).map(([m]) => METHOD_PROSE[m] ?? m);
  return { ...interpretabilitySentences(s), failed_methods: failed.length ? listPhrase(failed) : 'none' };
}
