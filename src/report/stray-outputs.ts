import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Quarto's manuscript render leaves `<name>.out.ipynb` beside each notebook it publishes; no page
 * links to them (the "Download" links name the notebook itself), so a reader would find two copies
 * of each. Removed after the render; returns the files removed.
 */
export function removeStrayNotebookCopies(outputDir: string): string[] {
  if (!fs.existsSync(outputDir)) return [];
  // Anywhere in the site: the official split's notebooks sit under results/official/notebooks/.
  const stray = fs.readdirSync(outputDir, { recursive: true }).map(String).filter((f) => f.endsWith('.out.ipynb') && !f.startsWith('site_libs'));
  for (const f of stray) fs.rmSync(path.join(outputDir, f), { force: true });
  return stray.map((f) => path.basename(f));
}
