/**
 * What a notebook runs under, read from the environment so CI (smoke) and the main job (paper) execute
 * the same notebooks unchanged, plus the name of the notebook being run (for the figure manifest).
 *
 * Every notebook starts with:
 *   const settings = setNotebook('03-ann');   // name = file name without .ipynb
 * and passes `settings.profile`, `settings.protocol`, `settings.seed` to the training/data calls.
 */
import * as path from 'node:path';
import type { SplitProtocol } from '../data/types';
import { figuresDir } from '../util/paths';
import { PROFILE_NAMES, type ProfileName } from '../training/profiles';
import { parseProfile, parseProtocol, parseSeed } from '../util/environment';

/** Notebook run profiles: the training conditions (`smoke`: tests, CI; `paper`: the committed run; `faithful`: the paper's own recipe). */
export type NotebookProfile = ProfileName;
export const NOTEBOOK_PROFILES: readonly NotebookProfile[] = PROFILE_NAMES;

export interface NotebookSettings {
  /** FMNIST_PROFILE, default 'paper'. */
  profile: NotebookProfile;
  /** FMNIST_PROTOCOL, default 'paper' (the paper's 60:20:20 split). */
  protocol: SplitProtocol;
  /** FMNIST_SEED, default 42. */
  seed: number;
  /** Where this profile's static figures and manifest go (see {@link figuresDirFor}). */
  figuresDir: string;
}

/**
 * Reads FMNIST_PROFILE, FMNIST_PROTOCOL and FMNIST_SEED (defaults: paper, paper, 42).
 * Throws an Error naming the variable and the accepted values when one is invalid.
 */
export function notebookSettings(env: NodeJS.ProcessEnv = process.env): NotebookSettings {
  const profile = parseProfile(env.FMNIST_PROFILE);
  const protocol = parseProtocol(env.FMNIST_PROTOCOL);
  const seed = parseSeed(env.FMNIST_SEED);
  return { profile, protocol, seed, figuresDir: figuresDirFor(profile) };
}

/**
 * The committed figures belong to the paper profile: they go to figuresDir() (figures/ or FMNIST_FIGURES_DIR).
 * Any other profile writes to figuresDir()/<profile>/, so a smoke run never overwrites them.
 */
export function figuresDirFor(profile: NotebookProfile): string {
  return profile === 'paper' ? figuresDir() : path.join(figuresDir(), profile);
}

/** Provenance recorded with every figure in figures/manifest.json (merged over the notebook-wide values). */
export interface FigureProvenance {
  /** SHA-256 of each data file the figure derives from, keyed by file name. */
  dataChecksums?: Record<string, string>;
  /** TensorFlow.js backend, for figures made from trained models. */
  backend?: string;
  /** Anything else worth recording (e.g. the results files a figure reads). */
  [key: string]: unknown;
}

interface NotebookState {
  name: string | undefined;
  provenance: FigureProvenance;
  /** Set by a training call with overrides: the figures shown after it go to this folder instead. */
  figuresDir: string | undefined;
}
const state: NotebookState = { name: undefined, provenance: {}, figuresDir: undefined };

/**
 * Where the figures and tables shown now go: the profile's folder ({@link figuresDirFor}), or the
 * folder of the experiment run last trained in this notebook ({@link useVariantFiguresDir}).
 */
export function currentFiguresDir(settings: NotebookSettings = notebookSettings()): string {
  return state.figuresDir ?? settings.figuresDir;
}

/**
 * A run trained with overrides or another seed is an experiment: the figures shown after it must not
 * replace the committed ones, so they go to `<figures>/variants/<its results folder>/` (not committed),
 * with a manifest of their own. `undefined` goes back to the profile's folder.
 */
export function useVariantFiguresDir(variant: string | undefined, settings: NotebookSettings = notebookSettings()): string {
  state.figuresDir = variant === undefined ? undefined : path.join(settings.figuresDir, 'variants', variant);
  return currentFiguresDir(settings);
}

/**
 * Records which notebook is running (its file name without .ipynb, e.g. '01-eda') and resets the
 * notebook-wide provenance. Notebooks call `setNotebook()` from src/figures/show.ts, which does this and more.
 */
export function setNotebookName(name: string): void {
  if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) {
    throw new Error(`setNotebook(${JSON.stringify(name)}): use the notebook's file name without .ipynb, e.g. '01-eda'`);
  }
  state.name = name;
  state.provenance = {};
  state.figuresDir = undefined;
}

/** The name given to setNotebook(), or 'unknown' outside a notebook (e.g. the CLI or a test). */
export function currentNotebook(): string {
  return state.name ?? 'unknown';
}

/**
 * Records provenance for every figure shown after this call in this notebook, e.g.
 * `setProvenance({ dataChecksums: checksumsOf(data) })` once the dataset is loaded. Merges with earlier calls.
 */
export function setProvenance(provenance: FigureProvenance): void {
  state.provenance = { ...state.provenance, ...provenance };
}

/** The notebook-wide provenance recorded so far. */
export function currentProvenance(): FigureProvenance {
  return { ...state.provenance };
}
