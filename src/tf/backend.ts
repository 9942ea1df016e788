import * as os from 'node:os';
import * as path from 'node:path';
import { loadWithoutNotices } from './native-notices';
import * as tf from '@tensorflow/tfjs';
import { registerNodeTrainingKernels, setOneDnnConvolutions } from './node-kernels';
import { registerWasmTrainingKernels } from './wasm-kernels';

import { AUTOMATIC_BACKENDS, BACKEND_NAMES, type BackendName } from './backend-names';
import { parseBackend, parseNodeThreads } from '../util/environment';
import { COMMITTED_BACKEND, type RuntimeIdentity } from '../results/identity';
import { projectRoot } from '../util/paths';

export { AUTOMATIC_BACKENDS, BACKEND_NAMES, type BackendName };

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
  /** Where that line goes: stdout by default; stderr where stdout carries data (--json). */
  log?: NodeJS.WritableStream;
}

/** tfjs' own name for each backend. */
const TF_NAME: Record<BackendName, string> = { node: 'tensorflow', 'node-onednn': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

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
        // Information, not a warning: stdout, so notebooks and logs do not show it as an error.
        if (!opts.quiet) (opts.log ?? process.stdout).write(`[tfjs] backend: ${info.name} (${inNotebookKernelProcess() ? withoutThreadCount(info.detail) : info.detail})\n`);
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

/** Whether this process is a tslab kernel (a notebook's first cell prints the backend line). */
function inNotebookKernelProcess(argv: readonly string[] = process.argv): boolean {
  return /[\\/](tslab[\\/]bin[\\/]tslab|scripts[\\/]tslab-kernel\.js)$/.test(argv[1] ?? '');
}

/**
 * The backend line without its thread count, for notebook outputs: the count depends on who runs the
 * kernel (the main job gives each kernel a share of the cores, JupyterLab all of them), so printing it
 * made every notebook saved from JupyterLab differ from the committed one. run.json keeps it.
 */
export function withoutThreadCount(detail: string): string {
  return detail.replace(/, \d+ threads?\b/, '');
}

/** Parse FMNIST_BACKEND / opts.backend; an invalid value lists the valid ones. */
export function requestedBackend(opts: InitBackendOptions = {}): BackendName | undefined {
  return parseBackend(opts.backend ?? process.env.FMNIST_BACKEND, opts.backend !== undefined ? 'backend option' : 'FMNIST_BACKEND');
}

async function chooseBackend(opts: InitBackendOptions): Promise<BackendInfo> {
  quietenTfjs();
  const forced = requestedBackend(opts);
  nodeThreads(); // a bad FMNIST_NODE_THREADS is an error, not a reason to fall back to wasm
  const how = forced ? `forced by ${opts.backend !== undefined ? 'option' : 'FMNIST_BACKEND'}` : '';
  const attempts: BackendName[] = forced ? [forced] : [...AUTOMATIC_BACKENDS];
  const failures: string[] = [];
  for (const name of attempts) {
    try {
      const detail = await activate(name);
      const why = forced ? how : failures.length ? `${failures.join('; ')}; using ${name}` : 'first choice';
      return { name, tfjsVersion: tf.version.tfjs, detail: `${why}${detail ? `; ${detail}` : ''}` };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (forced) throw new Error(unavailableMessage(opts.backend !== undefined ? 'backend option' : 'FMNIST_BACKEND', name, reason));
      if (name === 'node') nativeFailure = firstLine(reason).split(projectRoot() + path.sep).join(''); // paths as the repository's
      failures.push(`${name} unavailable (${firstLine(reason)})`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${failures.join('; ')}`);
}

/** Why the native backend did not load when the automatic choice tried it (undefined: it loaded, or was not tried). */
let nativeFailure: string | undefined;

/**
 * Why the automatic choice fell back from the native backend, e.g. "tfjs-node failed to load: ...:
 * invalid ELF header"; undefined when it loaded or a backend was forced. Results saved on another
 * backend live in folders of their own, so a fallback makes the committed results look "missing":
 * the messages that say so name this first (see otherBackendNote).
 */
export function nativeBackendFailure(): string | undefined {
  return nativeFailure;
}

/**
 * Said before "these results are missing" when this process runs on another backend than the
 * committed results were trained on: why (the native backend failed to load, or FMNIST_BACKEND), and
 * the fix, which is almost never to retrain everything. undefined on the committed backend.
 */
export function otherBackendNote(runtime: RuntimeIdentity, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (runtime.backend === COMMITTED_BACKEND) return undefined;
  const committed = `the committed results were made on the ${COMMITTED_BACKEND} backend`;
  if (nativeFailure !== undefined) {
    return (
      `${committed}, but it failed to load in this process (${nativeFailure}), so this process runs on ${runtime.backend}, whose results are kept in folders of their own. ` +
      `Fix: rebuild the native backend with \`bash scripts/bootstrap.sh\` (see "Native backend" in README.md) and rerun; ` +
      `only to really retrain every model on ${runtime.backend} (hours), set FMNIST_BACKEND=${runtime.backend} and run \`npm run main\``
    );
  }
  const forced = env.FMNIST_BACKEND?.trim() ? ` because FMNIST_BACKEND=${env.FMNIST_BACKEND.trim()} asks for it` : '';
  return `${committed}; this process runs on ${runtime.backend}${forced}, whose results are kept in folders of their own. Fix: unset FMNIST_BACKEND to use the committed results, or train ${runtime.backend}'s as below`;
}

/** Whether TensorFlow said it runs its oneDNN kernels by default (null: not loaded, or not known). */
let nativeOneDnn: boolean | null = null;

/**
 * Whether the native backend runs oneDNN kernels: by TensorFlow's own default on some CPUs (Intel
 * with AVX-512 VNNI or AMX; TF_ENABLE_ONEDNN_OPTS=0 turns it off), or through `node-onednn`'s
 * convolutions. null when the native backend is not loaded or TensorFlow's notice could not be read.
 */
export function tensorFlowOneDnnDefault(): boolean | null {
  return nativeOneDnn;
}

/** Load and set one backend; returns extra detail (e.g. SIMD) or throws why it cannot. */
async function activate(name: BackendName): Promise<string> {
  switch (name) {
    case 'node':
    case 'node-onednn': {
      const threads = nodeThreads();
      prepareNativeEnvironment(threads);
      let tfNode: { version: Record<string, string> };
      try {
        // Optional dependency: built by scripts/native-backend.sh where its own install cannot download.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = loadWithoutNotices(() => require('@tensorflow/tfjs-node') as { version: Record<string, string> });
        tfNode = loaded.value;
        nativeOneDnn = loaded.oneDnn;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(
          /Cannot find module '@tensorflow\/tfjs-node'/.test(msg)
            ? 'tfjs-node not installed'
            : /tfjs_binding\.node\) can not be found/.test(msg)
              ? 'tfjs-node is installed but its native binding was never built'
              : `tfjs-node failed to load: ${firstLine(msg)}`,
        );
      }
      registerNodeTrainingKernels();
      await setBackendOrThrow('node');
      const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
      const tfVersion = binding?.TF_Version ?? 'unknown';
      if (name === 'node-onednn') enableOneDnnConvolutions();
      const what = name === 'node-onednn' ? ', oneDNN convolutions' : nativeOneDnn ? ', oneDNN on by TensorFlow\'s default for this CPU' : '';
      return `tfjs-node ${tfNode.version['tfjs-node']}, TensorFlow ${tfVersion}, ${threads} thread${threads === 1 ? '' : 's'}${what}`;
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

/** Switch the convolutions to oneDNN and check with one tiny convolution that this TensorFlow build has its kernels. */
function enableOneDnnConvolutions(): void {
  setOneDnnConvolutions(true);
  try {
    tf.tidy(() => tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, 'valid').dataSync());
  } catch (err) {
    setOneDnnConvolutions(false);
    throw new Error(`this TensorFlow library has no oneDNN convolution kernels (${firstLine(err instanceof Error ? err.message : String(err))})`);
  }
}

async function setBackendOrThrow(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(TF_NAME[name]);
  if (!ok || tf.getBackend() !== TF_NAME[name]) throw new Error(`tf.setBackend('${TF_NAME[name]}') failed`);
  await tf.ready();
}

/**
 * Threads of the native backend's op pools: FMNIST_NODE_THREADS, else every core. The main job
 * sets it per kernel (cores / notebooks at once), since two single-threaded processes use a
 * 2-core machine better than two that contend for both cores.
 */
export function nodeThreads(env: NodeJS.ProcessEnv = process.env): number {
  return parseNodeThreads(env.FMNIST_NODE_THREADS) ?? os.availableParallelism();
}

/**
 * TensorFlow reads these when tfjs-node loads, so they are set just before: its thread pools
 * (from FMNIST_NODE_THREADS) and its log level (2 hides the absl and oneDNN
 * start-up notices on stderr, keeping warnings of level 2 and errors).
 */
function prepareNativeEnvironment(threads: number): void {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  process.env.TF_NUM_INTRAOP_THREADS = String(threads);
  process.env.TF_NUM_INTEROP_THREADS = String(threads);
}

function unavailableMessage(source: string, name: BackendName, reason: string): string {
  const fix: Record<BackendName, string> = {
    node:
      'run `bash scripts/bootstrap.sh` (or `npm test`), which builds it from the tensorflow-cpu wheel on PyPI ' +
      'and prints why if it cannot (it needs a C++ compiler and make; see "Native backend" in README.md), ' +
      'or set FMNIST_BACKEND=wasm (or unset it) to use the wasm backend',
    'node-onednn': 'use FMNIST_BACKEND=node (the same native backend with TensorFlow\'s own convolution kernels); if node is unavailable too, run `bash scripts/bootstrap.sh`',
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
