/** One line of the training history (epoch is 1-based; loss/accuracy are running means over the epoch's batches, as Keras reports them). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  seconds: number;
  /**
   * CPU seconds of this process during the epoch (user + system): unlike wall time, barely moved by
   * other work on the machine, so training costs of runs made under different load compare.
   * Absent in runs from before 5 December 2026.
   */
  cpuSeconds?: number;
}
