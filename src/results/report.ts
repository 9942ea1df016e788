import type { SplitProtocol } from '../data/types';
import type { ClassificationMetrics } from '../evaluation/metrics';
import type { ModelName } from '../models/architectures';
import type { EpochRecord } from '../training/loop';
import type { ProfileName, TrainingConfig } from '../training/profiles';
import type { RuntimeIdentity } from './runtime';

/**
 * What `fmnist train --json` prints per model and what notebooks get from trainAndEvaluate /
 * loadReport: the issue 3 §5 shape plus validation scores, the overfitting gap and provenance.
 */
export interface ModelReport {
  model: ModelName;
  profile: ProfileName;
  protocol: SplitProtocol;
  seed: number;
  backend: string;
  params: number;
  /** Epochs trained (the configured number). */
  epochs: number;
  /** The epoch whose weights were kept (best validation accuracy for the paper profile; else the last). */
  bestEpoch: number;
  /** True when the result was loaded from disk instead of trained in this call. */
  cached: boolean;
  /** Wall time of all epochs (training + per-epoch validation), summed over resumed sessions. */
  trainSeconds: number;
  /** When training finished (ISO time, from run.json): the same for a cached load as for the run itself. */
  trainedAt: string;
  history: EpochRecord[];
  train: { accuracy: number; count: number };
  val: { accuracy: number; loss: number; macroF1: number; count: number };
  test: ClassificationMetrics;
  /** train.accuracy − test.accuracy: the overfitting gap the paper discusses. */
  trainTestGap: number;
  cacheKey: string;
  /** Backend, tfjs version and data identity the result was made with ('full' data = the published dataset). */
  runtime: RuntimeIdentity;
  /** The artifact folder. */
  dir: string;
}

/** metrics.json */
export interface MetricsFile {
  train: ModelReport['train'];
  val: ModelReport['val'];
  test: ClassificationMetrics;
  trainTestGap: number;
  classNames: readonly string[];
}

/** history.json */
export interface HistoryFile {
  bestEpoch: number;
  restoreBest: boolean;
  history: EpochRecord[];
}

/** The current run.json format. 2: content hashes and sizes computed from the bytes written, the runtime identity, backend and tfjs version in the cache key. */
export const RUN_FORMAT = 'fmnist-run-2';
/** The format before: readable (its recorded hashes are checked) but never reused for training, since its cache key lacks the backend and tfjs version. */
export const LEGACY_RUN_FORMAT = 'fmnist-run-1';

/** What run.json records per artifact file. */
export interface ArtifactRecord {
  sha256: string;
  bytes: number;
}

/** run.json: provenance, and the commit record of the folder (written last; its checksums vouch for the other files). */
export interface RunFile {
  format: typeof RUN_FORMAT;
  model: ModelName;
  profile: ProfileName;
  protocol: SplitProtocol;
  seed: number;
  params: number;
  epochs: number;
  bestEpoch: number;
  cacheKey: string;
  training: TrainingConfig;
  data: {
    counts: { train: number; val: number; test: number };
    checksums: { train: string; val: string; test: string };
    files: Array<{ name: string; sha256: string; verified: boolean; checksumSource?: 'published' | 'manifest' }>;
  };
  /** Backend name ('wasm', 'cpu', 'node'); details in backendInfo. */
  backend: string;
  /**
   * The training engine (src/training/engine.ts), since 5 December 2026; absent: tfjs' autograd and
   * tf.train.adam (TFJS_ENGINE), which trained every earlier run. Not part of the cache key.
   */
  engine?: string;
  backendInfo: { name: string; detail: string; tfjsVersion: string };
  /** Backend, tfjs version and data identity: with the settings, they decide the results folder. */
  runtime: RuntimeIdentity;
  packages: Record<string, string | null>;
  /** cpus and memoryBytes: recorded since Dec 2026 (older runs lack them). */
  /** cpuModel, oneDnn and oneDnnOpts since 5 December 2026 (older runs do not have them). */
  environment: { node: string; platform: string; arch: string; project: string | null; cpus?: number; memoryBytes?: number; cpuModel?: string; oneDnn?: boolean | null; oneDnnOpts?: string | null };
  git: { commit: string | null; dirty: boolean | null };
  timings: {
    startedAt: string;
    finishedAt: string;
    trainSeconds: number;
    /** CPU seconds of the training epochs (since 5 December 2026): comparable across machine load. */
    trainCpuSeconds?: number;
    evalSeconds: number;
    /** Epochs that were already done (from a checkpoint) when the final session started. */
    resumedFromEpoch: number;
  };
  /** File name → sha256 and size of the bytes written (never read back), for every file in RUN_ARTIFACTS. */
  artifacts: Record<string, ArtifactRecord>;
}

/** run.json as written before RUN_FORMAT (artifacts: file name → sha256 read back from disk; no runtime). */
export type LegacyRunFile = Omit<RunFile, 'format' | 'artifacts' | 'runtime'> & { format: typeof LEGACY_RUN_FORMAT; artifacts: Record<string, string> };
