// The report counts parameters from the registry's layer specs (src/models/params.ts) instead of
// building TensorFlow models; this checks that count, layer by layer, against tf's own.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../src/models/architectures';
import { countParams, layerCounts } from '../src/models/params';
import { MODEL_NAMES } from '../src/models/registry';

describe('parameters counted from the registry', () => {
  it.each(MODEL_NAMES)('%s: every layer\'s output shape and parameters, and the total, equal TensorFlow\'s', (model) => {
    const built = buildModel(model, 0);
    try {
      const tf = built.layers.map((l) => ({ layer: l.name, outputShape: (l.outputShape as Array<number | null>).slice(1), params: l.countParams() }));
      expect(layerCounts(model)).toEqual(tf);
      expect(countParams(model)).toEqual({ total: built.countParams(), layers: built.layers.length });
    } finally {
      built.dispose();
    }
  });
});
