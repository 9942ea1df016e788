import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { findLabelledCell, hasOutputs, readNotebook, type Notebook, type NotebookOutput } from '../pipeline/notebook-file';

/**
 * Checks of the Quarto manuscript that need no Quarto: the project file, the article's embeds,
 * cross-references, citations and `var` shortcodes. Each function returns a list of problems
 * (empty = fine), each naming the file and what to fix, so a test can print them all at once.
 */

export interface QuartoNotebookEntry {
  notebook: string;
  title?: string;
}

export interface QuartoProject {
  file: string;
  type: unknown;
  article: string | undefined;
  notebooks: QuartoNotebookEntry[];
  formats: string[];
  bibliography: string[];
  executeEnabled: unknown;
  raw: Record<string, unknown>;
}

export function readQuartoProject(file: string): QuartoProject {
  let raw: Record<string, unknown>;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file} does not parse as YAML: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object') throw new Error(`${file} is empty or not a YAML mapping`);
  const project = (raw.project ?? {}) as Record<string, unknown>;
  const manuscript = (raw.manuscript ?? {}) as Record<string, unknown>;
  const notebooks = ((manuscript.notebooks as unknown[]) ?? []).map((n) =>
    typeof n === 'string' ? { notebook: n } : { notebook: String((n as Record<string, unknown>).notebook), title: (n as Record<string, unknown>).title as string | undefined },
  );
  const bib = raw.bibliography;
  return {
    file,
    type: project.type,
    article: typeof manuscript.article === 'string' ? manuscript.article : undefined,
    notebooks,
    formats: Object.keys((raw.format as Record<string, unknown>) ?? {}),
    bibliography: bib === undefined ? [] : Array.isArray(bib) ? bib.map(String) : [String(bib)],
    executeEnabled: ((raw.execute ?? {}) as Record<string, unknown>).enabled,
    raw,
  };
}

/** The project file: a manuscript with an existing article, existing notebooks with titles, html + LaTeX pdf, no execution. */
export function checkQuartoProject(q: QuartoProject): string[] {
  const problems: string[] = [];
  const dir = path.dirname(q.file);
  const name = path.basename(q.file);
  if (q.type !== 'manuscript') problems.push(`${name}: project.type must be 'manuscript' (is ${JSON.stringify(q.type)})`);
  if (!q.article) problems.push(`${name}: manuscript.article is not set`);
  else if (!fs.existsSync(path.join(dir, q.article))) problems.push(`${name}: the article ${q.article} does not exist`);
  if (q.notebooks.length === 0) problems.push(`${name}: manuscript.notebooks lists no notebooks`);
  for (const n of q.notebooks) {
    if (!fs.existsSync(path.join(dir, n.notebook))) problems.push(`${name}: notebook ${n.notebook} does not exist`);
    if (!n.title) problems.push(`${name}: notebook ${n.notebook} has no title`);
  }
  for (const f of ['html', 'pdf']) if (!q.formats.includes(f)) problems.push(`${name}: format ${f} is missing`);
  if (q.formats.includes('typst')) problems.push(`${name}: use the LaTeX 'pdf' format, not typst (manuscripts and MECA bundles expect LaTeX PDF)`);
  if (q.executeEnabled !== false) {
    problems.push(`${name}: execute.enabled must be false: fmnist main executes the notebooks; Quarto's own executor cannot run the tslab kernel`);
  }
  if (q.bibliography.length === 0) problems.push(`${name}: no bibliography`);
  for (const b of q.bibliography) if (!fs.existsSync(path.join(dir, b))) problems.push(`${name}: bibliography ${b} does not exist`);
  return problems;
}

export interface Embed {
  /** As written in the shortcode, relative to the article's folder. */
  notebook: string;
  label: string;
}

/** `{{< embed ../notebooks/04-cnn1.ipynb#fig-cnn1-history >}}` (options after the target are allowed). */
export function findEmbeds(text: string): Embed[] {
  const re = /\{\{<\s*embed\s+([^\s#>]+\.ipynb)#([^\s>]+)[^>]*>\}\}/g;
  return [...stripComments(text).matchAll(re)].map((m) => ({ notebook: m[1], label: m[2] }));
}

/**
 * The representation Quarto renders of a display output, following its choice rules
 * (quarto-cli src/core/jupyter/display-data.ts, 1.4+): for HTML the interactive formats first; for
 * LaTeX/PDF markdown, SVG, PNG, JPEG, LaTeX, PDF, then HTML only if it holds a <table> (Quarto parses
 * HTML tables into real tables for every format), then plain text. undefined: nothing renderable.
 */
export function quartoDisplayMime(data: Record<string, unknown>, to: 'html' | 'latex'): string | undefined {
  const priority =
    to === 'html'
      ? ['application/vnd.jupyter.widget-state+json', 'application/vnd.jupyter.widget-view+json', 'application/javascript', 'text/html', 'text/markdown', 'image/svg+xml', 'image/png', 'image/jpeg']
      : ['text/markdown', 'image/svg+xml', 'image/png', 'image/jpeg', 'text/latex', 'application/pdf'];
  if (!priority.includes('text/html') && htmlHasTable(data['text/html'])) priority.push('text/html');
  priority.push('text/plain');
  return priority.find((mime) => mime in data);
}

/** Quarto's test: some line opens a <table> and some line closes one. */
function htmlHasTable(html: unknown): boolean {
  const lines = Array.isArray(html) ? (html as string[]) : typeof html === 'string' ? [html] : [];
  return lines.some((l) => /<table/i.test(l)) && lines.some((l) => /<\/table/i.test(l));
}

/**
 * What a labelled cell must have produced, by the label's Quarto prefix, judged by what Quarto will
 * pick from it: a figure must be interactive HTML in the web page and a raster image in the PDF (an
 * SVG would need rsvg-convert there); a table must be an HTML table in both.
 */
export function expectedOutput(label: string): { describe: string; ok: (o: NotebookOutput) => boolean } {
  const isDisplay = (o: NotebookOutput) => o.output_type === 'display_data' || o.output_type === 'execute_result';
  const picks = (o: NotebookOutput, to: 'html' | 'latex') => (o.data ? quartoDisplayMime(o.data, to) : undefined);
  if (label.startsWith('fig-')) {
    return {
      describe: 'a display_data output from which Quarto picks text/html for the web page and image/png or image/jpeg for the PDF',
      ok: (o) => isDisplay(o) && picks(o, 'html') === 'text/html' && ['image/png', 'image/jpeg'].includes(picks(o, 'latex') ?? ''),
    };
  }
  if (label.startsWith('tbl-')) {
    return {
      describe: 'a display_data output whose text/html holds a <table>, which Quarto picks for both the web page and the PDF',
      ok: (o) => isDisplay(o) && picks(o, 'html') === 'text/html' && picks(o, 'latex') === 'text/html',
    };
  }
  return { describe: 'at least one output', ok: () => true };
}

/**
 * Each embed must resolve to a labelled cell (label in the cell metadata) whose stored output is of
 * the right kind: Quarto does not execute the notebooks, and it renders an embed of a cell without
 * output as an empty figure without any error.
 */
export function checkEmbeds(articleFile: string, embeds: Embed[]): string[] {
  const problems: string[] = [];
  const cache = new Map<string, Notebook | Error>();
  for (const e of embeds) {
    const file = path.resolve(path.dirname(articleFile), e.notebook);
    if (!cache.has(file)) {
      try {
        cache.set(file, readNotebook(file));
      } catch (err) {
        cache.set(file, err as Error);
      }
    }
    const nb = cache.get(file)!;
    if (nb instanceof Error) {
      problems.push(`embed ${e.notebook}#${e.label}: ${nb.message}`);
      continue;
    }
    const found = findLabelledCell(nb, e.label);
    // Each message names the notebook and the cell, and both fixes: the committed copy, or a rerun.
    const restore = `restore the committed notebook with \`git checkout -- ${e.notebook}\``;
    const rerun = `\`node bin/fmnist.js main --only ${path.basename(e.notebook, '.ipynb')}\``;
    if (!found) {
      problems.push(
        `embed ${e.notebook}#${e.label}: no cell has metadata label '${e.label}' (its label was lost or renamed); ${restore}, ` +
          `or give the cell its label '${e.label}' again (cell metadata \`label\`: the property inspector in JupyterLab)`,
      );
      continue;
    }
    const outputs = found.cell.outputs ?? [];
    const want = expectedOutput(e.label);
    if (outputs.length === 0) {
      const why = hasOutputs(nb) ? 'this cell has no output' : 'the notebook has no outputs at all (not executed)';
      problems.push(`embed ${e.notebook}#${e.label}: ${why}; run \`npm run main\` (or ${rerun}) to execute it, or ${restore}`);
    } else if (!outputs.some(want.ok)) {
      problems.push(`embed ${e.notebook}#${e.label}: the cell's outputs (${outputs.map(describeOutput).join('; ')}) lack ${want.describe}; re-execute it with ${rerun}, or ${restore}`);
    }
  }
  return problems;
}

/**
 * What must hold before `quarto render` (the main job and the project's pre-render step run it):
 * every embed of the project's article resolves to a labelled cell with the output it needs. Quarto
 * itself renders a cell without output as an empty figure with exit 0, and a lost label as "The cell
 * ... does not exist in notebook" without naming the notebook.
 */
export function checkReportEmbeds(projectDir: string): string[] {
  const project = readQuartoProject(path.join(projectDir, '_quarto.yml'));
  if (!project.article) return ['_quarto.yml: manuscript.article is not set'];
  const article = path.join(projectDir, project.article);
  return checkEmbeds(article, findEmbeds(fs.readFileSync(article, 'utf8')));
}

/** Labels the article can refer to: its own `{#sec-...}`/`{#fig-...}`/`{#tbl-...}` ids and every embedded cell's label. */
export function crossRefTargets(text: string, embeds: Embed[]): Set<string> {
  const ids = [...stripComments(text).matchAll(/\{#((?:sec|fig|tbl|eq)-[\w-]+)[^}]*\}/g)].map((m) => m[1]);
  // An embedded table cell with tbl-cap, or a figure cell with fig-cap, is a cross-reference target.
  return new Set([...ids, ...embeds.map((e) => e.label)]);
}

/** `@fig-x`, `@tbl-x`, `@sec-x`, `@eq-x` used in the text (with or without brackets). */
export function findCrossRefs(text: string): string[] {
  return [...stripShortcodes(stripComments(text)).matchAll(/(?<![\w.])@((?:fig|tbl|sec|eq)-[\w-]*[\w])/g)].map((m) => m[1]);
}

/** Citation keys: `[@key]`, `[@a; @b, p. 3]`, narrative `@key` (anything that is not a cross-reference). */
export function findCitations(text: string): string[] {
  const keys = [...stripShortcodes(stripComments(text)).matchAll(/(?<![\w.@])@([A-Za-z][\w:.#$%&+?<>~/-]*[\w])/g)].map((m) => m[1]);
  return keys.filter((k) => !/^(fig|tbl|sec|eq)-/.test(k));
}

export function bibtexKeys(bib: string): Set<string> {
  return new Set([...bib.matchAll(/@\w+\s*\{\s*([^,\s]+)\s*,/g)].map((m) => m[1]));
}

/** `{{< var cnn3.paper.test_accuracy >}}` keys. */
export function findVarKeys(text: string): string[] {
  return [...stripComments(text).matchAll(/\{\{<\s*var\s+([^\s>]+)\s*>\}\}/g)].map((m) => m[1]);
}

/** All problems with the article: embeds, cross-references, citations and variables. */
export function checkArticle(articleFile: string, bibFiles: string[], variableKeys: Set<string>): string[] {
  const text = fs.readFileSync(articleFile, 'utf8');
  const name = path.basename(articleFile);
  const embeds = findEmbeds(text);
  const problems = checkEmbeds(articleFile, embeds);
  const targets = crossRefTargets(text, embeds);
  const refs = new Set(findCrossRefs(text));
  for (const ref of refs) if (!targets.has(ref)) problems.push(`${name}: cross-reference @${ref} has no target (no embed or {#${ref}} with that label)`);
  for (const e of embeds) {
    if (/^(fig|tbl)-/.test(e.label) && !refs.has(e.label)) problems.push(`${name}: ${e.label} is embedded but never referred to; cite it in the text as @${e.label}`);
  }
  const bibKeys = new Set(bibFiles.flatMap((f) => [...bibtexKeys(fs.readFileSync(f, 'utf8'))]));
  for (const key of new Set(findCitations(text))) if (!bibKeys.has(key)) problems.push(`${name}: citation @${key} is not in ${bibFiles.map((f) => path.basename(f)).join(', ')}`);
  for (const key of new Set(findVarKeys(text))) if (!variableKeys.has(key)) problems.push(`${name}: {{< var ${key} >}} is not defined in _variables.yml`);
  return problems;
}

function describeOutput(o: NotebookOutput): string {
  return o.data ? `${o.output_type} [${Object.keys(o.data).join(', ')}]` : o.output_type;
}

/** HTML comments are not rendered, so what they mention is not checked. */
function stripComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '');
}

/** Shortcodes (`{{< ... >}}`) contain `#fig-...` and paths, never citations or references. */
function stripShortcodes(text: string): string {
  return text.replace(/\{\{<[\s\S]*?>\}\}/g, '');
}
