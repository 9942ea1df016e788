/**
 * A problem with the dataset files. The message always names the file (or folder) and says how
 * to fix it; `file` is kept separately so tests and callers can check which file was at fault.
 */
export class DataError extends Error {
  readonly file: string;
  readonly exitCode = 1;

  constructor(file: string, problem: string, fix: string) {
    super(`${file}: ${problem}. ${fix}`);
    this.name = 'DataError';
    this.file = file;
  }
}

/** What to tell the user when a file cannot be trusted, unless the caller knows better (see locate.ts). */
export const DEFAULT_FIX =
  'Replace it with a good copy: delete it and rerun `npx fmnist data` to download again, ' +
  'or set FASHION_MNIST_DIR to a folder holding the four verified Fashion-MNIST files';
