import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

/** Whether tfjs-node's binding is built (the same check as test/backend-helpers.ts): node is then the default backend. */
function nativeBackendBuilt(): boolean {
  // Relative to the working directory, which is vitest's root (npm test runs from the project root).
  const lib = path.resolve('node_modules', '@tensorflow', 'tfjs-node', 'lib');
  try {
    return fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

// The wasm kernel tests force wasm themselves; the training tests run on the default backend.
const WASM_TESTS = ['test/wasm-*.test.ts'];
const TRAINING_TESTS = ['test/training-*.test.ts', 'test/cache-artifacts.test.ts', 'test/interrupt-*.test.ts'];
const native = nativeBackendBuilt();

export default defineConfig({
  test: {
    // Training and notebook tests are CPU-bound; two workers match the 2-core target machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two workers on two cores: one native-backend thread each (the backend's default is every core).
    env: { FMNIST_NODE_THREADS: process.env.FMNIST_NODE_THREADS ?? '1' },
    // Where the native backend is the default, the suite runs on it, and a second project keeps
    // the training tests (and the wasm kernel tests) passing on wasm, so neither path rots.
    // Without it everything runs on wasm once.
    projects: native
      ? [
          { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: WASM_TESTS } },
          { extends: true, test: { name: 'wasm', include: [...WASM_TESTS, ...TRAINING_TESTS], env: { FMNIST_BACKEND: 'wasm' } } },
        ]
      : [{ extends: true, test: { name: 'wasm', include: ['test/**/*.test.ts'] } }],
  },
});
