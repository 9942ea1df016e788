import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Raster images placed in a PDF (`pdfimages -list`; soft masks of transparent PNGs are not counted). */
export function pdfImageCount(pdf: string): number {
  const lines = execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).split('\n').slice(2);
  return lines.filter((l) => l.trim().split(/\s+/)[2] === 'image').length;
}

/** Page number → raster images placed on it. */
export function pdfImagesPerPage(pdf: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).split('\n').slice(2)) {
    const [page, , type] = line.trim().split(/\s+/);
    if (type === 'image') counts.set(Number(page), (counts.get(Number(page)) ?? 0) + 1);
  }
  return counts;
}

/**
 * Typesets the LaTeX source Quarto keeps for the manuscript (`_manuscript/_tex/`: index.tex and its
 * figures) once more with xelatex, and returns what its log reports that a reader would see: overfull
 * boxes wider (or taller) than `maxPt` points, and characters missing from the fonts.
 */
export function latexLogProblems(texDir: string, maxPt: number): string[] {
  if (!fs.existsSync(path.join(texDir, 'index.tex'))) return [`${texDir}/index.tex is missing: Quarto kept no LaTeX source`];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fmnist-tex-'));
  try {
    fs.cpSync(texDir, work, { recursive: true });
    const res = spawnSync('xelatex', ['-interaction=nonstopmode', '-halt-on-error', 'index.tex'], { cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const log = fs.existsSync(path.join(work, 'index.log')) ? fs.readFileSync(path.join(work, 'index.log'), 'utf8') : '';
    if (res.status !== 0) return [`xelatex failed (exit ${res.status}): ${(log || res.stdout).slice(-1500)}`];
    return parseLatexLog(log, maxPt);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The overfull boxes beyond `maxPt` and the missing characters in a LaTeX log. Pure. */
export function parseLatexLog(log: string, maxPt: number): string[] {
  const problems: string[] = [];
  for (const m of log.matchAll(/Overfull \\([hv])box \((\d+(?:\.\d+)?)pt too (?:wide|high)\)([^\n]*)/g)) {
    if (Number(m[2]) > maxPt) problems.push(`overfull \\${m[1]}box ${m[2]} pt${m[3]}`);
  }
  for (const m of log.matchAll(/Missing character: There is no (.+?) in font ([^!\n]+)/g)) problems.push(`missing character ${m[1]} in font ${m[2]}`);
  return [...new Set(problems)];
}
