import * as path from 'node:path';
import { displayPath, figuresDir, projectRoot } from '../util/paths';
import { createFigureStaging, discardFigureStaging, promoteFigureStaging } from './figure-staging';
import { assertJupyterReady, spawnInProjectEnv } from './jupyter';
import { readNotebook } from './notebook-file';

/** One line of progress from a running notebook (what the Python helper reports). */
export type CellProgress =
  | { kind: 'cell_start'; notebook: string; index: number; label?: string; codeCell: number; codeCells: number }
  | { kind: 'cell_done'; notebook: string; index: number; label?: string; seconds: number }
  | { kind: 'output'; notebook: string; index: number; text: string }
  | { kind: 'notebook_done'; notebook: string; seconds: number }
  /** The kernel did not answer within the startup timeout and is being started again. */
  | { kind: 'kernel_retry'; notebook: string; attempt: number; attempts: number; error: string };

export interface ExecuteOptions {
  /** Where the executed notebook goes; default: the input itself (replaced atomically on success). */
  output?: string;
  /** Kernel working directory; default: the input's folder, so `../dist/index` imports resolve. */
  cwd?: string;
  /** Extra environment for the kernel, e.g. FMNIST_PROFILE, FMNIST_PROTOCOL, FMNIST_RESULTS_DIR. */
  env?: Record<string, string | undefined>;
  /** Per-cell timeout in seconds; default none (full-data training cells take many minutes). */
  timeoutSeconds?: number;
  /** Seconds a starting kernel has to answer before it is started again, doubled per attempt; default 60 (Jupyter's). */
  startupTimeoutSeconds?: number;
  /** Kernel starts tried before giving up; default 3 (60 + 120 + 240 s at most). */
  startupAttempts?: number;
  /** Jupyter kernel name; default 'tslab'. */
  kernel?: string;
  onProgress?: (event: CellProgress) => void;
  /** Aborting stops the execution (the output and the figures folder are left untouched). */
  signal?: AbortSignal;
}

export interface NotebookRun {
  notebook: string;
  output: string;
  seconds: number;
  codeCells: number;
}

/** A cell failed: carries the notebook, the cell (0-based index and Quarto label) and the kernel's error text. */
export class NotebookExecutionError extends Error {
  constructor(
    message: string,
    readonly notebook: string,
    readonly cellIndex: number | null,
    readonly cellLabel: string | undefined,
    readonly errorText: string,
  ) {
    super(message);
    this.name = 'NotebookExecutionError';
  }
}

const HELPER = path.join('scripts', 'execute-notebook.py');
// Lines of the kernel's error text kept in the message: enough for a stack, not a wall of text.
const EXCERPT_LINES = 15;

/**
 * Executes one notebook with Jupyter's own client (nbclient, from the project venv) and the
 * project's tslab kernel. On success the executed notebook replaces `output` atomically; on a
 * failing cell it rejects with a {@link NotebookExecutionError} naming notebook, cell and error.
 *
 * The kernel writes its figures into a private staging folder (see figure-staging.ts); they are
 * moved into the figures folder (FMNIST_FIGURES_DIR of `env`, else of this process, else figures/)
 * and merged into its manifest only after the notebook succeeded. A failed or aborted execution
 * leaves the figures folder and its manifest untouched.
 */
export async function executeNotebook(input: string, options: ExecuteOptions = {}): Promise<NotebookRun> {
  assertJupyterReady();
  const notebook = path.resolve(input);
  const output = path.resolve(options.output ?? notebook);
  const cellCount = readNotebook(notebook).cells.length; // also fails early on a broken file
  const shown = displayPath(notebook);
  if (options.signal?.aborted) throw abortError(shown);
  const staging = createFigureStaging(options.env?.FMNIST_FIGURES_DIR ?? figuresDir(), path.basename(notebook, '.ipynb'));
  let run: NotebookRun;
  try {
    run = await runKernel(notebook, output, cellCount, shown, { ...options, env: { ...options.env, FMNIST_FIGURES_DIR: staging.dir } });
  } catch (err) {
    discardFigureStaging(staging);
    throw err;
  }
  // The notebook is in place: only now may its figures claim a complete run.
  await promoteFigureStaging(staging);
  return run;
}

async function runKernel(notebook: string, output: string, cellCount: number, shown: string, options: ExecuteOptions): Promise<NotebookRun> {
  const args = [
    path.join(projectRoot(), HELPER),
    notebook,
    output,
    '--cwd',
    path.resolve(options.cwd ?? path.dirname(notebook)),
    '--kernel',
    options.kernel ?? 'tslab',
    '--timeout',
    String(options.timeoutSeconds ?? 0),
    '--startup-timeout',
    String(options.startupTimeoutSeconds ?? 60),
    '--startup-attempts',
    String(options.startupAttempts ?? 3),
  ];

  const child = spawnInProjectEnv('python', args, {
    // One line per epoch, not JupyterLab's updating line: the log and the saved outputs stay line by line.
    env: { ...process.env, FMNIST_NOTEBOOK_PROGRESS: 'epochs', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let failure: { index: number | null; label?: string; error: string } | undefined;
  let done: { seconds: number; codeCells: number } | undefined;
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // not one of our events (a library printing to stdout)
      }
      const label = typeof ev.label === 'string' ? ev.label : undefined;
      if (ev.event === 'cell_start') {
        options.onProgress?.({ kind: 'cell_start', notebook: shown, index: ev.index as number, label, codeCell: ev.code_cell as number, codeCells: ev.code_cells as number });
      } else if (ev.event === 'cell_done') {
        options.onProgress?.({ kind: 'cell_done', notebook: shown, index: ev.index as number, label, seconds: ev.seconds as number });
      } else if (ev.event === 'output') {
        options.onProgress?.({ kind: 'output', notebook: shown, index: ev.index as number, text: String(ev.text ?? '') });
      } else if (ev.event === 'kernel_retry') {
        options.onProgress?.({ kind: 'kernel_retry', notebook: shown, attempt: ev.attempt as number, attempts: ev.attempts as number, error: String(ev.error ?? '') });
      } else if (ev.event === 'cell_error') {
        failure = { index: (ev.index as number | null) ?? null, label, error: String(ev.error ?? '') };
      } else if (ev.event === 'notebook_done') {
        done = { seconds: ev.seconds as number, codeCells: ev.code_cells as number };
        options.onProgress?.({ kind: 'notebook_done', notebook: shown, seconds: done.seconds });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });

  let aborted = false;
  const onAbort = () => {
    aborted = true;
    child.kill('SIGTERM'); // nbclient shuts the kernel down on SIGTERM
    setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  }).finally(() => options.signal?.removeEventListener('abort', onAbort));

  if (aborted) throw abortError(shown);
  if (failure) {
    const errorText = stripAnsi(failure.error).trim();
    const where =
      failure.index === null
        ? 'before its first cell ran'
        : `cell ${failure.index + 1}/${cellCount}${failure.label ? ` (label ${failure.label})` : ''}`;
    const head = headline(errorText);
    // The excerpt gives the context (stack, further diagnostics) without repeating the headline.
    const lines = errorText.split('\n');
    const headAt = lines.findIndex((l) => l.trim() === head);
    const rest = lines.filter((_, i) => i !== headAt).join('\n').trim();
    throw new NotebookExecutionError(
      `${shown}: ${where} failed: ${head}${rest ? `\n${excerpt(rest)}` : ''}`,
      notebook,
      failure.index,
      failure.label,
      errorText,
    );
  }
  if (exitCode !== 0 || !done) {
    throw new Error(
      `${shown}: notebook execution failed (exit code ${exitCode}) outside any cell. Jupyter said:\n${excerpt(stripAnsi(stderr).trim(), 'end') || '(nothing)'}\n` +
        'Check that `bash scripts/jupyter.sh kernelspec list` shows tslab; `bash scripts/bootstrap.sh` repairs the environment.',
    );
  }
  return { notebook, output, seconds: done.seconds, codeCells: done.codeCells };
}

export interface NotebookJob extends ExecuteOptions {
  notebook: string;
  /** Identifier other jobs wait for; default: the notebook path. */
  id?: string;
  /** Ids of jobs that must finish first (e.g. the comparison waits for the four model notebooks). */
  after?: string[];
}

/**
 * Executes notebooks, up to `concurrency` at once (one kernel process each, so independent
 * notebooks use separate cores), honouring `after` dependencies. On the first failure the
 * others are stopped and that failure is thrown. Results come back in the order of `jobs`.
 */
export async function executeNotebooks(
  jobs: NotebookJob[],
  options: { concurrency?: number; signal?: AbortSignal; onStart?: (job: NotebookJob) => void; onFinish?: (job: NotebookJob, run: NotebookRun) => void } = {},
): Promise<NotebookRun[]> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const ids = jobs.map((j) => j.id ?? j.notebook);
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate notebook job ids: ${ids.join(', ')}`);
  for (const job of jobs) {
    for (const dep of job.after ?? []) {
      if (!ids.includes(dep)) throw new Error(`notebook job ${job.id ?? job.notebook} waits for unknown job ${dep}`);
    }
  }
  const results = new Array<NotebookRun | undefined>(jobs.length);
  const finished = new Set<string>();
  const started = new Set<number>();
  const running = new Map<number, Promise<void>>();
  const stop = new AbortController();
  const forwardAbort = () => stop.abort();
  // One signal stops everything: the caller's, or any job's own.
  for (const s of [options.signal, ...jobs.map((j) => j.signal)]) s?.addEventListener('abort', forwardAbort, { once: true });
  if ([options.signal, ...jobs.map((j) => j.signal)].some((s) => s?.aborted)) stop.abort();
  let firstError: unknown;

  try {
    for (;;) {
      if (!firstError && !stop.signal.aborted) {
        for (let i = 0; i < jobs.length && running.size < concurrency; i++) {
          if (started.has(i) || !(jobs[i].after ?? []).every((d) => finished.has(d))) continue;
          started.add(i);
          const job = jobs[i];
          options.onStart?.(job);
          running.set(
            i,
            executeNotebook(job.notebook, { ...job, signal: stop.signal })
              .then((run) => {
                results[i] = run;
                finished.add(ids[i]);
                options.onFinish?.(job, run);
              })
              .catch((err: unknown) => {
                if (!firstError) firstError = err;
                stop.abort(); // stop the siblings: the run has failed anyway
              })
              .finally(() => running.delete(i)),
          );
        }
      }
      if (running.size === 0) {
        if (firstError || stop.signal.aborted || finished.size === jobs.length) break;
        throw new Error(`notebook jobs cannot start, their dependencies never finish: ${ids.filter((id) => !finished.has(id)).join(', ')}`);
      }
      await Promise.race(running.values());
    }
  } finally {
    for (const s of [options.signal, ...jobs.map((j) => j.signal)]) s?.removeEventListener('abort', forwardAbort);
  }
  if (firstError) throw firstError;
  if (stop.signal.aborted) throw abortError('notebook execution');
  return results as NotebookRun[];
}

/**
 * A one-line progress printer for long runs: `[paper/04-cnn1] cell 3/12 fig-cnn1-history ...`, the
 * kernel's own stdout lines (per-epoch training lines) as they arrive, and each cell's time.
 * `tag` names the run (the main job passes its job id, since one notebook runs under two protocols).
 */
export function progressPrinter(tag?: string, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): (e: CellProgress) => void {
  return (e) => {
    const name = tag ?? path.basename(e.notebook, '.ipynb');
    if (e.kind === 'cell_start') write(`[${name}] cell ${e.codeCell}/${e.codeCells}${e.label ? ` ${e.label}` : ''} ...`);
    else if (e.kind === 'output') write(`[${name}]   ${e.text}`);
    else if (e.kind === 'cell_done') write(`[${name}]   done in ${e.seconds.toFixed(1)} s`);
    else if (e.kind === 'kernel_retry') write(`[${name}] the kernel did not answer (${e.error}); starting a new one (attempt ${e.attempt + 1}/${e.attempts})`);
    else write(`[${name}] finished in ${e.seconds.toFixed(1)} s`);
  };
}

function abortError(what: string): Error {
  const err = new Error(`${what}: execution interrupted; the notebook was left as it was`) as Error & { exitCode: number };
  err.exitCode = 130;
  return err;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** The line that names the error: `RangeError: ...`, a TypeScript diagnostic `3:7 - ...`, or the first line. */
function headline(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (
    lines.find((l) => /^([A-Za-z_$][\w$.]*)?(Error|Exception)\b.*:/.test(l) || /^\d+:\d+ - /.test(l)) ??
    lines[0] ??
    '(the kernel reported no error text)'
  );
}

/** The first (or, for a Python traceback, the last) EXCERPT_LINES lines. */
function excerpt(text: string, keep: 'start' | 'end' = 'start'): string {
  const lines = text.split('\n');
  if (lines.length <= EXCERPT_LINES) return text;
  const omitted = `... (${lines.length - EXCERPT_LINES} more lines)`;
  return keep === 'start' ? [...lines.slice(0, EXCERPT_LINES), omitted].join('\n') : [omitted, ...lines.slice(-EXCERPT_LINES)].join('\n');
}
