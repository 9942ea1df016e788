/**
 * Notebooks import the compiled dist/, and Node keeps every module a kernel has imported: an edit to
 * src/ reaches a notebook only after a build and a kernel restart. Said in the cell, instead of the
 * old code running silently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../util/paths';

/** When this kernel imported dist/ (this module loads with the rest of it). */
const loadedAt = Date.now();

function newestSource(dir: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const found = entry.isDirectory() ? newestSource(full) : entry.name.endsWith('.ts') ? { file: full, mtimeMs: fs.statSync(full).mtimeMs } : undefined;
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/** The newest compiled module under dist/ (what a build last wrote). */
function newestBuilt(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestBuilt(full) : entry.name.endsWith('.js') ? fs.statSync(full).mtimeMs : 0;
    if (t > newest) newest = t;
  }
  return newest;
}

/**
 * undefined when this kernel runs the code in src/; otherwise what to do: build (src/ edited after the
 * last build of dist/) and/or restart the kernel (dist/ rebuilt after this kernel imported it).
 */
export function staleBuildMessage(root: string = projectRoot(), kernelLoadedAt: number = loadedAt): string | undefined {
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  if (!fs.existsSync(src) || !fs.existsSync(dist)) return undefined;
  const source = newestSource(src);
  const built = newestBuilt(dist);
  // tsc writes unchanged outputs too, so a whole-second margin covers file systems with coarse times.
  if (source && source.mtimeMs > built + 1000) {
    return `note: dist/ is older than src/ (${path.relative(root, source.file)} changed after the last build), so this kernel runs the old code. Run \`npm run build\` (or keep \`npm run watch\` running), then Kernel › Restart Kernel and run the cells again`;
  }
  if (built > kernelLoadedAt + 1000) {
    return 'note: dist/ was rebuilt after this kernel imported it, and Node keeps the modules it imported: Kernel › Restart Kernel, then run the cells again, to run the new code';
  }
  return undefined;
}

const said = new Set<string>();
/**
 * {@link staleBuildMessage}, once per notebook run: `fresh` (the first cell) starts a new run, and a
 * training cell run by hand says it again only if the first cell has not.
 */
export function staleBuildNote({ fresh = false }: { fresh?: boolean } = {}): string | undefined {
  if (fresh) said.clear();
  const message = staleBuildMessage();
  if (message === undefined || said.has(message)) return undefined;
  said.add(message);
  return message;
}
