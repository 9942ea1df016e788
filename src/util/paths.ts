import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';

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
  return dirFromEnv('FMNIST_RESULTS_DIR') ?? path.join(projectRoot(), 'results');
}

/** Where static figures and their manifest go: FMNIST_FIGURES_DIR or figures/. */
export function figuresDir(): string {
  return dirFromEnv('FMNIST_FIGURES_DIR') ?? path.join(projectRoot(), 'figures');
}

/**
 * An empty value counts as unset (it used to mean the working directory), and a relative one is made
 * absolute here: the main job passes it on to kernels that run in notebooks/, where it would name
 * another folder.
 */
function dirFromEnv(name: 'FMNIST_RESULTS_DIR' | 'FMNIST_FIGURES_DIR'): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : path.resolve(value);
}

/** The project's download cache for the dataset. */
export function dataCacheDir(): string {
  return path.join(projectRoot(), 'data');
}

function inside(parent: string, file: string): string | undefined {
  const rel = path.relative(parent, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)) ? rel : undefined;
}

/**
 * A path as printed to people and into notebook outputs: relative to the repository when inside it,
 * else relative to `$FMNIST_RESULTS_DIR` / `$FMNIST_FIGURES_DIR` or `~`, so committed outputs name no
 * folder of the machine that made them. Other paths (e.g. a system dataset folder) are kept as they are.
 */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const inProject = inside(projectRoot(), abs);
  if (inProject !== undefined) return inProject || '.';
  for (const variable of ['FMNIST_RESULTS_DIR', 'FMNIST_FIGURES_DIR'] as const) {
    const dir = process.env[variable];
    const rel = dir ? inside(path.resolve(dir), abs) : undefined;
    if (rel !== undefined) return rel ? `$${variable}/${rel}` : `$${variable}`;
  }
  const inHome = inside(os.homedir(), abs);
  return inHome ? `~/${inHome}` : abs;
}
