import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { recordInManifest, readManifest, gitState, type ManifestEntry } from '../src/figures/manifest';

const entry = (id: string): ManifestEntry => ({
  id, kind: 'figure', notebook: 'nb', cell: id, caption: 'c', files: [`${id}.png`], seed: 1, profile: 'smoke', protocol: 'paper',
  gitCommit: 'x', gitDirty: false, generatedAt: new Date().toISOString(),
});

describe('figures manifest', () => {
  it('keeps every entry when many figures are recorded at once (locked read-modify-write), sorted by id', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
    const ids = Array.from({ length: 12 }, (_, i) => `fig-${String.fromCharCode(108 - i)}`);
    await Promise.all(ids.map((id) => recordInManifest(dir, entry(id))));
    const m = readManifest(dir);
    expect(Object.keys(m.figures)).toEqual([...ids].sort());
    await recordInManifest(dir, { ...entry(ids[0]), caption: 'new' });
    expect(readManifest(dir).figures[ids[0]].caption).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['manifest.json']); // no lock or temp files left
  });

  it('a figure reproduced byte for byte keeps its entry (and the file stays byte-identical); a changed one is replaced', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
    const first = { ...entry('fig-a'), sha256: { 'fig-a.png': 'aa' }, generatedAt: '2026-01-01T00:00:00.000Z', gitCommit: 'c1' };
    await recordInManifest(dir, first);
    const before = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    // A rerun at a later commit and time that made the same file.
    await recordInManifest(dir, { ...first, generatedAt: '2026-02-02T00:00:00.000Z', gitCommit: 'c2', gitDirty: true });
    expect(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).toBe(before);
    // Different bytes: the new entry, with its own commit and time.
    await recordInManifest(dir, { ...first, sha256: { 'fig-a.png': 'bb' }, generatedAt: '2026-03-03T00:00:00.000Z', gitCommit: 'c3' });
    expect(readManifest(dir).figures['fig-a']).toMatchObject({ gitCommit: 'c3', generatedAt: '2026-03-03T00:00:00.000Z' });
    // A different seed is a different figure too, even with the same bytes.
    await recordInManifest(dir, { ...first, sha256: { 'fig-a.png': 'bb' }, seed: 7, gitCommit: 'c4' });
    expect(readManifest(dir).figures['fig-a'].gitCommit).toBe('c4');
  });

  it('reports a damaged manifest with its path and the fix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{oops');
    expect(() => readManifest(dir)).toThrow(/manifest\.json is not valid JSON .*delete it/);
  });

  it('knows the git commit of the checkout', () => {
    expect(gitState().commit).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('mergeManifestEntry keeps the first record of an unchanged figure, unless a clean checkout reproduces a dirty one', () => {
  it('replaces a dirty record with a clean one for the same figure, never the reverse', async () => {
    const { mergeManifestEntry } = await import('../src/figures/manifest');
    const base = { id: 'fig-x', kind: 'figure', notebook: '01-eda', cell: 'fig-x', caption: 'c', files: [], seed: 42, profile: 'paper', protocol: 'paper' } as const;
    const dirty = { ...base, gitCommit: 'a'.repeat(40), gitDirty: true, generatedAt: '1' } as unknown as ManifestEntryT;
    const clean = { ...base, gitCommit: 'b'.repeat(40), gitDirty: false, generatedAt: '2' } as unknown as ManifestEntryT;
    const later = { ...base, gitCommit: 'c'.repeat(40), gitDirty: false, generatedAt: '3' } as unknown as ManifestEntryT;
    const figures: Record<string, ManifestEntryT> = { 'fig-x': dirty };
    mergeManifestEntry(figures, clean);
    expect(figures['fig-x'].gitCommit).toBe('b'.repeat(40));
    mergeManifestEntry(figures, later); // same figure, already clean: the first clean record stays
    expect(figures['fig-x'].gitCommit).toBe('b'.repeat(40));
    mergeManifestEntry(figures, { ...dirty, generatedAt: '4' } as ManifestEntryT);
    expect(figures['fig-x'].gitDirty).toBe(false);
  });
});
type ManifestEntryT = import('../src/figures/manifest').ManifestEntry;
