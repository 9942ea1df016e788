import { MODEL_NAMES } from '../models/architectures';
import { architectureTableText, COMPARISON_FIGURE_TEXT, keyMetricsTableText, MODEL_FIGURE_KINDS, modelFigureText } from './model-figure-text';
import { STUDY_FIGURE_TEXT } from './study-figures';
import { CLAIMS_TABLE_TEXT } from './claims-figures';
import { ABLATION_TABLE_TEXT } from './ablation-figures';

/**
 * Every static caption and alt text, by cell label. Quarto reads captions from the notebook cells'
 * metadata, so they exist twice by necessity: the builders are the source, and
 * `node scripts/sync-captions.js` copies them into the notebooks (tests fail when the two differ).
 * Notebooks 01 and 02 build captions that quote their data, so they are not here.
 */
export function staticFigureTexts(): Record<string, { caption: string; alt?: string }> {
  const out: Record<string, { caption: string; alt?: string }> = {};
  const add = (t: { id: string; caption: string; alt?: string }) => (out[t.id] = { caption: t.caption, ...(t.alt !== undefined ? { alt: t.alt } : {}) });
  for (const model of MODEL_NAMES) {
    for (const kind of MODEL_FIGURE_KINDS) add(modelFigureText(model, kind));
    add(keyMetricsTableText(model));
    add(architectureTableText(model));
  }
  for (const t of Object.values(COMPARISON_FIGURE_TEXT)) add(t);
  for (const t of Object.values(STUDY_FIGURE_TEXT)) add(t);
  add(CLAIMS_TABLE_TEXT);
  add(ABLATION_TABLE_TEXT);
  return out;
}
