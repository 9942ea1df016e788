#!/usr/bin/env node
'use strict';
// Entry point of `npx fmnist`: rebuild dist/ if src/ changed, then run the compiled CLI.
// FMNIST_SKIP_BUILD: set by `fmnist study` for its training processes (the parent built dist/ already;
// two children rebuilding it at once would race).
if (!process.env.FMNIST_SKIP_BUILD) require('../scripts/ensure-built.js').ensureBuilt();
require('../dist/cli/main.js')
  .main(process.argv)
  .catch((err) => {
    console.error(`fmnist: ${err && err.message ? err.message : err}`);
    process.exit(typeof err?.exitCode === 'number' ? err.exitCode : 1);
  });
