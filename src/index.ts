// Public API used by the notebooks (they import the compiled form: `../dist/index`).
// One re-export per module, in pipeline order: data, EDA, PCA, models, training, evaluation, figures, report.
export * from './util/paths';
export * from './data/types';
export * from './data/classes';
export * from './data/checksums';
export * from './data/errors';
export * from './data/locate';
export * from './data/load';
export * from './data/splits';
export * from './figures/model-figure-text';
export * from './figures/model-figures';
export * from './figures/model-highlights';
export * from './figures/comparison-figures';
export * from './notebook/context';
export * from './notebook/display';
export * from './figures/spec';
export * from './figures/plotly-html';
export * from './figures/export';
export * from './figures/manifest';
export * from './figures/show';
export * from './tf/backend';
