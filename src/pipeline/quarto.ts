import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { envScript, spawnInProjectEnv } from './jupyter';
import { projectRoot } from '../util/paths';

/** Exit status of `fmnist main` when everything ran but Quarto 1.4+ was not there to render the report. */
export const QUARTO_MISSING_EXIT_CODE = 3;
export const MIN_QUARTO: readonly [number, number] = [1, 4];

export type QuartoStatus = { found: true; version: string; path: string; source: QuartoSource } | { found: false; reason: string };
export type QuartoSource = 'QUARTO_PATH' | 'PATH' | 'project';

/** Where the project-local Quarto lives when installed with the offline installer (gitignored). */
export function projectQuartoPath(): string {
  return path.join(projectRoot(), '.tools', 'quarto', 'bin', 'quarto');
}

/**
 * The Quarto to render with: `QUARTO_PATH` (the executable, as Quarto's own tools spell it) when set,
 * else `quarto` on the PATH (as scripts/env.sh sets it), else the project-local `.tools/quarto`.
 * It must be 1.4 or newer (manuscript projects). A QUARTO_PATH that does not work is an error, not a
 * reason to fall back silently to another Quarto.
 */
export function findQuarto(env: NodeJS.ProcessEnv = process.env, local: string = projectQuartoPath()): QuartoStatus {
  const explicit = env.QUARTO_PATH?.trim();
  if (explicit) {
    const version = quartoVersion(explicit, env);
    if (version === undefined) return { found: false, reason: `QUARTO_PATH=${explicit} does not run (\`${explicit} --version\` failed)` };
    return checked(version, explicit, 'QUARTO_PATH');
  }
  const onPath = spawnSync('bash', ['-c', 'source "$0" && command -v quarto', envScript()], { cwd: projectRoot(), encoding: 'utf8', env });
  const pathQuarto = onPath.status === 0 ? onPath.stdout.trim() : '';
  if (pathQuarto) {
    const version = quartoVersion(pathQuarto, env);
    if (version !== undefined) return checked(version, pathQuarto, 'PATH');
  }
  if (fs.existsSync(local)) {
    const version = quartoVersion(local, env);
    if (version !== undefined) return checked(version, local, 'project');
  }
  return { found: false, reason: pathQuarto ? `${pathQuarto} --version failed` : 'quarto is not on the PATH (and QUARTO_PATH is not set)' };
}

function checked(version: string, file: string, source: QuartoSource): QuartoStatus {
  if (!versionAtLeast(version, MIN_QUARTO)) return { found: false, reason: `quarto ${version} (${file}) is too old (manuscript projects need ${MIN_QUARTO.join('.')} or newer)` };
  return { found: true, version, path: file, source };
}

function quartoVersion(file: string, env: NodeJS.ProcessEnv): string | undefined {
  const res = spawnSync(file, ['--version'], { encoding: 'utf8', env, timeout: 60_000 });
  if (res.error || res.status !== 0) return undefined;
  const version = res.stdout.trim().split('\n').pop()?.trim() ?? '';
  return /^\d+\.\d+/.test(version) ? version : undefined;
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
    'Put `quarto` on the PATH or point QUARTO_PATH at the executable; without internet access, an offline',
    'installer such as `bash ../shared/tools/quarto/install.sh .tools/quarto` (where one is provided) puts it in .tools/quarto, which is used too.',
    'For the PDF, also run `quarto install tinytex` once (a small LaTeX distribution), or install TeX Live',
    '(Debian: texlive-xetex texlive-latex-extra texlive-fonts-recommended lmodern).',
    'Then rerun `npm run main` (trained models are reused from the cache), or render the executed notebooks with',
    '`node bin/fmnist.js main --skip-notebooks`.',
  ].join('\n');
}

/**
 * Runs `quarto render` on the project with the project's Jupyter environment (QUARTO_PYTHON,
 * JUPYTER_PATH from scripts/env.sh). _quarto.yml keeps Quarto from executing the notebooks: it
 * only uses their stored outputs.
 */
export async function renderManuscript(quarto: string, args: string[] = []): Promise<void> {
  const child = spawnInProjectEnv(quarto, ['render', ...args], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`quarto render failed (exit code ${code}); its messages are above. The notebooks and results are complete; fix the report and rerun with --skip-notebooks`);
}
