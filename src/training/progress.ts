import * as cliProgress from 'cli-progress';
import type { EpochRecord } from './loop';

/** Receives training progress; the loop calls it, the caller decides how to show it. */
export interface ProgressSink {
  start(info: { label: string; epochs: number; stepsPerEpoch: number; startEpoch: number }): void;
  step(info: { epoch: number; step: number; loss: number }): void;
  epoch(record: EpochRecord): void;
  stop(): void;
}

export const silentProgress: ProgressSink = { start() {}, step() {}, epoch() {}, stop() {} };

/** One line per epoch; for notebooks, logs and non-TTY stderr. */
export function epochLineProgress(write: (line: string) => void = (l) => console.error(l)): ProgressSink {
  let label = '';
  let epochs = 0;
  return {
    start(info) {
      label = info.label;
      epochs = info.epochs;
      if (info.startEpoch > 0) write(`[${label}] resuming after epoch ${info.startEpoch}/${epochs}`);
    },
    step() {},
    epoch(r) {
      write(formatEpochLine(label, r, epochs));
    },
    stop() {},
  };
}

export function formatEpochLine(label: string, r: EpochRecord, epochs: number): string {
  const f = (x: number) => x.toFixed(4);
  return (
    `[${label}] epoch ${r.epoch}/${epochs}  loss ${f(r.loss)}  acc ${f(r.accuracy)}  ` +
    `val_loss ${f(r.valLoss)}  val_acc ${f(r.valAccuracy)}  lr ${r.learningRate.toExponential(2)}  ${r.seconds.toFixed(1)}s`
  );
}

/** A cli-progress bar over all steps of the run, plus a line per finished epoch (TTY only). */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let bar: cliProgress.SingleBar | undefined;
  let label = '';
  let epochs = 0;
  let stepsPerEpoch = 0;
  return {
    start(info) {
      ({ label, epochs, stepsPerEpoch } = info);
      bar = new cliProgress.SingleBar(
        { stream, format: `[${label}] {bar} {percentage}% | epoch {epochNo}/${epochs} | loss {loss} | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(epochs * stepsPerEpoch, info.startEpoch * stepsPerEpoch, { epochNo: info.startEpoch + 1, loss: '-' });
    },
    step({ epoch, step, loss }) {
      bar?.update((epoch - 1) * stepsPerEpoch + step, { epochNo: epoch, loss: loss.toFixed(4) });
    },
    epoch(r) {
      // Print the finished epoch above the bar so the history stays visible.
      stream.write('\r\x1b[2K' + formatEpochLine(label, r, epochs) + '\n');
    },
    stop() {
      bar?.stop();
    },
  };
}

/** The default: a bar on an interactive terminal, otherwise one line per epoch on stderr. */
export function defaultProgress(): ProgressSink {
  return process.stderr.isTTY ? barProgress(process.stderr) : epochLineProgress();
}
