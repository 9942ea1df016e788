import { spawnSync } from 'node:child_process';
import { envScript, spawnInProjectEnv } from './jupyter';
import { projectRoot } from '../util/paths';

/** Exit status of `fmnist main` when everything ran but Quarto 1.4+ was not there to render the report. */
export const QUARTO_MISSING_EXIT_CODE = 3;
export const MIN_QUARTO: readonly [number, number] = [1, 4];

export type QuartoStatus = { found: true; version: string } | { found: false; reason: string };

/** Looks for `quarto` on the PATH (as scripts/env.sh sets it) and checks it is 1.4 or newer (manuscripts). */
export function findQuarto(): QuartoStatus {
  const res = spawnSync('bash', ['-c', 'source "$0" && quarto --version', envScript()], { cwd: projectRoot(), encoding: 'utf8' });
  if (res.error || res.status !== 0) return { found: false, reason: 'quarto is not on the PATH' };
  const version = res.stdout.trim();
  if (!versionAtLeast(version, MIN_QUARTO)) return { found: false, reason: `quarto ${version} is too old (manuscript projects need ${MIN_QUARTO.join('.')} or newer)` };
  return { found: true, version };
}

export function versionAtLeast(version: string, min: readonly number[]): boolean {
  const parts = version.split(/[.-]/).map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < min.length; i++) {
    const v = Number.isFinite(parts[i]) ? parts[i] : 0;
    if (v !== min[i]) return v > min[i];
  }
  return true;
}

/** What to tell a user without Quarto: the notebooks ran; the HTML/PDF needs Quarto 1.4+. */
export function quartoMissingMessage(reason: string): string {
  return [
    `The notebooks were executed, but the report was not rendered: ${reason}.`,
    'The final HTML and PDF report needs Quarto 1.4 or newer: https://quarto.org/docs/get-started/',
    'For the PDF, also run `quarto install tinytex` once (a small LaTeX distribution).',
    'Then rerun `npm run main` (trained models are reused from the cache), or render the executed notebooks with',
    '`node bin/fmnist.js main --skip-notebooks`.',
  ].join('\n');
}

/**
 * Runs `quarto render` on the project with the project's Jupyter environment (QUARTO_PYTHON,
 * JUPYTER_PATH from scripts/env.sh). _quarto.yml keeps Quarto from executing the notebooks: it
 * only uses their stored outputs.
 */
export async function renderManuscript(args: string[] = []): Promise<void> {
  const child = spawnInProjectEnv('quarto', ['render', ...args], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`quarto render failed (exit code ${code}); its messages are above. The notebooks and results are complete; fix the report and rerun with --skip-notebooks`);
}
