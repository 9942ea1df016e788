import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { COMMITTED_BACKEND } from '../results/identity';
import { projectRoot } from '../util/paths';

/** What a new process's automatic backend choice gives: the backend, and why the native one did not load. */
export interface BackendProbe {
  name: string;
  nativeFailure?: string;
}

/**
 * Chooses the backend in a child process, as the kernels and training processes will: the main job
 * itself does not load TensorFlow while its notebooks run (its memory is part of the job's record).
 */
export function probeBackend(env: NodeJS.ProcessEnv = process.env): BackendProbe {
  const backend = path.join(projectRoot(), 'dist', 'tf', 'backend.js');
  const script = `const b = require(${JSON.stringify(backend)});
    b.initBackend({ quiet: true }).then((i) => console.log(JSON.stringify({ name: i.name, nativeFailure: b.nativeBackendFailure() })),
      (e) => { console.error(e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 120_000 });
  const line = r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined;
  if (!line) throw new Error(`could not choose a TensorFlow.js backend: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  return JSON.parse(line) as BackendProbe;
}

/** Thrown by a paper-profile main job that would silently run on a fallback backend. */
export class NativeBackendFailedError extends Error {
  readonly exitCode = 2;
  constructor(probe: BackendProbe) {
    super(
      `the ${COMMITTED_BACKEND} backend failed to load (${probe.nativeFailure}), and the committed results were made on it: this main job would run on ${probe.name}, ` +
        `retrain every model there (hours) and rewrite the committed notebooks with ${probe.name}'s results. ` +
        `Fix: rebuild it with \`bash scripts/bootstrap.sh\` (see "Native backend" in README.md); or set FMNIST_BACKEND=${probe.name} to run the main job on ${probe.name} anyway`,
    );
    this.name = 'NativeBackendFailedError';
  }
}
