import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist } from '../data/load';
import type { FashionMnist } from '../data/types';
import { activeBackend, initBackend } from '../tf/backend';
import { dataIdentity, type RuntimeIdentity } from './identity';

export * from './identity';

/** The backend tfjs runs on now, by this project's name, initialising the default one if none is active. */
export async function runningBackend(): Promise<{ name: string; detail: string; tfjsVersion: string }> {
  const info = activeBackend() ?? (await initBackend());
  // Report what tfjs actually runs on (a caller may have switched backends by hand).
  const actual = tf.getBackend();
  const name = actual === 'tensorflow' ? (info.name === 'node-onednn' ? 'node-onednn' : 'node') : actual;
  return { name, detail: name === info.name ? info.detail : `set directly with tf.setBackend('${actual}')`, tfjsVersion: tf.version.tfjs };
}

/** The identity of this process: its backend and tfjs version, and the dataset given (default: the one loadFashionMnist finds). */
export async function currentRuntime(dataset?: FashionMnist): Promise<RuntimeIdentity> {
  const backend = await runningBackend();
  const ds = dataset ?? (await loadFashionMnist());
  return { backend: backend.name, tfjsVersion: backend.tfjsVersion, data: dataIdentity(ds.files) };
}

