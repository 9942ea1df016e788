#!/usr/bin/env node
'use strict';
// Compiles src/ into dist/ when any source is newer than the last build, so the CLI and the
// notebooks (which import dist/) never run stale code. `npm run watch` does the same continuously.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

function ensureBuilt({ quiet = false } = {}) {
  const sources = Math.max(
    newestMtime(path.join(root, 'src')),
    fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
    fs.statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
  );
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  if (built >= sources) return false;
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!fs.existsSync(tsc)) {
    console.error('fmnist: TypeScript is not installed. Run `npm ci` (or `npm test`, which bootstraps) first.');
    process.exit(1);
  }
  if (!quiet) console.error('[build] compiling src/ -> dist/');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  } catch {
    console.error('fmnist: compiling src/ failed (errors above). Fix them and rerun.');
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
  return true;
}

/** For Quarto's pre- and post-render steps: build dist/ or exit naming the step and the fix. */
function ensureBuiltOrExit(step) {
  try {
    ensureBuilt({ quiet: true });
  } catch (err) {
    console.error(`[${step}] could not build src/ into dist/ (${err.message}). Run \`npm ci\` (or \`npm test\`, which bootstraps) first.`);
    process.exit(1);
  }
}

module.exports = { ensureBuilt, ensureBuiltOrExit };
if (require.main === module) ensureBuilt();
