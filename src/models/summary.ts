import * as tf from '@tensorflow/tfjs';

/** One row of the architecture table, as Keras' `model.summary()` prints it. */
export interface SummaryRow {
  layer: string;
  type: string;
  /** Batch dimension first, as null (Keras prints it as None). */
  outputShape: Array<number | null>;
  params: number;
}

export interface ModelSummary {
  name: string;
  rows: SummaryRow[];
  total: number;
  trainable: number;
}

/** The layer table the architecture figures and the report are generated from. */
export function modelSummary(model: tf.LayersModel): ModelSummary {
  const rows: SummaryRow[] = model.layers.map((layer) => {
    const shape = layer.outputShape;
    const single = (Array.isArray(shape[0]) ? shape[0] : shape) as Array<number | null>;
    return {
      layer: layer.name,
      type: layer.getClassName(),
      outputShape: single.map((d) => (d === null || d === undefined ? null : d)),
      params: layer.countParams(),
    };
  });
  const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  return { name: model.name, rows, total: rows.reduce((n, r) => n + r.params, 0), trainable };
}
