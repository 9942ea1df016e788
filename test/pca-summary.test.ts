// Notebook 02's saved PCA numbers, which the article quotes: a round trip, a cross-check of the
// component counts against the variances, and clear errors for a missing or edited file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PCA_SUMMARY_FORMAT, pcaSummaryPath, pcaVariables, readPcaSummary, savePcaSummary } from '../src/pca/summary';
import type { PcaFit } from '../src/pca/fit';
import { cumulativeSum } from '../src/pca/fit';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-pca-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Ten components: cumulative 50, 70, 80, 88, 93, 96%...: 90% needs 5 components, 95% needs 6.
const explained = [0.5, 0.2, 0.1, 0.08, 0.05, 0.03, 0.02, 0.01, 0.006, 0.004];
const fit = { count: 1234, explained, cumulative: cumulativeSum(explained) } as unknown as PcaFit;

describe('the PCA summary (results/pca/summary.json)', () => {
  it('round-trips, with the counts read off the cumulative variance', async () => {
    const file = await savePcaSummary(fit, 'paper', { train: 'abc' }, dir);
    expect(file).toBe(path.join(dir, 'pca', 'summary.json'));
    const s = readPcaSummary(file);
    expect(s).toMatchObject({ format: PCA_SUMMARY_FORMAT, images: 1234, pixels: 10, components90: 5, components95: 6 });
    expect(pcaVariables(s)).toEqual({ chart_components: '10', chart_percent: '100.0', images: '1,234', pixels: '10', components_90: '5', components_95: '6', first_two_percent: '70.0', first_component_percent: '50.0' });
  });

  it('keeps another profile apart from the committed one', () => {
    expect(pcaSummaryPath('smoke', dir)).toBe(path.join(dir, 'smoke', 'pca', 'summary.json'));
  });

  it('refuses a missing file or counts that do not follow from the variances, naming the file and the fix', async () => {
    expect(() => readPcaSummary(path.join(dir, 'nope.json'))).toThrow(/nope\.json is missing: run notebook 02-pca/);
    const file = await savePcaSummary(fit, 'paper', {}, dir);
    const edited = { ...JSON.parse(fs.readFileSync(file, 'utf8')), components90: 4 };
    fs.writeFileSync(file, JSON.stringify(edited));
    expect(() => readPcaSummary(file)).toThrow(/component counts do not follow from its explained variances: delete it and run notebook 02-pca/);
  });
});
