/**
 * The backends this project can run on, apart from backend.ts so the environment check can name them
 * without loading TensorFlow.js. `node-onednn` is the native backend with oneDNN convolutions (faster,
 * but its weights differ in the last bits from `node`'s; see node-kernels.ts): it is only used when
 * asked for.
 */
export type BackendName = 'node' | 'node-onednn' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['node', 'node-onednn', 'wasm', 'cpu'];
/** What is tried, in order, when no backend is asked for. */
export const AUTOMATIC_BACKENDS: readonly BackendName[] = ['node', 'wasm', 'cpu'];
