import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeNotebook, executeNotebooks, NotebookExecutionError, progressPrinter, type CellProgress } from '../src/pipeline/execute';
import { NOTEBOOK_NAMES, notebookPath, planNotebookJobs, type Protocol } from '../src/pipeline/plan';
import { readNotebook } from '../src/pipeline/notebook-file';
import { projectRoot } from '../src/util/paths';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-nbexec-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes a tslab notebook whose code cells are `cells` (label in metadata, as the project's notebooks do). */
function writeNotebook(name: string, cells: Array<{ source: string; label?: string }>): string {
  const file = path.join(tmp, name);
  const nb = {
    cells: [
      { cell_type: 'markdown', id: 'intro', metadata: {}, source: ['# test notebook'] },
      ...cells.map((c, i) => ({
        cell_type: 'code',
        id: `c${i}`,
        metadata: c.label ? { label: c.label } : {},
        source: c.source,
        outputs: [],
        execution_count: null,
      })),
    ],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(nb));
  return file;
}

function stdoutOf(file: string): string {
  return readNotebook(file)
    .cells.flatMap((c) => c.outputs ?? [])
    .filter((o) => o.output_type === 'stream' && o.name === 'stdout')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text ?? ''))
    .join('');
}

describe('executeNotebook (nbclient + tslab from the project venv)', () => {
  it('runs every cell with the given environment and writes the output elsewhere, leaving the input as it was', async () => {
    const input = writeNotebook('ok.ipynb', [
      { source: 'const profile: string = process.env.FMNIST_PROFILE ?? "none";\nconsole.log(`profile=${profile}`);', label: 'first' },
      { source: 'console.log(`sum=${[1, 2, 3].reduce((a, b) => a + b, 0)}`);' },
    ]);
    const before = fs.readFileSync(input, 'utf8');
    const output = path.join(tmp, 'out', 'ok.ipynb');
    const events: string[] = [];
    const run = await executeNotebook(input, { output, env: { FMNIST_PROFILE: 'smoke' }, onProgress: (e) => events.push(e.kind) });
    expect(run.codeCells).toBe(2);
    expect(stdoutOf(output)).toContain('profile=smoke');
    expect(stdoutOf(output)).toContain('sum=6');
    expect(fs.readFileSync(input, 'utf8')).toBe(before);
    expect(events.filter((e) => e === 'cell_done')).toHaveLength(2);
    expect(events.at(-1)).toBe('notebook_done');
    expect(fs.readdirSync(path.dirname(output))).toEqual(['ok.ipynb']); // no temp file left behind
  });

  it('a throwing cell fails with the notebook, the cell number and label, and the error text; the output is untouched', async () => {
    const input = writeNotebook('boom.ipynb', [
      { source: 'console.log("fine");' },
      { source: 'function explode(): never { throw new RangeError("kaboom: weights exploded"); }\nexplode();', label: 'fig-explodes' },
      { source: 'console.log("never runs");' },
    ]);
    const output = path.join(tmp, 'boom-out.ipynb');
    fs.writeFileSync(output, 'previous good output');
    const err = await executeNotebook(input, { output }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotebookExecutionError);
    const e = err as NotebookExecutionError;
    expect(e.message).toContain('boom.ipynb');
    expect(e.message).toContain('cell 3/4'); // the markdown cell counts: the index a reader sees in JupyterLab
    expect(e.message).toContain('label fig-explodes');
    expect(e.message).toContain('RangeError: kaboom: weights exploded');
    expect(e.cellIndex).toBe(2);
    expect(e.cellLabel).toBe('fig-explodes');
    expect(fs.readFileSync(output, 'utf8')).toBe('previous good output');
  });

  it('a TypeScript compile error names the cell and the diagnostic', async () => {
    const input = writeNotebook('typeerr.ipynb', [{ source: 'const n: number = "not a number";', label: 'bad-types' }]);
    const err = (await executeNotebook(input, { output: path.join(tmp, 'typeerr-out.ipynb') }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(NotebookExecutionError);
    expect(err.message).toMatch(/cell 2\/2 \(label bad-types\) failed: 1:7 - Type 'string' is not assignable to type 'number'/);
  });

  it('a failure outside any cell (here: an unknown kernel) quotes Jupyter and says how to repair the environment', async () => {
    const input = writeNotebook('nokernel.ipynb', [{ source: 'console.log(1);' }]);
    const err = (await executeNotebook(input, { output: path.join(tmp, 'nokernel-out.ipynb'), kernel: 'no-such-kernel' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/nokernel\.ipynb: notebook execution failed \(exit code 1\) outside any cell/);
    expect(err.message).toMatch(/No such kernel named no-such-kernel/);
    expect(err.message).toMatch(/bootstrap\.sh/);
    expect(fs.existsSync(path.join(tmp, 'nokernel-out.ipynb'))).toBe(false);
  });

  it('an interrupted execution stops the kernel and leaves no output', async () => {
    const pidFile = path.join(tmp, 'kernel.pid');
    const input = writeNotebook('slow.ipynb', [
      { source: `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));` },
      { source: 'await new Promise((r) => setTimeout(r, 60_000));' },
    ]);
    const output = path.join(tmp, 'slow-out.ipynb');
    const controller = new AbortController();
    const pending = executeNotebook(input, { output, signal: controller.signal }).catch((e: unknown) => e);
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const kernelPid = Number(fs.readFileSync(pidFile, 'utf8'));
    controller.abort();
    const err = (await pending) as Error & { exitCode?: number };
    expect(err.message).toMatch(/interrupted/);
    expect(err.exitCode).toBe(130);
    expect(fs.existsSync(output)).toBe(false);
    const alive = () => { try { process.kill(kernelPid, 0); return true; } catch { return false; } };
    const until = Date.now() + 15_000;
    while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(alive()).toBe(false);
  });
});

describe('a kernel that does not answer at startup', () => {
  // A kernel spec in a folder of its own, found through JUPYTER_PATH: the first start of
  // `silent-once` never answers (as a kernel that lost a port race does); later starts run tslab.
  const kernelsRoot = path.join(tmp, 'jupyter-path');
  const marker = path.join(tmp, 'silent-once.started');
  const tslabSpec = JSON.parse(fs.readFileSync(path.join(projectRoot(), '.jupyter', 'data', 'kernels', 'tslab', 'kernel.json'), 'utf8')) as { argv: string[] };
  function writeKernel(name: string, script: string): void {
    const dir = path.join(kernelsRoot, 'kernels', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'start.sh'), script);
    fs.writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify({ argv: ['bash', path.join(dir, 'start.sh'), '{connection_file}'], display_name: name, language: 'typescript' }));
  }
  const tslab = tslabSpec.argv.map((a) => (a === '{connection_file}' ? '"$1"' : JSON.stringify(a))).join(' ');
  writeKernel('silent-once', `if [ ! -e ${JSON.stringify(marker)} ]; then touch ${JSON.stringify(marker)}; exec sleep 600; fi\nexec ${tslab}\n`);
  writeKernel('always-silent', 'exec sleep 600\n');
  const env = { JUPYTER_PATH: kernelsRoot };

  it('is started again, the retry is reported, and the notebook runs', { timeout: 120_000 }, async () => {
    const input = writeNotebook('retry.ipynb', [{ source: 'console.log("ran after a retry");' }]);
    const output = path.join(tmp, 'retry-out.ipynb');
    const events: CellProgress[] = [];
    await executeNotebook(input, { output, env, kernel: 'silent-once', startupTimeoutSeconds: 4, startupAttempts: 2, onProgress: (e) => events.push(e) });
    expect(fs.existsSync(marker)).toBe(true);
    expect(stdoutOf(output)).toContain('ran after a retry');
    const retries = events.filter((e) => e.kind === 'kernel_retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, attempts: 2 });
    const printed: string[] = [];
    progressPrinter('t', (l) => printed.push(l))(retries[0]!);
    expect(printed[0]).toMatch(/^\[t\] the kernel did not answer \(Kernel didn't respond in 4 seconds\); starting a new one \(attempt 2\/2\)$/);
  });

  it('that never answers fails after the last attempt (each waits twice as long), saying so before any cell ran', { timeout: 120_000 }, async () => {
    const input = writeNotebook('silent.ipynb', [{ source: 'console.log(1);' }]);
    const output = path.join(tmp, 'silent-out.ipynb');
    const err = (await executeNotebook(input, { output, env, kernel: 'always-silent', startupTimeoutSeconds: 3, startupAttempts: 2 }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(NotebookExecutionError);
    expect(err.message).toMatch(/silent\.ipynb: before its first cell ran failed: KernelStartupError: the always-silent kernel did not start: Kernel didn't respond in 6 seconds \(attempt 2\/2\)/);
    expect(fs.existsSync(output)).toBe(false);
  });
});

describe('executeNotebooks', () => {
  it('runs independent notebooks concurrently and a dependent one only after them', async () => {
    const stamp = (name: string) => `require("fs").appendFileSync(${JSON.stringify(path.join(tmp, 'order.log'))}, "${name} " + Date.now() + "\\n");`;
    const mk = (name: string, pre = '') => writeNotebook(`${name}.ipynb`, [{ source: `${pre}${stamp(`${name}:start`)}` }, { source: `await new Promise((r) => setTimeout(r, 1500));\n${stamp(`${name}:end`)}` }]);
    const jobs = ['a', 'b', 'c'].map((n) => ({ id: n, notebook: mk(n), output: path.join(tmp, 'par', `${n}.ipynb`), after: n === 'c' ? ['a', 'b'] : [] }));
    const runs = await executeNotebooks(jobs, { concurrency: 2 });
    expect(runs.map((r) => path.basename(r.output))).toEqual(['a.ipynb', 'b.ipynb', 'c.ipynb']);
    const t = Object.fromEntries(fs.readFileSync(path.join(tmp, 'order.log'), 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
    // a and b overlap (both started before either ended); c starts after both ended.
    expect(Math.max(t['a:start'], t['b:start'])).toBeLessThan(Math.min(t['a:end'], t['b:end']));
    expect(t['c:start']).toBeGreaterThan(Math.max(t['a:end'], t['b:end']));
  });

  it('rejects a plan whose dependency does not exist', async () => {
    await expect(executeNotebooks([{ id: 'x', notebook: 'x.ipynb', after: ['missing'] }])).rejects.toThrow(/waits for unknown job missing/);
  });
});

describe('every project notebook under the smoke profile', () => {
  // The run writes where a smoke main job writes in a checkout (results/, figures/), but in a clone of
  // this commit (objects shared: it costs a second), so `git status` there shows what it would leave
  // behind: issue 19 found a smoke job leaving 72 untracked files in figures/official/smoke/.
  const clone = path.join(tmp, 'clone');
  // Outside a git checkout (an unpacked tarball) the run still happens, in a plain folder.
  const inGit = spawnSync('git', ['rev-parse', '--git-dir'], { cwd: projectRoot() }).status === 0;
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
  /** `git status` lines: untracked and modified files, ignored ones left out. */
  const status = (cwd: string) => git(cwd, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean);
  /** Untracked files in the checkout where a run could write (a run must never write there, but a kernel's cwd is notebooks/). */
  const untrackedHere = () => git(projectRoot(), 'status', '--porcelain', '--untracked-files=all', '--', 'notebooks', 'results', 'figures').split('\n').filter((l) => l.startsWith('??'));
  /** The smoke main job's plan with the results and figures folders `env` gives (undefined: the checkout's own). */
  const planWith = (env: Record<string, string | undefined>, protocols: Protocol[]) => {
    const saved = { ...process.env };
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    try {
      return planNotebookJobs({ profile: 'smoke', protocols });
    } finally {
      for (const k of Object.keys(env)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  };
  let cloneBefore: string[] = [];
  let checkoutBefore: string[] = [];
  let ran = false;

  // The notebooks import ../dist/index: make sure it is compiled from the current src/.
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(projectRoot(), 'scripts', 'ensure-built.js')], { stdio: 'inherit' });
    if (!inGit) {
      fs.mkdirSync(clone, { recursive: true });
      return;
    }
    git(tmp, 'clone', '--quiet', '--shared', '--no-checkout', projectRoot(), clone);
    git(clone, 'checkout', '--quiet', '--detach', git(projectRoot(), 'rev-parse', 'HEAD').trim());
    // The rules under test are the working tree's (an edited .gitignore is tested before it is committed).
    fs.copyFileSync(path.join(projectRoot(), '.gitignore'), path.join(clone, '.gitignore'));
    cloneBefore = status(clone);
    checkoutBefore = untrackedHere();
  });

  it('executes every notebook (all eight) through the main job executor without a cell error', { timeout: 1_800_000 }, async () => {
    const missing = NOTEBOOK_NAMES.filter((n) => !fs.existsSync(notebookPath(n)));
    expect(missing, `notebooks missing from ${path.join(projectRoot(), 'notebooks')}: ${missing.join(', ')}`).toEqual([]);
    const env = { FMNIST_RESULTS_DIR: path.join(clone, 'results'), FMNIST_FIGURES_DIR: path.join(clone, 'figures') };
    // Notebook 07 shows the seed study: a two-seed smoke study (seconds per run) stands in for it.
    execFileSync(process.execPath, [path.join(projectRoot(), 'bin', 'fmnist.js'), 'study', '--profile', 'smoke', '--seeds', '2'], {
      env: { ...process.env, FMNIST_RESULTS_DIR: env.FMNIST_RESULTS_DIR },
      stdio: 'inherit',
    });
    // Planned as the main job plans it (its folders per protocol, its executed-notebook paths), in the clone.
    const jobs = planWith(env, ['paper']);
    const runs = await executeNotebooks(jobs, { concurrency: 2 });
    expect(runs).toHaveLength(NOTEBOOK_NAMES.length);
    for (const run of runs) {
      expect(run.output.startsWith(clone)).toBe(true); // never overwrites notebooks/
      expect(readNotebook(run.output).cells.some((c) => (c.outputs?.length ?? 0) > 0)).toBe(true);
    }
    ran = true;
  });

  it.skipIf(!inGit)('leaves `git status` as it was: every file it wrote is gitignored, and no tracked file changed', () => {
    expect(ran, 'the smoke run above did not finish').toBe(true);
    // It did write (so an empty diff means "ignored", not "nothing written").
    expect(fs.readdirSync(path.join(clone, 'results', 'smoke', 'paper', 'notebooks'))).toHaveLength(NOTEBOOK_NAMES.length);
    expect(fs.existsSync(path.join(clone, 'figures', 'smoke'))).toBe(true);
    const added = status(clone).filter((l) => !cloneBefore.includes(l));
    expect(added, `the smoke run left these in git status (add their folder to .gitignore, or stop writing there):\n${added.join('\n')}`).toEqual([]);
    const here = untrackedHere().filter((l) => !checkoutBefore.includes(l));
    expect(here, `the smoke run wrote into this checkout:\n${here.join('\n')}`).toEqual([]);
  });

  it.skipIf(!inGit)('every folder a smoke main job writes to, under both protocols, is gitignored', () => {
    // The run above covers the paper protocol; the official one writes the same files under figures/official/.
    const root = projectRoot();
    const files = planWith({ FMNIST_RESULTS_DIR: undefined, FMNIST_FIGURES_DIR: undefined }, ['paper', 'official']).flatMap((job) => [
      job.output!,
      path.join(job.env!.FMNIST_FIGURES_DIR!, 'smoke', 'manifest.json'),
      path.join(job.env!.FMNIST_FIGURES_DIR!, 'smoke', 'fig-x.png'),
    ]);
    const relative = [...new Set(files)].map((f) => path.relative(root, f));
    expect(relative.every((f) => !f.startsWith('..')), relative.join('\n')).toBe(true);
    const res = spawnSync('git', ['check-ignore', '--no-index', '--verbose', '--non-matching', ...relative], { cwd: root, encoding: 'utf8' });
    const notIgnored = res.stdout.split('\n').filter((l) => l.startsWith('::')).map((l) => l.replace(/^::\s+/, ''));
    expect(notIgnored, `not gitignored: ${notIgnored.join(', ')}`).toEqual([]);
  });
});

describe('fmnist main (command line)', () => {
  it('--profile smoke --only 01 executes one notebook into results/smoke, never notebooks/, and prints the stage timings', { timeout: 600_000 }, () => {
    const out = path.join(tmp, 'main-cli');
    const before = fs.readFileSync(notebookPath('01-eda'), 'utf8');
    const res = spawnSync(process.execPath, ['bin/fmnist.js', 'main', '--profile', 'smoke', '--only', '01', '--no-render'], {
      cwd: projectRoot(),
      encoding: 'utf8',
      env: { ...process.env, FMNIST_RESULTS_DIR: path.join(out, 'results'), FMNIST_FIGURES_DIR: path.join(out, 'figures') },
    });
    expect(res.status, res.stderr).toBe(0);
    const executed = path.join(out, 'results', 'smoke', 'paper', 'notebooks', '01-eda.ipynb');
    expect(readNotebook(executed).cells.some((c) => (c.outputs?.length ?? 0) > 0)).toBe(true);
    expect(fs.readFileSync(notebookPath('01-eda'), 'utf8')).toBe(before);
    expect(res.stderr).toMatch(/Stage timings:\n\s+notebooks\s+[\d.]+ (s|min)/);
    // The kernel alone holds well over 0.1 GiB, so a sampler that missed the process tree would show here.
    const peak = /Peak memory: ([\d.]+) GiB \(summed PSS .*; summed RSS ([\d.]+) GiB\)/.exec(res.stderr);
    expect(peak, res.stderr).not.toBeNull();
    expect(Number(peak![1])).toBeGreaterThan(0.1);
    expect(Number(peak![2])).toBeGreaterThanOrEqual(Number(peak![1]));
    // A partial run (--only) is never recorded as the main job's timings.
    expect(fs.existsSync(path.join(out, 'results', 'smoke', 'pipeline-timings.json'))).toBe(false);
  });

  it('rejects an unknown notebook with the list of valid ones', () => {
    const res = spawnSync(process.execPath, ['bin/fmnist.js', 'main', '--only', 'zz'], { cwd: projectRoot(), encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/--only "zz" does not name one notebook; use one of: 01-eda, 02-pca/);
  });
});
