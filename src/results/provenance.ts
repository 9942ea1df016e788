import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../util/paths';

export interface GitInfo {
  commit: string | null;
  /**
   * Tracked files other than the pipeline's own outputs differ from the commit. The outputs
   * (results/, figures/, _variables.yml and the executed notebooks, whose outputs change on every
   * run) are excluded: otherwise every figure of a main job would be flagged by the run itself.
   */
  dirty: boolean | null;
}

/** Paths the pipeline writes; never counted as local changes to the code that made a result. */
export const PIPELINE_OUTPUTS = ['results', 'figures', '_variables.yml', 'notebooks/*.ipynb'];

export function gitInfo(root: string = projectRoot()): GitInfo {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', 'HEAD');
    const status = git('status', '--porcelain', '--untracked-files=no', '--', '.', ...PIPELINE_OUTPUTS.map((p) => `:(exclude)${p}`));
    return { commit, dirty: status.length > 0 };
  } catch {
    return { commit: null, dirty: null }; // not a git checkout (e.g. an unpacked tarball)
  }
}

/** Versions of the packages that decide numerical results, read from their installed package.json. */
export function packageVersions(names: string[] = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-node']): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of names) {
    try {
      out[name] = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'node_modules', name, 'package.json'), 'utf8')).version ?? null;
    } catch {
      out[name] = null;
    }
  }
  return out;
}

/** Where a run happened, without naming the machine (no hostname, no user, no paths). */
export interface RunEnvironment {
  node: string;
  platform: string;
  arch: string;
  project: string | null;
  cpus: number;
  memoryBytes: number;
  /** The processor model (e.g. "AMD EPYC 7B13", "Intel(R) Xeon(R) Processor"): the last bits of a result depend on it. */
  cpuModel: string;
  /**
   * Whether TensorFlow ran its oneDNN kernels by default (it does on some Intel CPUs, unless
   * TF_ENABLE_ONEDNN_OPTS=0); null off the native backend or when unknown.
   */
  oneDnn: boolean | null;
  /** TF_ENABLE_ONEDNN_OPTS as set for the run (null: unset, TensorFlow's default). */
  oneDnnOpts: string | null;
}

export function environment(oneDnn: boolean | null = null): RunEnvironment {
  let project: string | null = null;
  try {
    project = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')).version ?? null;
  } catch {
    /* keep null */
  }
  // Cores and memory: the article states the size of the machine that trained the models.
  const cpuModel = (os.cpus()[0]?.model ?? 'unknown').trim();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    project,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    cpuModel,
    oneDnn,
    oneDnnOpts: process.env.TF_ENABLE_ONEDNN_OPTS ?? null,
  };
}
