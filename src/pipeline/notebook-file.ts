import * as fs from 'node:fs';

/** The parts of an nbformat 4 notebook that the pipeline and the report checks read. */
export interface NotebookOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw' | string;
  id?: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: NotebookOutput[];
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** Reads and minimally validates a notebook, with an error that names the file. */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read notebook ${file}: ${(err as Error).message}`);
  }
  let nb: Notebook;
  try {
    nb = JSON.parse(text) as Notebook;
  } catch (err) {
    throw new Error(`${file} is not valid notebook JSON (${(err as Error).message}); restore it from git (git checkout -- ${file})`);
  }
  if (!Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new Error(`${file} is not an nbformat 4 notebook (no cells array or nbformat != 4)`);
  }
  return nb;
}

/** Cell source as one string (nbformat allows a string or a list of lines). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/**
 * The cell's Quarto label. TypeScript has no `#|` comment syntax Quarto understands, so the
 * project keeps Quarto cell options (label, fig-cap, fig-alt) in the cell metadata.
 */
export function cellLabel(cell: NotebookCell): string | undefined {
  const label = cell.metadata?.label;
  return typeof label === 'string' ? label : undefined;
}

/** The cell with the given Quarto label, with its index, or undefined. */
export function findLabelledCell(nb: Notebook, label: string): { index: number; cell: NotebookCell } | undefined {
  const index = nb.cells.findIndex((c) => cellLabel(c) === label);
  return index < 0 ? undefined : { index, cell: nb.cells[index] };
}

/** Whether any code cell carries outputs: a notebook that was never executed has none. */
export function hasOutputs(nb: Notebook): boolean {
  return nb.cells.some((c) => c.cell_type === 'code' && (c.outputs?.length ?? 0) > 0);
}
