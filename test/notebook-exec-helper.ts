/**
 * Test helper: executes a notebook through the project's Jupyter (nbconvert + the project-local tslab
 * kernel, as the main job does) and returns the executed notebook JSON.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

export interface NotebookJson {
  cells: Array<{ cell_type: string; source: string | string[]; metadata: Record<string, unknown>; outputs?: Array<Record<string, any>> }>;
  metadata: Record<string, any>;
  nbformat: number;
  nbformat_minor: number;
}

/** A minimal nbformat-4 tslab notebook from code-cell sources. */
export function tslabNotebook(cells: string[]): NotebookJson {
  return {
    cells: cells.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null }) as any),
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' },
      language_info: { name: 'typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/**
 * Compiles just `entries` (and what they import) from src/ into `outDir`, so a test notebook can import
 * them without depending on the rest of src/ compiling. Returns outDir.
 */
export function compileEntries(entries: string[], outDir: string): string {
  const tsconfig = path.join(outDir, 'tsconfig.json');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { rootDir: path.join(ROOT, 'src'), outDir, noEmit: false, sourceMap: false },
      files: entries.map((e) => path.join(ROOT, e)),
      include: [],
    }),
  );
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`compiling ${entries.join(', ')} failed:\n${(err as { stdout?: Buffer }).stdout?.toString() ?? ''}`);
  }
  return outDir;
}

/** Executes `file` in place with `env` added to the kernel's environment; throws with Jupyter's stderr on a cell error. */
export function executeNotebook(file: string, env: Record<string, string> = {}, timeoutSeconds = 300): NotebookJson {
  const script = [
    'set -euo pipefail',
    'source scripts/env.sh',
    'node scripts/write-kernelspec.js',
    `"$FMNIST_VENV/bin/jupyter" nbconvert --to notebook --execute --inplace --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout=${timeoutSeconds} "$NB"`,
  ].join('\n');
  try {
    execFileSync('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, FMNIST_NOTEBOOK_PROGRESS: 'epochs', ...env, NB: file }, stdio: 'pipe', timeout: (timeoutSeconds + 60) * 1000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`executing ${file} failed:\n${e.stderr?.toString().slice(-4000) ?? e.message}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as NotebookJson;
}
