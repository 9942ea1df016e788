import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * TensorFlow's start-up notices. Loading libtensorflow on a CPU where TensorFlow turns oneDNN on
 * (Intel Xeon with AVX-512 VNNI/AMX, for example) writes two lines to file descriptor 2 from C++,
 * before any log level applies (TF_CPP_MIN_LOG_LEVEL does not reach absl's pre-init logging):
 *   WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
 *   I0000 00:00:... port.cc:153] oneDNN custom operations are on. ...
 * They are filtered at the source: fd 2 points at a temporary file while the library loads, and
 * everything else written there is passed on unchanged.
 */
const NOTICE_PATTERNS: readonly RegExp[] = [
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  /^[IW]\d{4} [\d:. ]+\d+ port\.cc:\d+\] oneDNN custom operations are (on|off)/,
  /^[IW]\d{4} [\d:. ]+\d+ cpu_feature_guard\.cc:\d+\] /,
];

const ONEDNN_ON = /oneDNN custom operations are on/;

export interface NativeLoadNotices {
  /** The TensorFlow notices that were held back. */
  notices: string[];
  /**
   * Whether TensorFlow runs its oneDNN kernels by default in this process (it says so while loading);
   * null when its output could not be captured (not Linux, or stderr cannot be reopened).
   */
  oneDnn: boolean | null;
}

export function isTensorFlowNotice(line: string): boolean {
  return NOTICE_PATTERNS.some((p) => p.test(line));
}

/** Splits captured stderr text into TensorFlow's notices and everything else (kept in order). */
export function splitNotices(text: string): { notices: string[]; rest: string } {
  const notices: string[] = [];
  const rest: string[] = [];
  const lines = text.split('\n');
  const last = lines.pop() ?? ''; // text after the last newline (usually '')
  for (const line of lines) (isTensorFlowNotice(line) ? notices : rest).push(line);
  return { notices, rest: rest.map((l) => l + '\n').join('') + last };
}

/**
 * Runs `load` (a require of the native library) with file descriptor 2 redirected to a temporary
 * file, then restores it and writes through whatever was not a TensorFlow notice. Linux only
 * (it reopens the original stderr through /proc/self/fd); elsewhere, or when stderr cannot be
 * reopened (a socket), `load` runs unfiltered.
 */
export function loadWithoutNotices<T>(load: () => T): { value: T } & NativeLoadNotices {
  if (process.platform !== 'linux' || process.env.FMNIST_TF_NOTICES === 'show') return { value: load(), notices: [], oneDnn: null };
  let original: number;
  try {
    original = fs.openSync('/proc/self/fd/2', fs.constants.O_WRONLY | fs.constants.O_APPEND);
  } catch {
    return { value: load(), notices: [], oneDnn: null };
  }
  const file = path.join(os.tmpdir(), `fmnist-tf-stderr-${process.pid}-${Date.now()}.txt`);
  let captured = false;
  try {
    fs.closeSync(2);
    // The lowest free descriptor is 2: the capture file takes its place.
    const fd = fs.openSync(file, 'w+', 0o600);
    captured = fd === 2;
    if (!captured) fs.closeSync(fd);
  } catch {
    captured = false;
  }
  if (!captured) restoreStderr(original);
  let value: T;
  try {
    value = load();
  } finally {
    if (captured) restoreStderr(original);
    fs.closeSync(original);
  }
  if (!captured) return { value, notices: [], oneDnn: null };
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
    fs.unlinkSync(file);
  } catch {
    /* nothing captured */
  }
  const { notices, rest } = splitNotices(text);
  if (rest) fs.writeSync(2, rest);
  return { value, notices, oneDnn: notices.some((l) => ONEDNN_ON.test(l)) };
}

/** Points descriptor 2 back at the original stderr (reopened from `original`, which stays open). */
function restoreStderr(original: number): void {
  try {
    fs.closeSync(2);
  } catch {
    /* already closed */
  }
  const fd = fs.openSync(`/proc/self/fd/${original}`, fs.constants.O_WRONLY | fs.constants.O_APPEND);
  if (fd !== 2) {
    // Should not happen (2 was just freed); keep the process usable and say so on stdout.
    fs.writeSync(fd, '[tfjs] could not restore stderr to descriptor 2 after loading TensorFlow\n');
  }
}
