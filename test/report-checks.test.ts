import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, type ModelName } from '../src/models/registry';
import {
  quartoDisplayMime,
  bibtexKeys,
  checkArticle,
  checkQuartoProject,
  findCitations,
  findCrossRefs,
  findEmbeds,
  findVarKeys,
  readQuartoProject,
} from '../src/report/checks';
import { ARTICLE_CLAIMS, checkArticleClaims, describeFailedClaims } from '../src/report/claims';
import { rewriteArtifact, writeSyntheticResults } from './report-fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-checks-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const png = 'iVBORw0KGgo=';
function notebook(cells: Array<{ label?: string; outputs: unknown[] }>) {
  return {
    cells: cells.map((c, i) => ({ cell_type: 'code', id: `c${i}`, metadata: c.label ? { label: c.label } : {}, source: '', outputs: c.outputs, execution_count: 1 })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
}
const figureOutput = { output_type: 'display_data', data: { 'text/html': '<div></div>', 'image/png': png, 'text/plain': 'fig' }, metadata: {} };

describe('parsing the article', () => {
  const text = [
    'See @fig-a and [@fig-b; @tbl-c], @sec-intro, mail me at someone@example.com.',
    'As shown by @xiao2017fashion and [@kingma2015adam, p. 3; @srivastava2014dropout].',
    '{{< embed ../notebooks/x.ipynb#fig-a >}}',
    '{{< embed ../notebooks/y.ipynb#tbl-c echo=true >}}',
    'Accuracy {{< var cnn3.paper.test_accuracy >}}% and {{< var best_paper.model >}}.',
    '<!-- @fig-commented-out {{< var not.used >}} -->',
  ].join('\n');

  it('finds embeds with their notebook and label', () => {
    expect(findEmbeds(text)).toEqual([
      { notebook: '../notebooks/x.ipynb', label: 'fig-a' },
      { notebook: '../notebooks/y.ipynb', label: 'tbl-c' },
    ]);
  });
  it('finds cross-references but not e-mail addresses or commented text', () => {
    expect(findCrossRefs(text)).toEqual(['fig-a', 'fig-b', 'tbl-c', 'sec-intro']);
  });
  it('finds citation keys, narrative and bracketed, not cross-references or e-mails', () => {
    expect(findCitations(text)).toEqual(['xiao2017fashion', 'kingma2015adam', 'srivastava2014dropout']);
  });
  it('finds var keys outside comments', () => {
    expect(findVarKeys(text)).toEqual(['cnn3.paper.test_accuracy', 'best_paper.model']);
  });
  it('reads BibTeX keys', () => {
    expect([...bibtexKeys('@article{a1,\n title={x}}\n@misc{ b-2 ,\n}\n')]).toEqual(['a1', 'b-2']);
  });
});

describe('checkArticle finds each kind of defect', () => {
  const dir = path.join(tmp, 'article');
  fs.mkdirSync(path.join(dir, 'report'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'notebooks'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'notebooks', 'good.ipynb'),
    JSON.stringify(
      notebook([
        { label: 'fig-ok', outputs: [{ output_type: 'stream', name: 'stdout', text: 'x' }, figureOutput] },
        { label: 'fig-html-only', outputs: [{ output_type: 'display_data', data: { 'text/html': '<div></div>' }, metadata: {} }] },
        { label: 'fig-no-output', outputs: [] },
        { label: 'tbl-ok', outputs: [{ output_type: 'display_data', data: { 'text/html': '<table></table>', 'text/plain': 't' }, metadata: {} }] },
        // Quarto would put the SVG in the PDF (needs rsvg-convert), and the <div> table as plain text.
        { label: 'fig-svg', outputs: [{ output_type: 'display_data', data: { 'text/html': '<div></div>', 'image/svg+xml': '<svg/>', 'image/png': png }, metadata: {} }] },
        { label: 'tbl-div', outputs: [{ output_type: 'display_data', data: { 'text/html': '<div>a | b</div>', 'text/plain': 't' }, metadata: {} }] },
      ]),
    ),
  );
  fs.writeFileSync(path.join(dir, 'notebooks', 'never-run.ipynb'), JSON.stringify(notebook([{ label: 'fig-x', outputs: [] }])));
  const bib = path.join(dir, 'report', 'refs.bib');
  fs.writeFileSync(bib, '@article{known,\n title={t}}\n');
  const write = (body: string) => {
    const file = path.join(dir, 'report', 'index.qmd');
    fs.writeFileSync(file, body);
    return file;
  };
  const vars = new Set(['a.b']);

  it('passes a correct article', () => {
    const file = write('@fig-ok and @tbl-ok [@known] {{< var a.b >}} @sec-s\n\n# S {#sec-s}\n\n{{< embed ../notebooks/good.ipynb#fig-ok >}}\n{{< embed ../notebooks/good.ipynb#tbl-ok >}}\n');
    expect(checkArticle(file, [bib], vars)).toEqual([]);
  });

  it('reports a missing label, a figure without PNG, a cell without output and an unexecuted notebook', () => {
    const file = write(
      ['@fig-missing @fig-html-only @fig-no-output @fig-x', '{{< embed ../notebooks/good.ipynb#fig-missing >}}', '{{< embed ../notebooks/good.ipynb#fig-html-only >}}', '{{< embed ../notebooks/good.ipynb#fig-no-output >}}', '{{< embed ../notebooks/never-run.ipynb#fig-x >}}', '{{< embed ../notebooks/absent.ipynb#fig-y >}}', '@fig-y'].join('\n'),
    );
    const problems = checkArticle(file, [bib], vars).join('\n');
    expect(problems).toMatch(/good\.ipynb#fig-missing: no cell has metadata label 'fig-missing'/);
    expect(problems).toMatch(/fig-html-only: the cell's outputs \(display_data \[text\/html\]\) lack .*image\/png/);
    expect(problems).toMatch(/fig-no-output: this cell has no output; run `npm run main`/);
    expect(problems).toMatch(/never-run\.ipynb#fig-x: the notebook has no outputs at all \(not executed\)/);
    expect(problems).toMatch(/absent\.ipynb#fig-y: cannot read notebook/);
  });

  it("judges outputs by what Quarto picks for each format: no SVG in the PDF, tables as HTML <table>", () => {
    const file = write('@fig-svg @tbl-div\n{{< embed ../notebooks/good.ipynb#fig-svg >}}\n{{< embed ../notebooks/good.ipynb#tbl-div >}}\n');
    const problems = checkArticle(file, [bib], vars).join('\n');
    expect(problems).toMatch(/fig-svg: the cell's outputs \(display_data \[.*image\/svg\+xml.*\]\) lack .*image\/png or image\/jpeg for the PDF/);
    expect(problems).toMatch(/tbl-div: the cell's outputs .* lack a display_data output whose text\/html holds a <table>/);
  });

  it('reports dangling cross-references, unreferenced embeds, unknown citations and undefined variables', () => {
    const file = write('@fig-nowhere @sec-gone [@unknown; @known] {{< var a.c >}}\n{{< embed ../notebooks/good.ipynb#tbl-ok >}}\n');
    const problems = checkArticle(file, [bib], vars);
    expect(problems).toContain('index.qmd: cross-reference @fig-nowhere has no target (no embed or {#fig-nowhere} with that label)');
    expect(problems).toContain('index.qmd: cross-reference @sec-gone has no target (no embed or {#sec-gone} with that label)');
    expect(problems).toContain('index.qmd: tbl-ok is embedded but never referred to; cite it in the text as @tbl-ok');
    expect(problems).toContain('index.qmd: citation @unknown is not in refs.bib');
    expect(problems).toContain('index.qmd: {{< var a.c >}} is not defined in _variables.yml');
    expect(problems).toHaveLength(5);
  });
});

describe('checkQuartoProject', () => {
  it('accepts a manuscript with html + pdf, titled existing notebooks and execution off', () => {
    const dir = path.join(tmp, 'proj-ok');
    fs.mkdirSync(path.join(dir, 'nb'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.qmd'), '');
    fs.writeFileSync(path.join(dir, 'r.bib'), '');
    fs.writeFileSync(path.join(dir, 'nb', 'n.ipynb'), '{}');
    fs.writeFileSync(path.join(dir, '_quarto.yml'), 'project:\n  type: manuscript\nmanuscript:\n  article: a.qmd\n  notebooks:\n    - notebook: nb/n.ipynb\n      title: N\nexecute:\n  enabled: false\nbibliography: r.bib\nformat:\n  html: default\n  pdf: default\n');
    expect(checkQuartoProject(readQuartoProject(path.join(dir, '_quarto.yml')))).toEqual([]);
  });

  it('reports each defect', () => {
    const dir = path.join(tmp, 'proj-bad');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '_quarto.yml'), 'project:\n  type: website\nmanuscript:\n  article: missing.qmd\n  notebooks:\n    - nb/absent.ipynb\nformat:\n  html: default\n  typst: default\n');
    const problems = checkQuartoProject(readQuartoProject(path.join(dir, '_quarto.yml'))).join('\n');
    for (const re of [/type must be 'manuscript'/, /article missing\.qmd does not exist/, /notebook nb\/absent\.ipynb does not exist/, /nb\/absent\.ipynb has no title/, /format pdf is missing/, /not typst/, /execute\.enabled must be false/, /no bibliography/]) {
      expect(problems).toMatch(re);
    }
  });

  it('fails clearly on YAML that does not parse', () => {
    const file = path.join(tmp, 'broken.yml');
    fs.writeFileSync(file, 'project: [unclosed\n');
    expect(() => readQuartoProject(file)).toThrow(/broken\.yml does not parse as YAML/);
  });
});

describe('article claims against results', () => {
  it('hold for results that agree with the text, and each failure names the sentence to revise', () => {
    const root = path.join(tmp, 'claims');
    writeSyntheticResults(root);
    // Make the synthetic per-class results agree with the text: shirts hardest, distinct shapes easiest.
    // Gaps in points, by model (typed: a model added to the registry does not compile until it has one).
    const gaps: Record<ModelName, number> = { ann: 0.03, cnn1: 0.06, cnn2: 0.05, cnn3: 0.02 };
    for (const p of ['paper', 'official']) {
      for (const m of MODEL_NAMES) {
        const file = path.join(root, p, m, 'metrics.json');
        const metrics = JSON.parse(fs.readFileSync(file, 'utf8'));
        const f1 = [0.85, 0.98, 0.84, 0.9, 0.83, 0.97, 0.7, 0.96, 0.98, 0.96];
        metrics.test.perClass = f1.map((f) => ({ precision: f, recall: f, f1: f, support: 100 }));
        metrics.test.confusion = Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, q) => (t === q ? 90 : (t === 6 && q === 0) || (t === 2 && q === 4) || (t === 4 && q === 6) ? 9 : 0)));
        metrics.train.accuracy = metrics.test.accuracy + gaps[m];
        rewriteArtifact(file, JSON.stringify(metrics));
      }
    }
    const ok = checkArticleClaims(root);
    expect(ok.filter((c) => !c.holds)).toEqual([]);
    expect(ok).toHaveLength(ARTICLE_CLAIMS.length);

    // Now CNN 1 beats CNN 3 on the official split (one run ranks nothing: the seed study decides, see
    // study-claims.test.ts), and the ANN confuses sandals with sneakers more than shirts.
    const cnn1 = path.join(root, 'official', 'cnn1', 'metrics.json');
    const m1 = JSON.parse(fs.readFileSync(cnn1, 'utf8'));
    m1.test.accuracy = 0.95;
    m1.train.accuracy = 0.99;
    rewriteArtifact(cnn1, JSON.stringify(m1));
    const ann = path.join(root, 'paper', 'ann', 'metrics.json');
    const ma = JSON.parse(fs.readFileSync(ann, 'utf8'));
    ma.test.perClass[5].f1 = 0.6;
    rewriteArtifact(ann, JSON.stringify(ma));
    const failed = checkArticleClaims(root).filter((c) => !c.holds).map((c) => c.id);
    expect(failed).toEqual(['shirt-hardest', 'distinct-shapes-easier']);
    expect(describeFailedClaims(checkArticleClaims(root))[0]).toMatch(/^index\.qmd \(.*\) says the shirt class has the lowest test F1 for every model \(paper protocol\), but the results show: not the lowest for ann/);
  });
});

describe('quartoDisplayMime (Quarto 1.4+ output choice)', () => {
  it('prefers interactive HTML for the web page and images, then HTML tables, for the PDF', () => {
    const fig = { 'text/html': ['<div id="p"></div>'], 'image/png': 'x', 'text/plain': 'p' };
    expect(quartoDisplayMime(fig, 'html')).toBe('text/html');
    expect(quartoDisplayMime(fig, 'latex')).toBe('image/png');
    const table = { 'text/html': ['<table>\n', '<tr><td>1</td></tr>\n', '</table>\n'], 'text/plain': 't' };
    expect(quartoDisplayMime(table, 'latex')).toBe('text/html');
    expect(quartoDisplayMime({ 'text/html': '<div></div>', 'text/plain': 't' }, 'latex')).toBe('text/plain');
    expect(quartoDisplayMime({ 'text/markdown': '| a |', 'text/html': '<table></table>' }, 'latex')).toBe('text/markdown');
    expect(quartoDisplayMime({ 'application/json': '{}' }, 'html')).toBeUndefined();
  });
});
