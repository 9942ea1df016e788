import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic';

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
 * Post-render step: strips the widget loaders from every page under `outputDir` (atomically), then
 * returns the pages that still reference another host, with what they reference, for the caller to
 * report as an error.
 */
export async function makeReportOffline(outputDir: string): Promise<{ pages: number; removed: number; external: Array<{ file: string; urls: string[] }> }> {
  let removed = 0;
  const external: Array<{ file: string; urls: string[] }> = [];
  const pages = htmlFiles(outputDir);
  for (const file of pages) {
    const original = fs.readFileSync(file, 'utf8');
    const stripped = stripWidgetLoaders(original);
    if (stripped.removed > 0) await writeFileAtomic(file, stripped.html);
    removed += stripped.removed;
    const urls = externalResources(stripped.html);
    if (urls.length > 0) external.push({ file: path.relative(outputDir, file), urls });
  }
  return { pages: pages.length, removed, external };
}
