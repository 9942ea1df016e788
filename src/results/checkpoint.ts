import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SavedTensor, TrainingState } from '../training/loop';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { sha256Hex } from './cache-key';
import { ARTIFACT_FILES } from './layout';

const STATE_FILE = 'state.json';

interface TensorEntry {
  group: 'weights' | 'bestWeights' | 'optimizer';
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number; // in bytes
  length: number; // in elements
}

interface CheckpointFile {
  format: 'fmnist-checkpoint-1';
  key: string;
  tensorsFile: string;
  tensorsSha256: string;
  tensors: TensorEntry[];
  epochsDone: number;
  history: TrainingState['history'];
  bestEpoch: number;
  bestValAccuracy: number;
  adamBetaPowers: [number, number];
}

export function checkpointDir(artifactDir: string): string {
  return path.join(artifactDir, ARTIFACT_FILES.checkpointDir);
}

/**
 * Saves the state after an epoch. Crash-safe by ordering: the tensors go to a new file named
 * after the epoch, then state.json (atomically) switches to it, then older tensor files are
 * removed. A kill at any moment leaves either the previous or the new complete checkpoint.
 */
export async function saveCheckpoint(artifactDir: string, key: string, state: TrainingState): Promise<void> {
  const dir = checkpointDir(artifactDir);
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = (group: TensorEntry['group'], list: SavedTensor[] | null) => {
    for (const t of list ?? []) {
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      entries.push({ group, name: t.name, shape: t.shape, dtype: t.dtype, offset, length: t.data.length });
      chunks.push(bytes);
      offset += bytes.byteLength;
    }
  };
  add('weights', state.weights);
  add('bestWeights', state.bestWeights);
  add('optimizer', state.optimizer);
  const blob = Buffer.concat(chunks);
  const tensorsFile = `tensors-e${state.epochsDone}.bin`;
  await writeFileAtomic(path.join(dir, tensorsFile), blob);
  const file: CheckpointFile = {
    format: 'fmnist-checkpoint-1',
    key,
    tensorsFile,
    tensorsSha256: sha256Hex(blob),
    tensors: entries,
    epochsDone: state.epochsDone,
    history: state.history,
    bestEpoch: state.bestEpoch,
    bestValAccuracy: state.bestValAccuracy,
    adamBetaPowers: state.adamBetaPowers,
  };
  await writeJsonAtomic(path.join(dir, STATE_FILE), file);
  for (const f of await fs.promises.readdir(dir)) {
    if (/^tensors-e\d+\.bin$/.test(f) && f !== tensorsFile) await fs.promises.rm(path.join(dir, f), { force: true });
  }
}

/**
 * The last complete checkpoint for `key`, or undefined when there is none, it belongs to another
 * key (different config/data/seed), or it fails its checksum (then it is ignored, not trusted).
 */
export async function loadCheckpoint(artifactDir: string, key: string, warn: (msg: string) => void = () => {}): Promise<TrainingState | undefined> {
  const dir = checkpointDir(artifactDir);
  let file: CheckpointFile;
  try {
    file = JSON.parse(await fs.promises.readFile(path.join(dir, STATE_FILE), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`ignoring unreadable checkpoint in ${dir}: ${(err as Error).message}`);
    return undefined;
  }
  if (file.format !== 'fmnist-checkpoint-1' || file.key !== key) return undefined;
  let blob: Buffer;
  try {
    blob = await fs.promises.readFile(path.join(dir, file.tensorsFile));
  } catch {
    warn(`ignoring checkpoint in ${dir}: ${file.tensorsFile} is missing`);
    return undefined;
  }
  if (sha256Hex(blob) !== file.tensorsSha256) {
    warn(`ignoring checkpoint in ${dir}: ${file.tensorsFile} does not match its checksum`);
    return undefined;
  }
  const groups: Record<TensorEntry['group'], SavedTensor[]> = { weights: [], bestWeights: [], optimizer: [] };
  for (const e of file.tensors) {
    const bytes = blob.subarray(e.offset, e.offset + e.length * 4);
    const copy = new Uint8Array(bytes).buffer; // aligned copy
    const data = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    groups[e.group].push({ name: e.name, shape: e.shape, dtype: e.dtype, data });
  }
  return {
    epochsDone: file.epochsDone,
    history: file.history,
    bestEpoch: file.bestEpoch,
    bestValAccuracy: file.bestValAccuracy,
    weights: groups.weights,
    bestWeights: groups.bestWeights.length ? groups.bestWeights : null,
    optimizer: groups.optimizer,
    adamBetaPowers: file.adamBetaPowers,
  };
}

export async function removeCheckpoint(artifactDir: string): Promise<void> {
  await fs.promises.rm(checkpointDir(artifactDir), { recursive: true, force: true });
}
