import * as fs from 'node:fs';
import * as os from 'node:os';
import { SPLIT_PROTOCOLS } from '../data/splits';
import type { SplitProtocol } from '../data/types';
import { BACKEND_NAMES, type BackendName } from '../tf/backend-names';
import { PROFILE_NAMES, type ProfileName } from '../training/profiles';

/**
 * The FMNIST_* variables the command line, the main job and the notebooks read, checked in one place
 * before any work starts: a bad value used to surface minutes later, inside a kernel, as a stack
 * trace. Each problem is one line naming the variable, what it accepts and the fix. An empty value
 * counts as unset everywhere (as `export FMNIST_X=` in a shell means "not this").
 * Kept free of TensorFlow.js imports: the CLI runs it before loading anything heavy.
 */

/** `NAME=value`, quoted only when the value would otherwise be unreadable (spaces, quotes). */
function shown(name: string, raw: string): string {
  return `${name}=${/^[\w./:@+,-]+$/.test(raw) ? raw : JSON.stringify(raw)}`;
}

function given(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T, hint = ''): T {
  const value = given(raw);
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${shown(name, raw!)} is not valid: use one of ${allowed.join(', ')} (or unset it for '${fallback}'${hint})`);
}

/** FMNIST_PROFILE: the notebooks' training profile (the fmnist commands take --profile instead). */
export function parseProfile(raw: string | undefined): ProfileName {
  return oneOf('FMNIST_PROFILE', raw, PROFILE_NAMES, 'paper', '; fmnist main, train and study take --profile instead');
}

/** FMNIST_PROTOCOL: the notebooks' split protocol (the fmnist commands take --protocol instead). */
export function parseProtocol(raw: string | undefined): SplitProtocol {
  return oneOf('FMNIST_PROTOCOL', raw, SPLIT_PROTOCOLS, 'paper', '; fmnist main, train and study take --protocol instead');
}

export const DEFAULT_NOTEBOOK_SEED = 42;

/** FMNIST_SEED: the notebooks' seed, a 32-bit unsigned integer. */
export function parseSeed(raw: string | undefined): number {
  const value = given(raw);
  if (value === undefined) return DEFAULT_NOTEBOOK_SEED;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) > 0xffffffff) {
    throw new Error(`${shown('FMNIST_SEED', raw!)} is not valid: use a whole number from 0 to 4294967295 (or unset it for ${DEFAULT_NOTEBOOK_SEED}; fmnist train takes --seed instead)`);
  }
  return Number(value);
}

/** FMNIST_BACKEND: undefined when unset (the first backend that loads is used). */
export function parseBackend(raw: string | undefined, source = 'FMNIST_BACKEND'): BackendName | undefined {
  const value = given(raw)?.toLowerCase();
  if (value === undefined) return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`${shown(source, raw!)} is not a valid backend; use one of: ${BACKEND_NAMES.join(', ')} (or unset FMNIST_BACKEND to pick the fastest available)`);
}

/** FMNIST_NODE_THREADS: the native backend's thread pools; undefined when unset (every core). */
export function parseNodeThreads(raw: string | undefined): number | undefined {
  const value = given(raw);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${shown('FMNIST_NODE_THREADS', raw!)} is not a thread count; give a whole number of at least 1 (or unset it to use all ${os.availableParallelism()} cores)`);
  }
  return n;
}

export const ENGINE_NAMES = ['native', 'tfjs'] as const;

/**
 * FMNIST_ENGINE: the native backend's training engine (src/training/engine.ts). `tfjs` trains as every
 * run before 5 December 2026 was trained, to reproduce one bit for bit; unset, the native step.
 */
export function parseEngine(raw: string | undefined): (typeof ENGINE_NAMES)[number] {
  return oneOf('FMNIST_ENGINE', raw, ENGINE_NAMES, 'native', "; 'tfjs' reproduces runs trained before 5 December 2026 bit for bit");
}

/** FMNIST_RESULTS_DIR / FMNIST_FIGURES_DIR: a folder (created when missing), never a file. */
function checkFolder(name: string, raw: string | undefined, fallback: string): void {
  const value = given(raw);
  if (value === undefined) return;
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(value);
  } catch {
    return; // created on first write
  }
  if (!stat.isDirectory()) throw new Error(`${shown(name, raw!)} is not a folder (a file is in the way): point it at a folder (it is created if missing), or unset it for ${fallback}`);
}

/** FMNIST_CHROMIUM: `none`, or an existing Chrome/Chromium executable. */
function checkChromium(raw: string | undefined): void {
  const value = given(raw);
  if (value === undefined || value === 'none' || fs.existsSync(value)) return;
  throw new Error(`${shown('FMNIST_CHROMIUM', raw!)} does not exist: point it at a Chrome or Chromium executable, set it to none (no PNG/SVG files), or unset it to look in the usual places`);
}

/** FMNIST_TF_NOTICES: `show` lets TensorFlow's start-up notices through. */
function checkNotices(raw: string | undefined): void {
  const value = given(raw);
  if (value === undefined || value === 'show') return;
  throw new Error(`${shown('FMNIST_TF_NOTICES', raw!)} is not valid: use show (to see TensorFlow's start-up notices), or unset it to hide them`);
}

/** FMNIST_LOCK_STALE_MS: how long a training lock may miss its heartbeat (tests shorten it). */
function checkLockStale(raw: string | undefined): void {
  const value = given(raw);
  if (value === undefined) return;
  if (/^\d+$/.test(value) && Number(value) >= 2000) return;
  throw new Error(`${shown('FMNIST_LOCK_STALE_MS', raw!)} is not valid: use a whole number of milliseconds of at least 2000 (or unset it for 30000)`);
}

/** Every check, by variable: the names the project reads (bootstrap's FMNIST_NATIVE_BUILD and the bench's FMNIST_KERAS_PYTHON are checked where they are used). */
const CHECKS: ReadonlyArray<[string, (raw: string | undefined) => unknown]> = [
  ['FMNIST_PROFILE', parseProfile],
  ['FMNIST_PROTOCOL', parseProtocol],
  ['FMNIST_SEED', parseSeed],
  ['FMNIST_BACKEND', (raw) => parseBackend(raw)],
  ['FMNIST_NODE_THREADS', parseNodeThreads],
  ['FMNIST_ENGINE', parseEngine],
  ['FMNIST_RESULTS_DIR', (raw) => checkFolder('FMNIST_RESULTS_DIR', raw, 'results/')],
  ['FMNIST_FIGURES_DIR', (raw) => checkFolder('FMNIST_FIGURES_DIR', raw, 'figures/')],
  ['FMNIST_CHROMIUM', checkChromium],
  ['FMNIST_TF_NOTICES', checkNotices],
  ['FMNIST_LOCK_STALE_MS', checkLockStale],
];

/** One line per invalid FMNIST_* value; empty when every one is valid or unset. */
export function environmentProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  for (const [name, check] of CHECKS) {
    try {
      check(env[name]);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** Thrown before any work starts when an FMNIST_* variable holds a value the project cannot use. */
export class EnvironmentError extends Error {
  readonly exitCode = 2;
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} FMNIST_* variables hold invalid values:\n  ${problems.join('\n  ')}`);
    this.name = 'EnvironmentError';
  }
}

/** Refuses an environment with any invalid FMNIST_* value (fmnist main, train, evaluate and study call it first, notebooks in setNotebook). */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const problems = environmentProblems(env);
  if (problems.length) throw new EnvironmentError(problems);
}
