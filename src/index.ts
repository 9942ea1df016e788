// Public API used by the notebooks (they import the compiled form: `../dist/index`).
// One re-export per module, in pipeline order: data, EDA, PCA, models, training, evaluation, figures, report.
export * from './util/paths';
