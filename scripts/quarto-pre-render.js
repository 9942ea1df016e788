#!/usr/bin/env node
'use strict';
// Quarto's pre-render step (_quarto.yml project.pre-render): a bare `quarto render` checks the
// article's embeds against the notebooks' stored outputs first. Without it Quarto renders a cell that
// lost its output as an empty figure with exit 0, and a cell that lost its label as "The cell ... does
// not exist in notebook" without naming the notebook. (`fmnist main` runs the same check itself, before
// Quarto empties _manuscript/, and puts the previous report back if a render fails.)
const path = require('node:path');

const root = path.resolve(__dirname, '..');
require('./ensure-built').ensureBuiltOrExit('pre-render');
const { checkReportEmbeds } = require(path.join(root, 'dist', 'report', 'checks.js'));
const projectDir = process.env.QUARTO_PROJECT_DIR ? path.resolve(process.env.QUARTO_PROJECT_DIR) : root;
const problems = checkReportEmbeds(projectDir);
if (problems.length > 0) {
  for (const p of problems) console.error(`[pre-render] ${p}`);
  console.error(`[pre-render] the report was not rendered: ${problems.length} embedded cell${problems.length === 1 ? '' : 's'} of the article cannot be shown (fixes above).`);
  process.exit(1);
}
