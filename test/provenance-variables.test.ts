// Which commit made each figure, and where a reader can open it: repository addresses, links per
// forge, and the sentence the article prints.
import { describe, expect, it } from 'vitest';
import { commitsSentence, figureSources, notebookUrl, webUrl } from '../src/report/provenance-variables';
import type { ManifestEntry } from '../src/figures/manifest';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const entry = (id: string, notebook: string, commit: string, dirty = false) => ({ id, kind: id.startsWith('tbl-') ? 'table' : 'figure', notebook, cell: id, caption: '', files: [], seed: 42, profile: 'paper', protocol: 'paper', gitCommit: commit, gitDirty: dirty, generatedAt: '' }) as unknown as ManifestEntry;

describe('figure provenance for the article', () => {
  it('turns every usual form of a repository address into its web address, and a local path into none', () => {
    expect(webUrl('git@github.com:zalando/fmnist.git')).toBe('https://github.com/zalando/fmnist');
    expect(webUrl('git+https://github.com/o/r.git')).toBe('https://github.com/o/r');
    expect(webUrl('https://gitlab.com/group/sub/r')).toBe('https://gitlab.com/group/sub/r');
    expect(webUrl('ssh://git@gitlab.example.org/o/r.git')).toBe('https://gitlab.example.org/o/r');
    expect(webUrl('github:o/r')).toBe('https://github.com/o/r');
    expect(webUrl('/home/me/fmnist')).toBeUndefined();
    expect(webUrl('../fmnist.git')).toBeUndefined();
  });

  it('links a notebook at its commit on GitHub, GitLab and Bitbucket, and only for a full commit hash', () => {
    expect(notebookUrl('https://github.com/o/r', A, '07-comparison')).toBe(`https://github.com/o/r/blob/${A}/notebooks/07-comparison.ipynb`);
    expect(notebookUrl('https://gitlab.com/o/r', A, '01-eda')).toBe(`https://gitlab.com/o/r/-/blob/${A}/notebooks/01-eda.ipynb`);
    expect(notebookUrl('https://bitbucket.org/o/r', A, '01-eda')).toBe(`https://bitbucket.org/o/r/src/${A}/notebooks/01-eda.ipynb`);
    expect(notebookUrl(undefined, A, '01-eda')).toBeUndefined();
    expect(notebookUrl('https://github.com/o/r', 'unknown', '01-eda')).toBeUndefined();
  });

  it('names each figure’s notebook and commit, and says how many commits made the figures', () => {
    const figures = { 'fig-a': entry('fig-a', '01-eda', A), 'tbl-b': entry('tbl-b', '07-comparison', A), 'fig-c': entry('fig-c', '02-pca', B, true) };
    expect(figureSources(figures, 'https://github.com/o/r')['fig-c']).toEqual({ notebook: '02-pca', commit: B, dirty: 'yes', url: `https://github.com/o/r/blob/${B}/notebooks/02-pca.ipynb` });
    expect(figureSources(figures, undefined)['fig-a'].url).toBe('');
    expect(commitsSentence(figures)).toBe('The 3 figures and tables were made at 2 commits: 2 at aaaaaaa, 1 at bbbbbbb. 1 of them was made with uncommitted changes to the code, so their commit alone does not reproduce them.');
    expect(commitsSentence({ 'fig-a': figures['fig-a'] })).toBe('All 1 figures and tables were made by their notebooks at commit aaaaaaa.');
  });
});
