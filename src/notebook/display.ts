/**
 * The one place that talks to the Jupyter kernel's display channel.
 *
 * tslab's public `display.*` functions send one MIME type per output, but a figure needs ONE
 * display_data carrying several (text/html for JupyterLab and Quarto HTML, image/png for Quarto's PDF).
 * The function behind tslab's display API, `lastWriteDisplayData` in `tslab/dist/jupyter`, accepts such a
 * bundle. It is internal to tslab (checked with tslab 1.0.22), so it is used here only, and
 * test/display-bundle.test.ts executes a real notebook to check that Jupyter stores one output with all types.
 */

/**
 * MIME type → content. Binary content (images) is base64-encoded before sending, as Jupyter expects;
 * JSON MIME types (`…+json`, e.g. plotly's) take a plain object, which Jupyter stores as JSON.
 */
export type MimeBundle = Record<string, string | Uint8Array | JsonObject>;
export type JsonObject = { [key: string]: unknown };

/** Per-MIME-type output metadata, e.g. `{ 'image/png': { width: 800, height: 500 } }`. */
export type MimeMetadata = Record<string, Record<string, unknown>>;

type WriteDisplayData = (data: { data: Record<string, string | JsonObject>; metadata: MimeMetadata; transient: Record<string, unknown> }, update: boolean) => void;

/** tslab's current display writer, or undefined outside a tslab kernel (CLI, tests, plain node). */
function kernelWriter(): WriteDisplayData | undefined {
  try {
    // Resolved from this project's node_modules: the same module instance the tslab kernel runs from.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData?: WriteDisplayData | null };
    return typeof jupyter.lastWriteDisplayData === 'function' ? jupyter.lastWriteDisplayData : undefined;
  } catch {
    return undefined;
  }
}

/** True when running inside a tslab kernel that has executed at least one cell (so display works). */
export function inNotebookKernel(): boolean {
  return kernelWriter() !== undefined;
}

/**
 * Sends `bundle` as ONE display_data output of the running cell. Outside a kernel nothing is displayed
 * (there is nowhere to show it): the text/plain part, if any, is printed instead, with a note.
 * Returns true when the bundle went to a kernel.
 */
export function displayBundle(bundle: MimeBundle, metadata: MimeMetadata = {}): boolean {
  const data: Record<string, string | JsonObject> = {};
  for (const [mime, value] of Object.entries(bundle)) {
    data[mime] = typeof value === 'string' || !(value instanceof Uint8Array) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  const write = kernelWriter();
  if (write === undefined) {
    const text = typeof bundle['text/plain'] === 'string' ? `: ${bundle['text/plain']}` : '';
    console.log(`[display] not in a notebook kernel; skipped ${Object.keys(bundle).join(' + ')}${text}`);
    return false;
  }
  write({ data, metadata, transient: {} }, false);
  return true;
}
