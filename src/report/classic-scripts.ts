import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic';

/**
 * Quarto (1.6 and later) loads quarto.js and tabsets.js as ES module scripts (`type="module"`, with an
 * `import` between them). Browsers refuse module scripts from file:// (CORS: origin 'null'), so a report
 * opened from the file system, as the README suggests, lost the table of contents' highlighting and
 * printed console errors (issue 22). The post-render step bundles each local module script, with its
 * imports, into one classic script beside it (`<name>.classic.js`, by esbuild) and loads that with
 * `defer`, which runs in the same order and at the same time as a module script. A module that another
 * bundle on the page already contains is dropped. Quarto 1.4-1.5 pages have no module scripts: nothing changes.
 */
const MODULE_TAG = /<script\b[^>]*\btype=["']module["'][^>]*>\s*<\/script>\n?/gi;

/** The src of a script tag, or undefined. Pure. */
export function scriptSrc(tag: string): string | undefined {
  return /\bsrc=["']([^"']+)["']/i.exec(tag)?.[1];
}

/** The page's external module script tags (local files only: a URL is left alone). Pure. */
export function moduleScriptTags(html: string): Array<{ tag: string; src: string }> {
  return [...html.matchAll(MODULE_TAG)]
    .map((m) => ({ tag: m[0], src: scriptSrc(m[0]) ?? '' }))
    .filter((t) => t.src !== '' && !/^([a-z]+:)?\/\//i.test(t.src));
}

/** The classic script's name for a module script: `quarto.js` → `quarto.classic.js`. Pure. */
export function classicName(src: string): string {
  return src.replace(/(\.m?js)?$/, '.classic.js');
}

interface Bundle {
  /** Absolute paths of every module the bundle contains (itself included). */
  inputs: Set<string>;
  /** The classic script. */
  text: string;
}

/** One converter per post-render: each module file is bundled once however many pages load it. */
export function classicScripts(): { convertPage(html: string, pageDir: string): Promise<{ html: string; converted: number }> } {
  const bundles = new Map<string, Promise<Bundle>>();
  // Written only when a page loads it: a module that another bundle contains needs no file of its own.
  const written = new Set<string>();
  const bundle = (file: string): Promise<Bundle> => {
    let pending = bundles.get(file);
    if (!pending) {
      pending = (async () => {
        // Loaded here, not at the top: only the report's post-render needs esbuild.
        const esbuild = await import('esbuild');
        const result = await esbuild.build({ entryPoints: [file], bundle: true, format: 'iife', platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
        const inputs = new Set(Object.keys(result.metafile.inputs).map((i) => path.resolve(i)));
        inputs.add(path.resolve(file));
        return { inputs, text: result.outputFiles[0].text };
      })();
      bundles.set(file, pending);
    }
    return pending;
  };
  return {
    async convertPage(html, pageDir) {
      const tags = moduleScriptTags(html).filter((t) => fs.existsSync(path.resolve(pageDir, t.src)));
      if (tags.length === 0) return { html, converted: 0 };
      const built = await Promise.all(tags.map(async (t) => ({ ...t, file: path.resolve(pageDir, t.src), bundle: await bundle(path.resolve(pageDir, t.src)) })));
      let out = html;
      for (const t of built) {
        const inAnother = built.some((o) => o !== t && o.bundle.inputs.has(t.file));
        if (!inAnother && !written.has(t.file)) {
          await writeFileAtomic(classicName(t.file), t.bundle.text);
          written.add(t.file);
        }
        out = out.replace(t.tag, inAnother ? '' : `<script src="${classicName(t.src)}" defer></script>\n`);
      }
      return { html: out, converted: built.length };
    },
  };
}
