import { describe, it, expect, afterEach } from 'vitest';
import * as path from 'node:path';
import { notebookSettings, figuresDirFor, setNotebookName, currentNotebook, setProvenance, currentProvenance } from '../src/notebook/context';

const saved = process.env.FMNIST_FIGURES_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.FMNIST_FIGURES_DIR;
  else process.env.FMNIST_FIGURES_DIR = saved;
});

describe('notebookSettings', () => {
  it('defaults to the paper profile, paper protocol and seed 42', () => {
    process.env.FMNIST_FIGURES_DIR = '/x/figures';
    expect(notebookSettings({})).toEqual({ profile: 'paper', protocol: 'paper', seed: 42, figuresDir: '/x/figures' });
  });

  it('reads the environment; smoke figures go to a subfolder so they never overwrite the committed ones', () => {
    process.env.FMNIST_FIGURES_DIR = '/x/figures';
    const s = notebookSettings({ FMNIST_PROFILE: 'smoke', FMNIST_PROTOCOL: 'official', FMNIST_SEED: '7' });
    expect(s).toEqual({ profile: 'smoke', protocol: 'official', seed: 7, figuresDir: path.join('/x/figures', 'smoke') });
    expect(figuresDirFor('paper')).toBe('/x/figures');
  });

  it('rejects bad values with the variable name and the accepted values', () => {
    expect(() => notebookSettings({ FMNIST_PROFILE: 'fast' })).toThrow(/FMNIST_PROFILE=fast is not valid: use one of smoke, paper/);
    expect(() => notebookSettings({ FMNIST_PROTOCOL: 'kfold' })).toThrow(/FMNIST_PROTOCOL=kfold.*paper, official/);
    for (const bad of ['-1', '1.5', 'abc', '99999999999']) expect(() => notebookSettings({ FMNIST_SEED: bad })).toThrow(/FMNIST_SEED=.*whole number/);
    expect(notebookSettings({ FMNIST_SEED: ' ' }).seed).toBe(42);
  });
});

describe('notebook name and provenance', () => {
  it('records the name, resets provenance per notebook, and merges provenance', () => {
    setNotebookName('03-ann');
    setProvenance({ dataChecksums: { a: '1' } });
    setProvenance({ backend: 'wasm' });
    expect(currentNotebook()).toBe('03-ann');
    expect(currentProvenance()).toEqual({ dataChecksums: { a: '1' }, backend: 'wasm' });
    setNotebookName('04-cnn1');
    expect(currentProvenance()).toEqual({});
    expect(() => setNotebookName('../evil')).toThrow(/file name without .ipynb/);
  });
});
