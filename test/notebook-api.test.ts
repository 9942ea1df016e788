// The notebook API (src/index.ts) is a named, grouped list: every name a notebook imports is in it, and
// it re-exports no whole module (`export *` would make the whole library the API again).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const indexFile = path.join(root, 'src', 'index.ts');

function apiNames(): Set<string> {
  const program = ts.createProgram([indexFile], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(indexFile)!;
  return new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((s) => s.name));
}

function notebookImports(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const dir = path.join(root, 'notebooks');
  for (const file of fs.readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort()) {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> };
    const names: string[] = [];
    for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
      const src = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*'\.\.\/dist\/index'/g)) {
        names.push(...m[1].split(',').map((n) => n.trim().replace(/^type\s+/, '')).filter(Boolean));
      }
    }
    out.set(file, names);
  }
  return out;
}

describe('the notebook API (src/index.ts)', () => {
  const api = apiNames();

  it('names its exports: no `export *`', () => {
    expect(fs.readFileSync(indexFile, 'utf8')).not.toMatch(/^\s*export\s*\*/m);
    expect(api.size).toBeGreaterThan(40);
  });

  it('exports every name the notebooks import', () => {
    const imports = notebookImports();
    expect([...imports.values()].flat().length).toBeGreaterThan(40);
    for (const [file, names] of imports) {
      const missing = names.filter((n) => !api.has(n));
      expect(missing, `${file} imports names src/index.ts does not export`).toEqual([]);
    }
  });
});
