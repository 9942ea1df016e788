#!/usr/bin/env node
// Copies every static caption and alt text from the figure builders (src/figures/static-captions.ts)
// into the Quarto metadata of the notebook cells that show them. Run after changing a caption:
//   npm run build && node scripts/sync-captions.js
// Prints what it changed; `--check` changes nothing and exits 1 when a notebook is out of date.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const check = process.argv.includes('--check');
const { staticFigureTexts } = require(path.join(root, 'dist', 'figures', 'static-captions.js'));
const { writeFileAtomicSync } = require(path.join(root, 'dist', 'util', 'atomic.js'));
const texts = staticFigureTexts();
const dir = path.join(root, 'notebooks');
let stale = 0;
for (const file of fs.readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort()) {
  const full = path.join(dir, file);
  const before = fs.readFileSync(full, 'utf8');
  const nb = JSON.parse(before);
  for (const cell of nb.cells) {
    const m = cell.metadata || {};
    const t = texts[m.label];
    if (!t) continue;
    const key = String(m.label).startsWith('fig-') ? 'fig-cap' : 'tbl-cap';
    if (m[key] !== t.caption) { console.log(`${file} ${m.label}: ${key}`); m[key] = t.caption; stale++; }
    if (t.alt !== undefined && key === 'fig-cap' && m['fig-alt'] !== t.alt) { console.log(`${file} ${m.label}: fig-alt`); m['fig-alt'] = t.alt; stale++; }
  }
  const after = JSON.stringify(nb, null, 1) + '\n';
  if (!check && after !== before) writeFileAtomicSync(full, after);
}
if (check && stale) {
  console.error(`${stale} caption(s) differ from the builders: run \`node scripts/sync-captions.js\``);
  process.exit(1);
}
