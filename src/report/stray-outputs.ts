import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Quarto's manuscript render leaves `<name>.out.ipynb` beside each notebook it publishes; no page
 * links to them (the "Download" links name the notebook itself), so a reader would find two copies
 * of each. Removed after the render; returns the files removed.
 */
export function removeStrayNotebookCopies(outputDir: string): string[] {
  const dir = path.join(outputDir, 'notebooks');
  if (!fs.existsSync(dir)) return [];
  const stray = fs.readdirSync(dir).filter((f) => f.endsWith('.out.ipynb'));
  for (const f of stray) fs.rmSync(path.join(dir, f), { force: true });
  return stray;
}
