import * as fs from 'node:fs';
import * as path from 'node:path';
import { PUBLISHED_FILES } from '../data/checksums';
import { projectRoot } from '../util/paths';
import { canonicalJson, sha256Hex } from './cache-key';

/**
 * What a run ran on besides its settings: the backend, the tfjs version and the data. All three
 * are part of the cache key and of the results folder name, so a result made on one backend, tfjs
 * version or dataset is never reused for, or written over, another.
 */
export interface RuntimeIdentity {
  /** 'node', 'wasm' or 'cpu' (src/tf/backend.ts). */
  backend: string;
  /** tf.version.tfjs */
  tfjsVersion: string;
  /** FULL_DATA for the published dataset verified against its published checksums; else a short hash of the files used. */
  data: string;
}

/** The data identity of the published Fashion-MNIST, all four files matching their published SHA-256. */
export const FULL_DATA = 'full';

/** One source file of the data as a run records it. */
export interface DataFileRecord {
  name: string;
  sha256: string;
  verified: boolean;
}

/**
 * FULL_DATA only when every published file is present and matches its published checksum (a
 * folder's own checksums.json can never certify it); otherwise `d` + 10 hex digits of a hash of
 * the files' names and checksums, stable for the same files.
 */
export function dataIdentity(files: readonly DataFileRecord[]): string {
  const full = PUBLISHED_FILES.every((p) => files.some((f) => f.name === p.name && f.verified && f.sha256 === p.sha256));
  if (full && files.length === PUBLISHED_FILES.length) return FULL_DATA;
  const sorted = [...files].map((f) => ({ name: f.name, sha256: f.sha256 })).sort((a, b) => (a.name < b.name ? -1 : 1));
  return `d${sha256Hex(Buffer.from(canonicalJson(sorted))).slice(0, 10)}`;
}

/** The backend the committed results are trained on. */
export const COMMITTED_BACKEND = 'node';

/** The tfjs version pinned in package.json: the one the committed results are trained with. */
export function committedTfjsVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const spec = pkg.dependencies?.['@tensorflow/tfjs'];
  if (!spec || !/^\d+\.\d+\.\d+$/.test(spec)) throw new Error(`package.json must pin @tensorflow/tfjs to an exact version (found ${JSON.stringify(spec)})`);
  return spec;
}

/** The runtime the committed folders `results/<protocol>/<model>/` belong to. */
export function committedRuntime(): RuntimeIdentity {
  return { backend: COMMITTED_BACKEND, tfjsVersion: committedTfjsVersion(), data: FULL_DATA };
}

export function isCommittedRuntime(r: RuntimeIdentity): boolean {
  const c = committedRuntime();
  return r.backend === c.backend && r.tfjsVersion === c.tfjsVersion && r.data === c.data;
}

/** A phrase for log lines: '' for the committed runtime, else what differs, e.g. ' [backend wasm, data d1a2b3c4d5e (not the published dataset)]'. */
export function describeRuntime(r: RuntimeIdentity): string {
  const c = committedRuntime();
  const parts = [
    r.backend !== c.backend ? `backend ${r.backend}` : '',
    r.tfjsVersion !== c.tfjsVersion ? `tfjs ${r.tfjsVersion}` : '',
    r.data !== c.data ? `data ${r.data} (not the published dataset)` : '',
  ].filter(Boolean);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}
