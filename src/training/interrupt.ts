/**
 * Stopping a training run on request (Kernel › Interrupt in JupyterLab, or a later call for the same
 * run in this process), at a batch boundary, so nothing runs on in the background and the lock is
 * released. The run's last checkpoint (after each finished epoch) is where a rerun resumes.
 */

/**
 * Where a run was when it stopped: `batch` batches of `batches` done in this phase of `epoch` (1-based);
 * `checkpointEpoch` 0 means no epoch had finished.
 */
export interface StopPoint {
  phase: 'training' | 'validation' | 'evaluation';
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  checkpointEpoch: number;
}

/** Thrown inside the loop at the first batch boundary after the stop was asked for. */
export class StopRequested extends Error {
  override name = 'StopRequested';
  constructor(readonly where: StopPoint) {
    super(`stopped in the ${where.phase} of epoch ${where.epoch}/${where.epochs} after ${where.batch}/${where.batches} batches`);
  }
}

/** Throws {@link StopRequested} when `signal` is aborted; called before every batch. */
export function stopIfAsked(signal: AbortSignal | undefined, where: () => StopPoint): void {
  if (signal?.aborted) throw new StopRequested(where());
}

/**
 * What the caller of an interrupted run gets: one line, naming the run, where it stopped and what a
 * rerun does. Printed without a stack trace (tslab prints a cell's error with console.error).
 */
export class TrainingInterrupted extends Error {
  override name = 'TrainingInterrupted';
  declare readonly where: StopPoint;
  constructor(message: string, where: StopPoint) {
    super(message);
    // Not enumerable, so console.error prints the line only, not the object under it.
    Object.defineProperty(this, 'where', { value: where, enumerable: false });
    this.stack = `${this.name}: ${message}`;
  }
}

/** The one line of {@link TrainingInterrupted}, e.g. `[cnn3/paper] interrupted in epoch 3/10 after 120/938 batches; a rerun resumes from the checkpoint after epoch 2 (results/paper/cnn3)`. */
export function interruptedLine(label: string, where: StopPoint, dir: string): string {
  const at =
    where.phase === 'training'
      ? `in epoch ${where.epoch}/${where.epochs} after ${where.batch}/${where.batches} batches`
      : where.phase === 'validation'
        ? `while validating epoch ${where.epoch}/${where.epochs} (${where.batch}/${where.batches} batches done)`
        : `in the final evaluation (${where.batch}/${where.batches} batches done), after all ${where.epochs} epochs`;
  const resume =
    where.checkpointEpoch === 0
      ? 'no epoch had finished, so a rerun starts from the beginning'
      : where.phase === 'evaluation'
        ? `a rerun resumes from the checkpoint after epoch ${where.checkpointEpoch} and only evaluates (${dir})`
        : `a rerun resumes from the checkpoint after epoch ${where.checkpointEpoch} (${dir})`;
  return `[${label}] interrupted ${at}; ${resume}`;
}
