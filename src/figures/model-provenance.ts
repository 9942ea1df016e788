/**
 * Provenance of figures drawn from trained models, for figures/manifest.json: the data each run saw
 * (checksums of the source files and of its train/val/test images), its backend and where its results
 * live. Read from each run's run.json, so the manifest points at exactly the results a figure shows.
 */
import { readVerifiedRun } from '../results/artifacts';
import { displayPath } from '../util/paths';
import type { FigureProvenance } from '../notebook/context';

/** The fields of a report needed to find its saved run. */
export interface ReportLocation {
  model: string;
  dir: string;
}

/**
 * Provenance for figures made from these reports: data checksums keyed `<file>` (shared by all runs)
 * and `<model>:train|val|test` (each run's images), the backend(s), and the results folders.
 * Throws, naming the folder, when a report's run.json cannot be read.
 */
export async function resultsProvenance(reports: readonly ReportLocation[]): Promise<FigureProvenance> {
  const dataChecksums: Record<string, string> = {};
  const backends = new Set<string>();
  const results: string[] = [];
  for (const report of reports) {
    const saved = readVerifiedRun(report.dir, `train ${report.model} again (its notebook's training cell retrains a damaged result)`);
    if (!saved) throw new Error(`no complete saved run in ${report.dir} (run.json missing); train ${report.model} again`);
    for (const f of saved.run.data.files) dataChecksums[f.name] = f.sha256;
    for (const [part, sum] of Object.entries(saved.run.data.checksums)) dataChecksums[`${report.model}:${part}`] = sum;
    backends.add(saved.run.backend);
    results.push(displayPath(report.dir));
  }
  return { dataChecksums, backend: [...backends].sort().join(', '), results };
}
