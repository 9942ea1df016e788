import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../src/tf/backend';
import { committedRuntime } from '../src/results/identity';

const root = path.resolve(__dirname, '..');

/**
 * Whether tfjs-node's native binding is built here (scripts/native-backend.sh or a normal
 * install), i.e. whether the node backend is the default. A file check: loading TensorFlow
 * just to decide what to test would cost every test file ~1 s and 365 MB.
 */
export function nativeBackendBuilt(): boolean {
  const lib = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
  try {
    return fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

/**
 * The backend tests train on: FMNIST_BACKEND if set (vitest's wasm project sets it), else the
 * project default (node where it is built, else wasm).
 */
export function testBackend(): BackendName {
  const forced = process.env.FMNIST_BACKEND?.trim().toLowerCase();
  if (forced === 'node' || forced === 'wasm' || forced === 'cpu') return forced;
  return nativeBackendBuilt() ? 'node' : 'wasm';
}

/** The backend part of a results folder name for a run on testBackend(): '' on the committed backend. */
export function backendTail(): string {
  const b = testBackend();
  return b === committedRuntime().backend ? '' : `-${b}`;
}
