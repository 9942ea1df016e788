#!/usr/bin/env node
'use strict';
// Quarto's post-render step (_quarto.yml project.post-render): makes the rendered report work with no
// network (src/report/offline-html.ts says why) and fails the render if a page still loads anything
// from another host.
const path = require('node:path');

const root = path.resolve(__dirname, '..');
require('./ensure-built').ensureBuiltOrExit('post-render');
const fs = require('node:fs');
const { postProcessReport, articleSourceLinks } = require(path.join(root, 'dist', 'report', 'offline-html.js'));
const outputDir = process.env.QUARTO_PROJECT_OUTPUT_DIR ? path.resolve(root, process.env.QUARTO_PROJECT_OUTPUT_DIR) : path.join(root, '_manuscript');

// With a PDF (keep-tex) Quarto copies site_libs/ into the output folder instead of moving it; the
// copy left in the project folder would be an untracked duplicate.
const leftover = path.join(root, 'site_libs');
if (path.resolve(outputDir) !== root && fs.existsSync(path.join(outputDir, 'site_libs')) && fs.existsSync(leftover)) {
  fs.rmSync(leftover, { recursive: true, force: true });
}

const { removeStrayNotebookCopies } = require(path.join(root, 'dist', 'report', 'stray-outputs.js'));
removeStrayNotebookCopies(outputDir);
// The article's citation_abstract tag carries the rendered abstract, not its shortcodes.
const { fixCitationAbstract } = require(path.join(root, 'dist', 'report', 'citation-meta.js'));
const { writeFileAtomicSync } = require(path.join(root, 'dist', 'util', 'atomic.js'));
for (const page of fs.readdirSync(outputDir).filter((f) => f.endsWith('.html'))) {
  const file = path.join(outputDir, page);
  const { html, changed } = fixCitationAbstract(fs.readFileSync(file, 'utf8'));
  if (changed) writeFileAtomicSync(file, html);
}

// Notebook pages take the article's figure and table numbers (src/report/notebook-numbers.ts says why).
const { articleNumbers, renumberNotebookPage } = require(path.join(root, 'dist', 'report', 'notebook-numbers.js'));
const articleFile = path.join(outputDir, 'index.html');
if (fs.existsSync(articleFile)) {
  const numbers = articleNumbers(fs.readFileSync(articleFile, 'utf8'));
  const embedded = path.join(outputDir, 'notebooks');
  let renumbered = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'site_libs') walk(full);
      else if (e.isFile() && e.name.endsWith('-preview.html')) {
        const before = fs.readFileSync(full, 'utf8');
        const after = renumberNotebookPage(before, path.dirname(full) === embedded ? numbers : null);
        renumbered += after.renumbered;
        if (after.html !== before) writeFileAtomicSync(full, after.html);
      }
    }
  };
  walk(outputDir);
  console.log(`[post-render] notebook pages: ${renumbered} figure and table captions numbered as in the article (or as notebook figures)`);
}

postProcessReport(outputDir, articleSourceLinks(root)).then(
  ({ pages, removed, linksAdded, modules, broken, external }) => {
    console.log(`[post-render] ${pages} pages: removed ${removed} CDN script tags Quarto adds for JavaScript widgets (require.js, jQuery); added ${linksAdded} Source links Quarto leaves out; turned ${modules} module script tags into classic scripts (file:// refuses modules)`);
    if (broken.length > 0) {
      console.error(`[post-render] Source links to cells that are not on their notebook's page: ${broken.join(', ')}`);
      process.exit(1);
    }
    if (external.length > 0) {
      for (const { file, urls } of external) console.error(`[post-render] ${file} still loads from the network: ${urls.join(', ')}`);
      console.error('[post-render] the report must work offline: bundle these files or remove what adds them.');
      process.exit(1);
    }
  },
  (err) => {
    console.error(`[post-render] ${err.stack || err}`);
    process.exit(1);
  },
);
