import { describe, expect, it } from 'vitest';
import { NOTEBOOK_NAMES, planNotebookJobs } from '../src/pipeline/plan';
import { MODEL_NAMES, modelNotebook, paperModels } from '../src/models/registry';

const afterOf = (protocols: Array<'paper' | 'official'>, id: string) => {
  const job = planNotebookJobs({ profile: 'paper', protocols }).find((j) => j.id === id);
  expect(job, `no job ${id}`).toBeDefined();
  return [...(job!.after ?? [])].sort();
};
const models = MODEL_NAMES.map(modelNotebook);

describe('the main job plan', () => {
  it('runs the comparison of each protocol after its model notebooks', () => {
    expect(afterOf(['paper', 'official'], 'official/07-comparison')).toEqual(models.map((m) => `official/${m}`).sort());
  });

  it('also makes the paper comparison wait for the official model notebooks (its benchmark figure shows the official split)', () => {
    expect(afterOf(['paper', 'official'], 'paper/07-comparison')).toEqual([...models.map((m) => `official/${m}`), ...models.map((m) => `paper/${m}`)].sort());
  });

  it('waits only for notebooks that are part of the run', () => {
    expect(afterOf(['paper'], 'paper/07-comparison')).toEqual(models.map((m) => `paper/${m}`).sort());
    const only = planNotebookJobs({ profile: 'paper', protocols: ['paper', 'official'], only: ['07-comparison'] });
    expect(only.map((j) => [j.id, j.after])).toEqual([['paper/07-comparison', []], ['official/07-comparison', []]]);
  });

  it('runs the interpretability notebook once, on the first protocol, after the ANN, CNN 1 and CNN 3 notebooks it loads', () => {
    const jobs = planNotebookJobs({ profile: 'paper', protocols: ['paper', 'official'] }).filter((j) => j.id?.endsWith('08-interpretability'));
    expect(jobs.map((j) => j.id)).toEqual(['paper/08-interpretability']);
    expect(afterOf(['paper', 'official'], 'paper/08-interpretability')).toEqual(['paper/03-ann', 'paper/04-cnn1', 'paper/06-cnn3']);
  });

  it('is the plan as it was written out by hand before it derived from the model registry: same jobs, order and dependencies', () => {
    // Pinned for the paper's four models; a model added to the registry (not in the paper) is left out here.
    const paper = new Set<string>(paperModels().map(modelNotebook));
    const others = new Set<string>(MODEL_NAMES.map(modelNotebook).filter((n) => !paper.has(n)));
    const keep = (id: string) => !others.has(id.split('/')[1]);
    expect(NOTEBOOK_NAMES.filter((n) => !others.has(n))).toEqual(['01-eda', '02-pca', '03-ann', '04-cnn1', '05-cnn2', '06-cnn3', '07-comparison', '08-interpretability']);
    const plan = (protocols: Array<'paper' | 'official'>) =>
      planNotebookJobs({ profile: 'paper', protocols })
        .filter((j) => keep(j.id!))
        .map((j) => [j.id, (j.after ?? []).filter(keep)]);
    const both = (n: string) => [`paper/${n}`, `official/${n}`];
    // Slowest training first (CNN 3, CNN 1, CNN 2, the ANN), then PCA, EDA, the comparison and the interpretability.
    expect(plan(['paper', 'official']).map(([id]) => id)).toEqual([...both('06-cnn3'), ...both('04-cnn1'), ...both('05-cnn2'), ...both('03-ann'), 'paper/02-pca', 'paper/01-eda', ...both('07-comparison'), 'paper/08-interpretability']);
    expect(plan(['paper'])).toEqual([
      ['paper/06-cnn3', []],
      ['paper/04-cnn1', []],
      ['paper/05-cnn2', []],
      ['paper/03-ann', []],
      ['paper/02-pca', []],
      ['paper/01-eda', []],
      ['paper/07-comparison', ['paper/03-ann', 'paper/04-cnn1', 'paper/05-cnn2', 'paper/06-cnn3']],
      ['paper/08-interpretability', ['paper/03-ann', 'paper/04-cnn1', 'paper/06-cnn3']],
    ]);
  });

  it('every dependency names a job of the plan', () => {
    const jobs = planNotebookJobs({ profile: 'paper', protocols: ['paper', 'official'] });
    const ids = new Set(jobs.map((j) => j.id));
    for (const job of jobs) for (const dep of job.after ?? []) expect(ids.has(dep), `${job.id} waits for ${dep}`).toBe(true);
  });
});
