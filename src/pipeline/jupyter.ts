import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { projectRoot } from '../util/paths';

/**
 * Where the project-local Jupyter tooling lives. scripts/env.sh is the single source of truth
 * for the environment (JUPYTER_DATA_DIR, JUPYTER_PATH, QUARTO_PYTHON, PATH); commands are
 * started through it rather than re-deriving those variables here.
 */
export function envScript(): string {
  return path.join(projectRoot(), 'scripts', 'env.sh');
}

export function venvPython(): string {
  return path.join(projectRoot(), '.venv', 'bin', 'python');
}

export function tslabKernelSpec(): string {
  return path.join(projectRoot(), '.jupyter', 'data', 'kernels', 'tslab', 'kernel.json');
}

/** Fails with the fix when the venv or the tslab kernel spec that bootstrap creates is missing. */
export function assertJupyterReady(): void {
  if (!fs.existsSync(venvPython())) {
    throw new Error(
      `the project's Jupyter environment is missing (${path.relative(projectRoot(), venvPython())}); ` +
        'run `bash scripts/bootstrap.sh` (or `npm test` / `npm run main`, which bootstrap) first',
    );
  }
  if (!fs.existsSync(tslabKernelSpec())) {
    throw new Error(
      `the tslab kernel spec is missing (${path.relative(projectRoot(), tslabKernelSpec())}); ` +
        'run `node scripts/write-kernelspec.js` or `bash scripts/bootstrap.sh`',
    );
  }
}

/**
 * Spawns `command args...` after sourcing scripts/env.sh, so it sees the project's venv first
 * on PATH and the project-local Jupyter directories. `detached` puts it in its own process
 * group so the whole tree can be stopped together.
 */
export function spawnInProjectEnv(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('bash', ['-c', 'source "$0" && exec "$@"', envScript(), command, ...args], {
    cwd: projectRoot(),
    ...options,
  });
}
