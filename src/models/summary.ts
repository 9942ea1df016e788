import * as tf from '@tensorflow/tfjs';

/** One row of the architecture table, as Keras' `model.summary()` prints it. */
export interface SummaryRow {
  layer: string;
  type: string;
  /** Batch dimension first, as null (Keras prints it as None). */
  outputShape: Array<number | null>;
  params: number;
  /** The layer's settings a reader needs to rebuild it: "32 filters, 4 × 4, stride 1, valid padding, ReLU"; "" for none. */
  settings: string;
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
      settings: layerSettings(layer.getClassName(), layer.getConfig()),
    };
  });
  const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  return { name: model.name, rows, total: rows.reduce((n, r) => n + r.params, 0), trainable };
}

const ACTIVATIONS: Record<string, string> = { relu: 'ReLU', softmax: 'softmax', linear: 'no activation', sigmoid: 'sigmoid', tanh: 'tanh' };
const pair = (v: unknown) => (Array.isArray(v) ? v.join(' × ') : `${v} × ${v}`);
const single = (v: unknown) => (Array.isArray(v) && v.every((x) => x === v[0]) ? String(v[0]) : Array.isArray(v) ? v.join(' × ') : String(v));

/** A layer's settings in words, from its Keras config (the paper's figures of the models give the same facts). Pure. */
export function layerSettings(className: string, config: Record<string, unknown>): string {
  const act = (a: unknown) => ACTIVATIONS[String(a)] ?? String(a);
  switch (className) {
    case 'Conv2D':
      return `${config.filters} filters, ${pair(config.kernelSize)}, stride ${single(config.strides)}, ${config.padding} padding, ${act(config.activation)}`;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return `${pair(config.poolSize)} window, stride ${single(config.strides ?? config.poolSize)}`;
    case 'Dense':
      return `${config.units} units, ${act(config.activation)}`;
    case 'Dropout':
      return `rate ${config.rate}`;
    default:
      return '';
  }
}
