/**
 * Which notebook shows which model. The notebooks in notebooks/ are the source: edit their prose, code
 * and Quarto cell options (label, fig-cap, fig-alt in each cell's metadata) in JupyterLab. Their figure
 * cells' label, caption and alt text must equal the figure builders' (model-figure-text.ts) and the
 * manifest's: test/model-figures-notebooks.test.ts checks that.
 */
export const MODEL_NOTEBOOKS = { ann: '03-ann', cnn1: '04-cnn1', cnn2: '05-cnn2', cnn3: '06-cnn3' } as const;
export type NotebookModel = keyof typeof MODEL_NOTEBOOKS;
export const COMPARISON_NOTEBOOK = '07-comparison';
/** The model whose mistakes 07 shows: CNN 3, the model the paper recommends. */
export const GALLERY_MODEL = 'cnn3';
