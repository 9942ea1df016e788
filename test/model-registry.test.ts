// Every model of the registry must be complete outside the code too: its notebook, its place in the
// Quarto project (the paper split's notebook and the official split's executed copy), its architecture
// in the article, and a colour no other model has. Adding a model without them fails here, naming it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { MODEL_NAMES, MODEL_REGISTRY, modelNotebook, modelSpec } from '../src/models/registry';
import { figureId } from '../src/figures/model-figure-text';
import { NOTEBOOK_NAMES } from '../src/pipeline/plan';

const root = path.join(__dirname, '..');
const quarto = YAML.parse(fs.readFileSync(path.join(root, '_quarto.yml'), 'utf8')) as { project: { render: string[] }; manuscript: { notebooks: Array<{ notebook: string }> } };
const article = fs.readFileSync(path.join(root, 'index.qmd'), 'utf8');

describe('the model registry', () => {
  it('is the one list of models: MODEL_NAMES are its keys, in its order', () => {
    expect(MODEL_NAMES).toEqual(Object.keys(MODEL_REGISTRY));
  });

  it.each(MODEL_NAMES)('%s has its notebook in notebooks/ and in the plan of the main job', (model) => {
    const nb = modelNotebook(model);
    expect(fs.existsSync(path.join(root, 'notebooks', `${nb}.ipynb`)), `notebooks/${nb}.ipynb is missing`).toBe(true);
    expect(NOTEBOOK_NAMES).toContain(nb);
  });

  it.each(MODEL_NAMES)('%s is rendered by Quarto: its notebook and the official split\'s executed copy are in _quarto.yml', (model) => {
    const nb = modelNotebook(model);
    const manuscript = quarto.manuscript.notebooks.map((n) => n.notebook);
    for (const file of [`notebooks/${nb}.ipynb`, `results/official/notebooks/${nb}.ipynb`]) {
      expect(quarto.project.render, `add ${file} to project.render in _quarto.yml`).toContain(file);
      expect(manuscript, `add ${file} (with its title and preview url) to manuscript.notebooks in _quarto.yml`).toContain(file);
    }
  });

  it.each(MODEL_NAMES)('%s has its architecture embedded in the article', (model) => {
    const embed = `{{< embed notebooks/${modelNotebook(model)}.ipynb#${figureId(model, 'architecture', 'tbl')} >}}`;
    expect(article, `index.qmd lacks ${embed}`).toContain(embed);
  });

  it('gives each model its own colour, title and notebook', () => {
    for (const fact of ['colour', 'title', 'notebook'] as const) {
      const values = MODEL_NAMES.map((m) => modelSpec(m)[fact].toLowerCase());
      expect(new Set(values).size, `two models share a ${fact}: ${values.join(', ')}`).toBe(values.length);
    }
    for (const m of MODEL_NAMES) expect(modelSpec(m).colour).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('has exactly one dense model, the baseline the generated sentences compare the convolutional ones with', () => {
    expect(MODEL_NAMES.filter((m) => modelSpec(m).family === 'dense')).toHaveLength(1);
  });
});
