import * as path from 'node:path';
import * as fs from 'node:fs';

/** The repository root: the nearest folder above this file that holds package.json (works from src/ and dist/). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root (package.json) above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** Where results are written: FMNIST_RESULTS_DIR (tests point it at a temp dir) or results/. */
export function resultsDir(): string {
  return process.env.FMNIST_RESULTS_DIR ?? path.join(projectRoot(), 'results');
}

/** Where static figures and their manifest go: FMNIST_FIGURES_DIR or figures/. */
export function figuresDir(): string {
  return process.env.FMNIST_FIGURES_DIR ?? path.join(projectRoot(), 'figures');
}

/** The project's download cache for the dataset. */
export function dataCacheDir(): string {
  return path.join(projectRoot(), 'data');
}
