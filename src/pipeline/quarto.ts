import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { envScript, spawnInProjectEnv } from './jupyter';
import { projectRoot } from '../util/paths';
import { checkReportEmbeds, readQuartoProject } from '../report/checks';

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

/** Thrown before Quarto runs when an embedded cell cannot be shown; nothing was rendered or removed. */
export class ReportEmbedError extends Error {
  constructor(readonly problems: readonly string[], outputDir: string) {
    const n = problems.length;
    super(
      `the report was not rendered: ${n} embedded cell${n === 1 ? '' : 's'} of the article cannot be shown (the previous report in ${outputDir}/ is kept):\n  ` +
        problems.join('\n  '),
    );
    this.name = 'ReportEmbedError';
  }
}

export interface RenderOptions {
  /** The Quarto project folder (default: the repository). */
  root?: string;
}

/**
 * Runs `quarto render` on the project with the project's Jupyter environment (QUARTO_PYTHON,
 * JUPYTER_PATH from scripts/env.sh). _quarto.yml keeps Quarto from executing the notebooks: it
 * only uses their stored outputs, so every embed is checked against them first. Quarto empties the
 * output folder before it renders anything, so the previous report is set aside and put back when the
 * render fails: a failed render never costs the report that was there.
 */
export async function renderManuscript(quarto: string, args: string[] = [], options: RenderOptions = {}): Promise<void> {
  const root = options.root ?? projectRoot();
  const outputName = quartoOutputDir(root);
  const problems = checkReportEmbeds(root);
  if (problems.length) throw new ReportEmbedError(problems, outputName);
  const previous = setAsidePreviousReport(root, outputName);
  let code: number | null;
  try {
    const child = spawnInProjectEnv(quarto, ['render', ...args], { stdio: 'inherit', cwd: root });
    code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
  } catch (err) {
    previous.restore();
    throw err;
  }
  if (code !== 0) {
    const kept = previous.restore() ? `the previous report is back in ${outputName}/` : `there was no previous report in ${outputName}/`;
    throw new Error(`quarto render failed (exit code ${code}); its messages are above, and ${kept}. The notebooks and results are complete; fix the report and rerun with --skip-notebooks`);
  }
  previous.discard();
}

/** The project's output folder as _quarto.yml names it (`_manuscript`). */
function quartoOutputDir(root: string): string {
  const project = readQuartoProject(path.join(root, '_quarto.yml')).raw.project as Record<string, unknown> | undefined;
  return typeof project?.['output-dir'] === 'string' ? project['output-dir'] : '_manuscript';
}

/** Where the previous report waits while Quarto renders (gitignored; same file system, so a rename). */
export function previousReportDir(root: string): string {
  return path.join(root, '.cache', 'manuscript-previous');
}

/**
 * Moves the output folder aside. A folder already there was left by a render that was killed: it is
 * the last complete report, so it stays, and whatever that render left in the output folder goes.
 */
function setAsidePreviousReport(root: string, outputName: string): { restore(): boolean; discard(): void } {
  const out = path.join(root, outputName);
  const aside = previousReportDir(root);
  if (fs.existsSync(aside)) fs.rmSync(out, { recursive: true, force: true });
  else if (fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(aside), { recursive: true });
    fs.renameSync(out, aside);
  }
  return {
    restore: () => {
      if (!fs.existsSync(aside)) return false;
      fs.rmSync(out, { recursive: true, force: true });
      fs.renameSync(aside, out);
      return true;
    },
    discard: () => fs.rmSync(aside, { recursive: true, force: true }),
  };
}
