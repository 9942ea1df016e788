import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels';

/** The backends this project can run on, fastest first. */
export type BackendName = 'node' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['node', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  tfjsVersion: string;
  /** Why this backend was chosen (and, for wasm, whether SIMD is on). */
  detail: string;
}

export interface InitBackendOptions {
  /** Force one backend; otherwise FMNIST_BACKEND, otherwise the first that loads. */
  backend?: BackendName;
  /** Do not print the "[tfjs] backend: ..." line. */
  quiet?: boolean;
  /**
   * Where the "[tfjs] backend: ..." line goes. Default stdout: it is information, and JupyterLab shows
   * stderr in red like an error. A command whose stdout is data (`--json`) passes a stderr writer.
   */
  log?: (line: string) => void;
}

/** tfjs' own name for each backend. */
const TF_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

let active: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/** The backend chosen by initBackend, or undefined before it has run. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}

/**
 * Choose and activate the TensorFlow.js backend: tfjs-node if it loads, else wasm, else the
 * pure-JS cpu backend. FMNIST_BACKEND (or opts.backend) forces one and fails clearly if it
 * cannot load. Idempotent: later calls return the first call's result.
 */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  if (!pending) {
    pending = chooseBackend(opts).then(
      (info) => {
        active = info;
        if (!opts.quiet) (opts.log ?? ((line: string) => console.log(line)))(`[tfjs] backend: ${info.name} (${info.detail})`);
        return info;
      },
      (err: unknown) => {
        pending = undefined; // let the caller fix the environment and try again
        throw err;
      },
    );
  }
  return pending;
}

/** Parse FMNIST_BACKEND / opts.backend; an invalid value lists the valid ones. */
export function requestedBackend(opts: InitBackendOptions = {}): BackendName | undefined {
  const raw = opts.backend ?? process.env.FMNIST_BACKEND;
  if (raw === undefined || raw === '') return undefined;
  const value = raw.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  const source = opts.backend !== undefined ? 'backend option' : 'FMNIST_BACKEND';
  throw new Error(
    `${source}=${raw} is not a valid backend; use one of: ${BACKEND_NAMES.join(', ')} ` +
      `(or unset FMNIST_BACKEND to pick the fastest available)`,
  );
}

async function chooseBackend(opts: InitBackendOptions): Promise<BackendInfo> {
  quietenTfjs();
  const forced = requestedBackend(opts);
  const how = forced ? `forced by ${opts.backend !== undefined ? 'option' : 'FMNIST_BACKEND'}` : '';
  const attempts: BackendName[] = forced ? [forced] : [...BACKEND_NAMES];
  const failures: string[] = [];
  for (const name of attempts) {
    try {
      const detail = await activate(name);
      const why = forced ? how : failures.length ? `${failures.join('; ')}; using ${name}` : 'first choice';
      return { name, tfjsVersion: tf.version.tfjs, detail: `${why}${detail ? `; ${detail}` : ''}` };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (forced) throw new Error(unavailableMessage(opts.backend !== undefined ? 'backend option' : 'FMNIST_BACKEND', name, reason));
      failures.push(`${name} unavailable (${firstLine(reason)})`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${failures.join('; ')}`);
}

/** Load and set one backend; returns extra detail (e.g. SIMD) or throws why it cannot. */
async function activate(name: BackendName): Promise<string> {
  switch (name) {
    case 'node': {
      try {
        // Optional dependency: absent on machines without internet at install time.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-node');
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(/Cannot find module '@tensorflow\/tfjs-node'/.test(msg) ? 'tfjs-node not installed' : `tfjs-node failed to load: ${firstLine(msg)}`);
      }
      await setBackendOrThrow('node');
      return '';
    }
    case 'wasm': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from the package's dist/ folder.
      const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(distDir + path.sep);
      registerWasmTrainingKernels({ fast: true });
      await setBackendOrThrow('wasm');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      return `${simd ? 'SIMD' : 'no SIMD'}, 1 thread, fast training kernels`;
    }
    case 'cpu':
      await setBackendOrThrow('cpu');
      return 'pure JavaScript, slow';
  }
}

async function setBackendOrThrow(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(TF_NAME[name]);
  if (!ok || tf.getBackend() !== TF_NAME[name]) throw new Error(`tf.setBackend('${TF_NAME[name]}') failed`);
  await tf.ready();
}

function unavailableMessage(source: string, name: BackendName, reason: string): string {
  const fix: Record<BackendName, string> = {
    node:
      'install it with `npm install @tensorflow/tfjs-node@4.22.0` (needs internet to download libtensorflow), ' +
      'or set FMNIST_BACKEND=wasm (or unset it) to use the wasm backend',
    wasm: 'reinstall dependencies with `npm ci` (package @tensorflow/tfjs-backend-wasm), or set FMNIST_BACKEND=cpu',
    cpu: 'reinstall dependencies with `npm ci` (package @tensorflow/tfjs)',
  };
  return `${source}=${name} but the ${name} backend is unavailable: ${firstLine(reason)}. Fix: ${fix[name]}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

let quietened = false;
/**
 * Keep tfjs from printing noise: the cpu backend's "install tfjs-node" banner (we already say
 * which backend runs and why) and the failing webgl registration in Node.
 */
function quietenTfjs(): void {
  if (quietened) return;
  quietened = true;
  // The webgl backend is registered by @tensorflow/tfjs but cannot work in Node; drop it so
  // tfjs never tries (and warns about) it.
  if (tf.findBackendFactory('webgl')) tf.removeBackend('webgl');
  silenceCpuBanner();
}

/** The cpu backend warns once on its first tensor write; mark it as already warned. */
export function silenceCpuBanner(): void {
  const factory = tf.findBackendFactory('cpu');
  if (!factory) return;
  const backend = tf.engine().findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
}
