import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import { findEmbeds, readQuartoProject } from './checks';
import { classicScripts } from './classic-scripts';

/**
 * The rendered report must work with no network. Quarto (1.4 to 1.8, src/core/jupyter/widgets.ts)
 * adds require.js and jQuery from cdnjs to every page whose notebooks have any text/html output,
 * for "JavaScript widgets" that assume them, and there is no option to turn that off. Nothing in this
 * report uses them (plotly.js is loaded once from site_libs/), so the post-render step
 * (scripts/quarto-post-render.js) removes those three tags; offline they only fail
 * (`ReferenceError: define is not defined`).
 */
const WIDGET_LOADER_TAGS: RegExp[] = [
  /<script\b[^>]*\bsrc="https:\/\/cdnjs\.cloudflare\.com\/ajax\/libs\/require\.js\/[^"]*"[^>]*><\/script>\n?/g,
  /<script\b[^>]*\bsrc="https:\/\/cdnjs\.cloudflare\.com\/ajax\/libs\/jquery\/[^"]*"[^>]*><\/script>\n?/g,
  /<script type="application\/javascript">\s*define\('jquery', \[\],\s*function\(\) \{\s*return window\.jQuery;\s*\}\)\s*<\/script>\n?/g,
];

/** The page without Quarto's CDN widget loaders, and how many tags were removed. Pure. */
export function stripWidgetLoaders(html: string): { html: string; removed: number } {
  let removed = 0;
  let out = html;
  for (const re of WIDGET_LOADER_TAGS) {
    out = out.replace(re, () => {
      removed += 1;
      return '';
    });
  }
  return { html: out, removed };
}

/**
 * Every resource a page would fetch from another host: script src, link href of stylesheets, icons
 * and preloads, img/iframe/source src, CSS @import and url(). Plain hyperlinks (<a href>) are not
 * requests. Pure.
 */
export function externalResources(html: string): string[] {
  const found = new Set<string>();
  const add = (url: string) => {
    if (/^(https?:)?\/\//i.test(url)) found.add(url);
  };
  for (const m of html.matchAll(/<(script|img|iframe|source|audio|video|embed)\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/gi)) add(m[2]);
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const href = /\bhref\s*=\s*["']([^"']+)["']/i.exec(m[0])?.[1];
    const rel = /\brel\s*=\s*["']([^"']+)["']/i.exec(m[0])?.[1] ?? '';
    if (href && !/\b(canonical|alternate)\b/i.test(rel)) add(href);
  }
  for (const m of html.matchAll(/@import\s+(?:url\()?\s*["']?([^"')\s;]+)/gi)) add(m[1]);
  return [...found];
}

/** The element ids on an HTML page, or undefined when it does not exist. */
function pageIds(file: string): Set<string> | undefined {
  if (!fs.existsSync(file)) return undefined;
  return new Set([...fs.readFileSync(file, 'utf8').matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
}

/** The HTML files under the output folder. */
function htmlFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'site_libs') files.push(...htmlFiles(full));
    } else if (entry.name.endsWith('.html')) files.push(full);
  }
  return files;
}

/**
 * Post-render step on the output folder: strips the widget loaders from every page (atomically), adds
 * the missing Source links to the article (`article`: its page name, with the links it must carry),
 * and returns the pages that still reference another host, with what they reference, for the caller
 * to report as an error.
 */
export async function postProcessReport(
  outputDir: string,
  article?: { page: string; links: readonly SourceLink[] },
): Promise<{ pages: number; removed: number; linksAdded: number; modules: number; broken: string[]; external: Array<{ file: string; urls: string[] }> }> {
  const broken: string[] = [];
  let removed = 0;
  let linksAdded = 0;
  let modules = 0;
  const external: Array<{ file: string; urls: string[] }> = [];
  const pages = htmlFiles(outputDir);
  const classic = classicScripts();
  for (const file of pages) {
    const original = fs.readFileSync(file, 'utf8');
    let { html, removed: n } = stripWidgetLoaders(original);
    removed += n;
    const converted = await classic.convertPage(html, path.dirname(file));
    html = converted.html;
    modules += converted.converted;
    if (article && path.relative(outputDir, file) === article.page) {
      const linked = addMissingSourceLinks(html, article.links);
      const resolved = resolveSourceLinks(linked.html, (page) => pageIds(path.join(path.dirname(file), page)));
      html = resolved.html;
      linksAdded += linked.added;
      broken.push(...resolved.broken);
    }
    if (html !== original) await writeFileAtomic(file, html);
    const urls = externalResources(html);
    if (urls.length > 0) external.push({ file: path.relative(outputDir, file), urls });
  }
  return { pages: pages.length, removed, linksAdded, modules, broken, external };
}

/**
 * The Source links the article must carry, from the project: each embed of `articleFile` (index.qmd)
 * links to its notebook's page (the `url` of its entry under manuscript.notebooks, else
 * `<notebook>-preview.html`), titled as in the sidebar.
 */
export function articleSourceLinks(projectDir: string): { page: string; links: SourceLink[] } {
  const project = readQuartoProject(path.join(projectDir, '_quarto.yml'));
  const article = project.article ?? 'index.qmd';
  const raw = ((project.raw.manuscript as Record<string, unknown> | undefined)?.notebooks ?? []) as Array<Record<string, unknown>>;
  const entry = (nb: string) => raw.find((n) => typeof n === 'object' && path.normalize(String(n.notebook)) === path.normalize(nb));
  const links = findEmbeds(fs.readFileSync(path.join(projectDir, article), 'utf8')).map((e) => {
    const n = entry(e.notebook);
    return {
      label: e.label,
      page: typeof n?.url === 'string' ? n.url : e.notebook.replace(/\.ipynb$/, '-preview.html'),
      title: typeof n?.title === 'string' ? n.title : path.basename(e.notebook),
    };
  });
  return { page: article.replace(/\.qmd$/, '.html'), links };
}

export interface SourceLink {
  /** The embedded cell's label, e.g. fig-eda-class-pie (Quarto's cell div is `#cell-<label>`). */
  label: string;
  /** The notebook's page, relative to the article, e.g. notebooks/01-eda-preview.html. */
  page: string;
  /** The notebook's title, as in the sidebar. */
  title: string;
}

/**
 * Gives every embed in the article its "Source: <notebook>" link to the cell it came from. Quarto
 * (1.4 to 1.8, src/format/html/format-html-notebook-preview.ts) queues one preview per notebook and
 * keeps only the first embed's link callback, so only the first embed of each notebook gets a link;
 * this adds the same link, in the same place (the end of the embed's `div.quarto-embed-nb-cell`), to
 * the others. Pure; returns the page and how many links it added.
 */
export function addMissingSourceLinks(html: string, links: readonly SourceLink[]): { html: string; added: number } {
  let out = html;
  let added = 0;
  for (const link of links) {
    // Figures sit in `div#cell-<label>.cell`; tables carry the label on the float inside an id-less cell.
    let start = out.indexOf(`<div id="cell-${link.label}" class="cell"`);
    if (start < 0) start = out.indexOf(`<div id="${link.label}" class="cell`);
    if (start < 0) continue;
    const embedStart = out.lastIndexOf('<div class="quarto-embed-nb-cell">', start);
    if (embedStart < 0) continue;
    const end = matchingDivEnd(out, embedStart);
    if (end < 0) continue;
    const body = out.slice(embedStart, end);
    if (body.includes('class="quarto-notebook-link"')) continue;
    const anchor = `<a class="quarto-notebook-link" href="${link.page}#cell-${link.label}">Source: ${escapeText(link.title)}</a>`;
    out = out.slice(0, end) + anchor + out.slice(end);
    added += 1;
  }
  return { html: out, added };
}

/** The index of the `</div>` that closes the div opening at `start` (script bodies skipped). */
function matchingDivEnd(html: string, start: number): number {
  const tag = /<script\b[\s\S]*?<\/script>|<div\b|<\/div>/gi;
  tag.lastIndex = start;
  let depth = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const t = m[0].toLowerCase();
    if (t.startsWith('<script')) continue;
    if (t === '<div') depth += 1;
    else if (--depth === 0) return m.index;
  }
  return -1;
}

/**
 * Points every Source link at an element that exists on its notebook's page: Quarto links to
 * `#cell-<label>`, which a figure cell has but a table cell does not (there the table itself carries
 * `#<label>`). `ids(page)` gives the ids on a page (undefined: page unknown, link left alone). Pure.
 */
export function resolveSourceLinks(html: string, ids: (page: string) => Set<string> | undefined): { html: string; fixed: number; broken: string[] } {
  let fixed = 0;
  const broken: string[] = [];
  const out = html.replace(/(<a class="quarto-notebook-link"[^>]*?href=")([^"#]+)#([^"]+)(")/g, (all, pre: string, page: string, id: string, post: string) => {
    const known = ids(page);
    if (!known || known.has(id)) return all;
    const bare = id.replace(/^cell-/, '');
    if (known.has(bare)) {
      fixed += 1;
      return `${pre}${page}#${bare}${post}`;
    }
    broken.push(`${page}#${id}`);
    return all;
  });
  return { html: out, fixed, broken };
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
