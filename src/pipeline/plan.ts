import * as path from 'node:path';
import { figuresDir, projectRoot, resultsDir } from '../util/paths';
import type { NotebookJob } from './execute';
import { DEFAULT_SEED } from '../results/layout';
import { BENCHMARK_PROTOCOL } from '../cited/benchmarks';
import { MODEL_NAMES, modelNotebook, modelSpec, type ModelName, type ModelNotebook } from '../models/registry';
import { INTERPRETED_MODELS } from '../interpretability/settings';

/** One notebook per model, from the registry, in reading order (their file names' numbers). */
const MODEL_NOTEBOOK_NAMES: readonly ModelNotebook[] = MODEL_NAMES.map(modelNotebook).sort();
/** The notebooks that are not about one model. */
const OTHER_NOTEBOOKS = ['01-eda', '02-pca', '07-comparison', '08-interpretability'] as const;

/** The project's notebooks, in reading order (file names without .ipynb). */
export const NOTEBOOK_NAMES: readonly NotebookName[] = [...OTHER_NOTEBOOKS, ...MODEL_NOTEBOOK_NAMES].sort();
export type NotebookName = (typeof OTHER_NOTEBOOKS)[number] | ModelNotebook;

/**
 * Notebooks whose results depend on the split protocol; the main job runs them under both.
 * EDA and PCA describe the whole dataset, so they run once; so does the interpretability notebook,
 * which explains the first protocol's models (the paper split's in the main job).
 */
const PROTOCOL_DEPENDENT: readonly NotebookName[] = [...MODEL_NOTEBOOK_NAMES, '07-comparison'];
const DEPENDS_ON: Partial<Record<NotebookName, readonly NotebookName[]>> = {
  // The comparison reads every model's saved results.
  '07-comparison': MODEL_NOTEBOOK_NAMES,
  // It loads the models those notebooks train (under the smoke profile it would otherwise train them itself).
  '08-interpretability': MODEL_NAMES.filter((m) => (INTERPRETED_MODELS as readonly ModelName[]).includes(m)).map(modelNotebook),
};
/**
 * Notebooks that also read another protocol's results: the comparison's benchmark figure always
 * shows the official split (the published results' test set), so under every protocol it waits
 * for the official model notebooks too, when they are part of the run.
 */
const DEPENDS_ON_PROTOCOL: Partial<Record<NotebookName, Protocol>> = { '07-comparison': BENCHMARK_PROTOCOL };
/**
 * Start order for two workers: slowest training first (the registry's per-epoch cost; ties in
 * registry order), so the short notebooks fill the gaps; EDA and PCA take a minute or two.
 */
const START_ORDER: readonly NotebookName[] = [
  ...[...MODEL_NAMES].sort((a, b) => modelSpec(b).epochCost - modelSpec(a).epochCost).map(modelNotebook),
  '02-pca',
  '01-eda',
  '07-comparison',
  '08-interpretability',
];

export type Protocol = 'paper' | 'official';
export const PROTOCOL_NAMES: readonly Protocol[] = ['paper', 'official'];

export function notebooksDir(): string {
  return path.join(projectRoot(), 'notebooks');
}

export function notebookPath(name: NotebookName): string {
  return path.join(notebooksDir(), `${name}.ipynb`);
}

/**
 * Where an executed notebook goes. Only the paper profile under the paper protocol replaces the
 * committed notebooks/ (what the report embeds); every other run keeps its copy under results/.
 */
export function executedNotebookPath(name: NotebookName, profile: string, protocol: Protocol): string {
  if (profile === 'paper' && protocol === 'paper') return notebookPath(name);
  const base = profile === 'paper' ? resultsDir() : path.join(resultsDir(), profile);
  return path.join(base, protocol, 'notebooks', `${name}.ipynb`);
}

/**
 * Figures of the official-protocol run go to figures/official/ so they never overwrite the
 * paper-protocol figures the report embeds (the notebooks add a /<profile> folder themselves
 * for non-paper profiles).
 */
function figuresDirFor(protocol: Protocol): string | undefined {
  return protocol === 'paper' ? undefined : protocolFiguresDir(protocol);
}

/** The folder holding the paper-profile figures and tables of a protocol: figures/ or figures/<protocol>/. */
export function protocolFiguresDir(protocol: Protocol): string {
  return protocol === 'paper' ? figuresDir() : path.join(figuresDir(), protocol);
}

/** Resolves `--only` input (`04-cnn1`, `04`, `04-cnn1.ipynb`, `notebooks/04-cnn1.ipynb`) to a notebook name. */
export function resolveNotebookName(input: string): NotebookName {
  const base = path.basename(input).replace(/\.ipynb$/, '');
  const matches = NOTEBOOK_NAMES.filter((n) => n === base || n.startsWith(`${base}-`));
  if (matches.length !== 1) {
    throw new Error(`--only ${JSON.stringify(input)} does not name one notebook; use one of: ${NOTEBOOK_NAMES.join(', ')}`);
  }
  return matches[0];
}

export interface PlanOptions {
  profile: string;
  protocols: readonly Protocol[];
  /** Run just these notebooks (their dependencies are assumed done: results are cached). */
  only?: readonly NotebookName[];
  /** Extra environment for every kernel (tests point FMNIST_RESULTS_DIR / FMNIST_FIGURES_DIR at temp dirs). */
  env?: Record<string, string | undefined>;
  /** Overrides where executed notebooks go (tests): a function of notebook and protocol. */
  outputFor?: (name: NotebookName, protocol: Protocol) => string;
}

/** The main job's notebook executions as jobs for {@link executeNotebooks}, with their dependencies. */
export function planNotebookJobs(options: PlanOptions): NotebookJob[] {
  const selected = new Set<NotebookName>(options.only ?? NOTEBOOK_NAMES);
  const jobs: NotebookJob[] = [];
  const id = (name: NotebookName, protocol: Protocol) => `${protocol}/${name}`;
  for (const name of START_ORDER) {
    if (!selected.has(name)) continue;
    const protocols = PROTOCOL_DEPENDENT.includes(name) ? options.protocols : options.protocols.slice(0, 1);
    for (const protocol of protocols) {
      const figures = figuresDirFor(protocol);
      jobs.push({
        id: id(name, protocol),
        notebook: notebookPath(name),
        output: options.outputFor?.(name, protocol) ?? executedNotebookPath(name, options.profile, protocol),
        cwd: notebooksDir(),
        after: dependencies(name, protocol, selected, options.protocols).map(([d, p]) => id(d, p)),
        // Every setting the main job owns is pinned, so nothing exported in the user's shell
        // (FMNIST_SEED, another results folder...) makes a kernel disagree with this process.
        env: {
          FMNIST_PROFILE: options.profile,
          FMNIST_PROTOCOL: protocol,
          FMNIST_SEED: String(DEFAULT_SEED),
          FMNIST_RESULTS_DIR: resultsDir(),
          FMNIST_FIGURES_DIR: figures ?? figuresDir(),
          ...options.env,
        },
      });
    }
  }
  return jobs;
}

/** The notebook jobs `name` under `protocol` waits for, among those selected for the run. */
function dependencies(name: NotebookName, protocol: Protocol, selected: ReadonlySet<NotebookName>, protocols: readonly Protocol[]): Array<[NotebookName, Protocol]> {
  const deps = (DEPENDS_ON[name] ?? []).filter((d) => selected.has(d));
  const other = DEPENDS_ON_PROTOCOL[name];
  const also = other && other !== protocol && protocols.includes(other) ? deps.map((d): [NotebookName, Protocol] => [d, other]) : [];
  return [...deps.map((d): [NotebookName, Protocol] => [d, protocol]), ...also];
}
