#!/usr/bin/env node
'use strict';
// Registers the tslab kernel in the project-local Jupyter data dir (.jupyter/data/kernels/tslab),
// the kernel `tslab install` would register, but pinned to this project's node and tslab (through
// scripts/tslab-kernel.js, which also answers JupyterLab's history requests), so nothing global is
// changed. Rewritten on every bootstrap: the paths are machine-specific.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tslab = path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');
if (!fs.existsSync(tslab)) {
  console.error('write-kernelspec: node_modules/tslab is missing. Run `npm ci` first.');
  process.exit(1);
}
const dir = path.join(process.env.JUPYTER_DATA_DIR || path.join(root, '.jupyter', 'data'), 'kernels', 'tslab');
const spec = {
  argv: [process.execPath, path.join(root, 'scripts', 'tslab-kernel.js'), '{connection_file}'],
  display_name: 'TypeScript (tslab)',
  language: 'typescript',
};
const file = path.join(dir, 'kernel.json');
const text = JSON.stringify(spec, null, 1) + '\n';
if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file + '.tmp', text);
  fs.renameSync(file + '.tmp', file);
  console.error(`[bootstrap] tslab kernel registered in ${path.relative(root, dir)}`);
}
