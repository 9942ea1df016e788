import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { checkArticle, checkQuartoProject, findEmbeds, findVarKeys, readQuartoProject } from '../src/report/checks';
import { checkArticleClaims, describeFailedClaims } from '../src/report/claims';
import { buildReportVariables, variableKeys, variablesPath } from '../src/report/variables';
import { NOTEBOOK_NAMES } from '../src/pipeline/plan';
import { projectRoot } from '../src/util/paths';
import { writeSyntheticResults } from './report-fixtures';

/**
 * The project's own manuscript, checked without Quarto (issue 5 §4). The embed test reads the
 * committed notebooks: it fails, naming each figure, until they are executed with their outputs
 * (`npm run main`).
 */
const root = projectRoot();
const project = readQuartoProject(path.join(root, '_quarto.yml'));
const article = path.join(root, project.article ?? 'index.qmd');
const bibs = project.bibliography.map((b) => path.join(root, b));
const text = fs.readFileSync(article, 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-quarto-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('_quarto.yml', () => {
  it('is a manuscript with html and LaTeX pdf, execution off, and every notebook it names exists with a title', () => {
    expect(checkQuartoProject(project)).toEqual([]);
  });

  it('lists exactly the notebooks the main job executes, in order, then the official split\'s executed copies, and renders only those and the article', () => {
    // The official protocol runs the model and comparison notebooks (03 to 07) again (08 runs once, on the paper split); the benchmark comparison rests on them.
    const official = NOTEBOOK_NAMES.filter((n) => n >= '03' && n < '08').map((n) => `results/official/notebooks/${n}.ipynb`);
    const all = [...NOTEBOOK_NAMES.map((n) => `notebooks/${n}.ipynb`), ...official];
    expect(project.notebooks.map((n) => n.notebook)).toEqual(all);
    const render = ((project.raw.project as Record<string, unknown>).render as string[]) ?? [];
    expect(render).toEqual([project.article, ...all]);
    for (const f of official) expect(fs.existsSync(path.join(root, f)), `${f} is committed`).toBe(true);
  });
});

describe('index.qmd (checks that need no results)', () => {
  const embeds = findEmbeds(text);

  it('embeds figures from every notebook', () => {
    const embedded = new Set(embeds.map((e) => path.basename(e.notebook, '.ipynb')));
    expect([...NOTEBOOK_NAMES].filter((n) => !embedded.has(n))).toEqual([]);
  });

  it('every cross-reference has a target, every embed is referred to, every citation is in references.bib', () => {
    // Variables and embeds are checked below; here only what the text alone decides.
    const problems = checkArticle(article, bibs, new Set(findVarKeys(text))).filter((p) => !p.startsWith('embed '));
    expect(problems).toEqual([]);
  });

  it('cites the paper and its reference list', () => {
    const bib = fs.readFileSync(bibs[0], 'utf8');
    for (const key of ['sivakumar_threads', 'xiao2017fashion', 'henrique2021classifying', 'kadam2020cnn', 'kayed2020classification', 'greeshma2019hog', 'nocentini2022image', 'saranya2022fashion', 'duan2019vgg', 'seo2019hierarchical']) {
      expect(bib).toContain(`{${key},`);
      expect(text).toContain(`@${key}`);
    }
  });

  it('every {{< var >}} key is one the generator produces (checked on synthetic results)', () => {
    const synthetic = path.join(tmp, 'results');
    writeSyntheticResults(synthetic);
    const keys = new Set(variableKeys(buildReportVariables(synthetic)));
    expect(findVarKeys(text).filter((k) => !keys.has(k))).toEqual([]);
    expect(findVarKeys(text).length).toBeGreaterThan(40);
  });

  it('types no result numbers by hand: outside shortcodes, the only numbers are dataset facts and design constants', () => {
    const prose = text
      .replace(/^---[\s\S]*?\n---\n/, '') // front matter
      .replace(/\{\{<[\s\S]*?>\}\}/g, '') // shortcodes
      .replace(/\[[^\]]*@[^\]]*\]|@[\w-]+/g, '') // citations and cross-references
      .replace(/\]\([^)\s]*\)/g, ']') // link targets (file names, not results)
      .replace(/`[^`]*`/g, ''); // code (paths)
    const numbers = [...prose.matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => m[0]);
    // Dataset and design facts: 70,000 images, 60,000/10,000 files, 28 × 28 pixels, 0–255 intensities, 784 pixels,
    // ten classes, 60:20:20, 42,000/14,000/14,000 and 50,000/10,000 splits, 4 × 4 / 3 × 3 / 2 × 2 windows,
    // 32/64/128 filters and units, dropout 0.2, strides [1, 1], 90%/95% variance marks, [0, 1] range, SHA-256;
    // the paper's own figure numbers (Figs. 10 to 12), which the reproducibility summary cites.
    const allowed = new Set(['11', '12', '70,000', '28', '0', '255', '60,000', '10,000', '784', '90', '95', '60', '20', '42,000', '14,000', '50,000', '64', '128', '10', '32', '4', '2', '1', '3', '0.2', '256']);
    expect(numbers.filter((n) => !allowed.has(n))).toEqual([]);
  });
});

describe('index.qmd against the executed notebooks and the committed results', () => {
  it('every embed resolves to a labelled cell with an output of the right kind', () => {
    const problems = checkArticle(article, bibs, new Set(findVarKeys(text))).filter((p) => p.startsWith('embed '));
    expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
  });

  it('_variables.yml exists and defines every key the article uses', () => {
    const file = variablesPath();
    expect(fs.existsSync(file), `${file} is missing: run \`npm run main\` (it is generated from results/)`).toBe(true);
    const keys = new Set(variableKeys(YAML.parse(fs.readFileSync(file, 'utf8'))));
    expect(findVarKeys(text).filter((k) => !keys.has(k))).toEqual([]);
  });

  it("the article's qualitative statements hold for the committed results", () => {
    const problems = describeFailedClaims(checkArticleClaims());
    expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
  });
});
