import * as cliProgress from 'cli-progress';
import type { EpochRecord } from './epoch-record';

/** Receives training progress; the loop calls it, the caller decides how to show it. */
export interface ProgressSink {
  start(info: { label: string; epochs: number; stepsPerEpoch: number; startEpoch: number; samplesPerEpoch?: number }): void;
  /** After each batch: `samples` training images done so far in this epoch. */
  step(info: { epoch: number; step: number; loss: number; samples?: number }): void;
  /**
   * After each batch of a prediction pass: the validation at the end of an epoch, or the final
   * evaluation of the trained model (all its splits as one count). done === batches ends the pass.
   */
  evaluation?(info: { phase: 'validation' | 'evaluation'; done: number; batches: number }): void;
  epoch(record: EpochRecord): void;
  stop(): void;
}

export const silentProgress: ProgressSink = { start() {}, step() {}, epoch() {}, stop() {} };

/** One line per epoch; for the main job's notebooks, logs and non-TTY stderr. */
export function epochLineProgress(write: (line: string) => void = (l) => console.error(l)): ProgressSink {
  let label = '';
  let epochs = 0;
  return {
    start(info) {
      label = info.label;
      epochs = info.epochs;
      if (info.startEpoch > 0) write(resumingLine(label, info.startEpoch, epochs));
    },
    step() {},
    epoch(r) {
      write(formatEpochLine(label, r, epochs));
    },
    stop() {},
  };
}

export function resumingLine(label: string, startEpoch: number, epochs: number): string {
  return `[${label}] resuming after epoch ${startEpoch}/${epochs}`;
}

export function formatEpochLine(label: string, r: EpochRecord, epochs: number): string {
  const f = (x: number) => x.toFixed(4);
  return (
    `[${label}] epoch ${r.epoch}/${epochs}  loss ${f(r.loss)}  acc ${f(r.accuracy)}  ` +
    `val_loss ${f(r.valLoss)}  val_acc ${f(r.valAccuracy)}  lr ${r.learningRate.toExponential(2)}  ${r.seconds.toFixed(1)}s`
  );
}

/** Seconds as `45s` or `2m05s`. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Where a run is inside an epoch or an evaluation, as the live line and the bar show it. */
export class InEpochStatus {
  label = '';
  epochs = 0;
  stepsPerEpoch = 0;
  private phaseStart: number;
  constructor(private readonly now: () => number = Date.now) {
    this.phaseStart = now();
  }
  /** A new epoch or evaluation pass starts now. */
  restart(): void {
    this.phaseStart = this.now();
  }
  elapsed(): number {
    return (this.now() - this.phaseStart) / 1000;
  }
  /** `[cnn3/paper] epoch 3/10  120/938 batches  1,850 samples/s  loss 0.4321  ETA 45s` */
  stepLine(info: { epoch: number; step: number; loss: number; samples?: number }): string {
    const t = this.elapsed();
    const rate = info.samples !== undefined && t > 0 ? `  ${Math.round(info.samples / t).toLocaleString('en-US')} samples/s` : '';
    const eta = formatEta((t / info.step) * (this.stepsPerEpoch - info.step));
    return `[${this.label}] epoch ${info.epoch}/${this.epochs}  ${info.step}/${this.stepsPerEpoch} batches${rate}  loss ${info.loss.toFixed(4)}  ETA ${eta}`;
  }
  /** `[cnn3/paper] epoch 3/10  validating 4/12 batches` or `[cnn3/paper] evaluating 30/70 batches  ETA 12s` */
  evaluationLine(info: { phase: 'validation' | 'evaluation'; done: number; batches: number }, epoch: number): string {
    const eta = formatEta((this.elapsed() / info.done) * (info.batches - info.done));
    return info.phase === 'validation'
      ? `[${this.label}] epoch ${epoch}/${this.epochs}  validating ${info.done}/${info.batches} batches  ETA ${eta}`
      : `[${this.label}] evaluating the trained model ${info.done}/${info.batches} batches  ETA ${eta}`;
  }
}

/**
 * For a notebook opened in JupyterLab: one line that updates in place (carriage returns, at most every
 * `intervalMs`) with the batches done, samples/s and ETA of the running epoch or evaluation, replaced
 * by the epoch's final line when the epoch ends. JupyterLab keeps only what the carriage returns leave,
 * so the cell ends with one line per epoch, as the main job's output does.
 */
export function liveLineProgress(write: (text: string) => void, { intervalMs = 250, now = Date.now }: { intervalMs?: number; now?: () => number } = {}): ProgressSink {
  const status = new InEpochStatus(now);
  let shown = 0; // length of the live line on screen (0: none)
  let lastWrite = -Infinity;
  let epoch = 1;
  let evaluating = false;
  // A shorter line only overwrites the start of a longer one: pad with spaces.
  const show = (line: string, end = '') => {
    write(`\r${line.padEnd(shown)}${end}`);
    shown = end ? 0 : line.length;
  };
  const clear = () => {
    if (shown > 0) write(`\r${''.padEnd(shown)}\r`);
    shown = 0;
  };
  const due = (force: boolean) => {
    const t = now();
    if (!force && t - lastWrite < intervalMs) return false;
    lastWrite = t;
    return true;
  };
  return {
    start(info) {
      ({ label: status.label, epochs: status.epochs, stepsPerEpoch: status.stepsPerEpoch } = info);
      epoch = info.startEpoch + 1;
      if (info.startEpoch > 0) show(resumingLine(info.label, info.startEpoch, info.epochs), '\n');
      status.restart();
    },
    step(info) {
      epoch = info.epoch;
      if (due(info.step === status.stepsPerEpoch)) show(status.stepLine(info));
    },
    evaluation(info) {
      if (!evaluating) status.restart();
      evaluating = info.done < info.batches;
      if (info.phase === 'evaluation' && !evaluating) return clear();
      if (due(false)) show(status.evaluationLine(info, epoch));
    },
    epoch(r) {
      show(formatEpochLine(status.label, r, status.epochs), '\n');
      epoch = r.epoch + 1;
      status.restart();
    },
    stop() {
      clear();
    },
  };
}

/** On an interactive terminal: a bar per epoch (batches, samples/s, loss, ETA) and one for the evaluation, with a line per finished epoch above them. */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const status = new InEpochStatus();
  let bar: cliProgress.SingleBar | undefined;
  let epoch = 1;
  let phase: 'epoch' | 'validation' | 'evaluation' | undefined;
  const open = (next: NonNullable<typeof phase>, total: number, format: string, payload: Record<string, unknown>) => {
    bar?.stop();
    bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: true, etaBuffer: 50, fps: 5 }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, payload);
    phase = next;
    status.restart();
  };
  const close = () => {
    bar?.stop();
    bar = undefined;
    phase = undefined;
  };
  return {
    start(info) {
      ({ label: status.label, epochs: status.epochs, stepsPerEpoch: status.stepsPerEpoch } = info);
      epoch = info.startEpoch + 1;
      if (info.startEpoch > 0) stream.write(resumingLine(info.label, info.startEpoch, info.epochs) + '\n');
    },
    step(info) {
      if (phase !== 'epoch' || info.epoch !== epoch) {
        epoch = info.epoch;
        open('epoch', status.stepsPerEpoch, `[${status.label}] epoch ${epoch}/${status.epochs} {bar} {value}/{total} batches | {rate} samples/s | loss {loss} | ETA {eta_formatted}`, { rate: '-', loss: '-' });
      }
      const t = status.elapsed();
      bar?.update(info.step, { rate: info.samples !== undefined && t > 0 ? Math.round(info.samples / t).toLocaleString('en-US') : '-', loss: info.loss.toFixed(4) });
    },
    evaluation(info) {
      if (phase !== info.phase) {
        const what = info.phase === 'validation' ? `epoch ${epoch}/${status.epochs} validating` : 'evaluating the trained model';
        open(info.phase, info.batches, `[${status.label}] ${what} {bar} {value}/{total} batches | ETA {eta_formatted}`, {});
      }
      bar?.update(info.done);
      if (info.done >= info.batches) close();
    },
    epoch(r) {
      close();
      // The finished epoch stays above the next bar, so the history remains visible.
      stream.write(formatEpochLine(status.label, r, status.epochs) + '\n');
      epoch = r.epoch + 1;
    },
    stop() {
      close();
    },
  };
}

/** The default: bars on an interactive terminal, otherwise one line per epoch on stderr. */
export function defaultProgress(): ProgressSink {
  return process.stderr.isTTY ? barProgress(process.stderr) : epochLineProgress();
}
