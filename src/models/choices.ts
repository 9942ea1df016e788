/**
 * Every modelling choice the paper leaves open, stated once so the report can cite it.
 * The values here are what a Keras 2 user of the paper would get from `Sequential([...])`
 * with default arguments; the code in architectures.ts and the training loop reads them from here.
 */
export const MODEL_CHOICES = Object.freeze({
  inputShape: [28, 28, 1] as const,
  inputNote:
    'All four models take 28×28×1 images scaled to [0, 1] (pixel / 255, as in the paper). The ANN flattens them first, ' +
    'so its parameter count is the same as with a 28×28 input.',
  cnn3KernelSize: 3,
  cnn3KernelNote:
    'The paper gives no kernel size for CNN 3; 3×3 for both convolutions is the Keras tutorial default for this ' +
    'conv32 → pool → conv64 → pool design.',
  cnn1KernelSize: 4,
  padding: 'valid' as const,
  paddingNote: "Padding 'valid' (no zero padding), the Keras default; the paper does not mention padding.",
  poolSize: 2,
  poolNote: 'Max-pooling 2×2 with stride 2 (Keras default: strides = pool size).',
  kernelInitializer: 'glorotUniform' as const,
  biasInitializer: 'zeros' as const,
  initializerNote:
    'Glorot-uniform kernels and zero biases (Keras defaults), each layer seeded from (run seed, model name, layer name).',
  cnn2Note:
    "CNN 2 is CNN 1 with strides [1, 1] given explicitly; Keras' default strides are already (1, 1), so the two networks " +
    'compute the same function family and differ only in their random draws: seeds are derived from the model name, ' +
    'so CNN 1 and CNN 2 are two independent runs of one architecture, as two Keras runs would be.',
  dropoutRate: 0.2,
  dropoutNote:
    'CNN 3 drops 20% of the 128 dense activations during training only; the mask is drawn from a seed derived from ' +
    '(run seed, model name, global step), so every step gets a fresh mask yet reruns are identical.',
  optimizer: { name: 'adam' as const, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  optimizerNote: 'Adam with Keras defaults (learning rate 1e-3, β1 0.9, β2 0.999, ε 1e-7).',
  loss: 'sparseCategoricalCrossentropy' as const,
  lossNote:
    'Sparse categorical cross-entropy on the softmax output, with probabilities clipped to [1e-7, 1 − 1e-7] as Keras does.',
});

export type ModelChoices = typeof MODEL_CHOICES;
