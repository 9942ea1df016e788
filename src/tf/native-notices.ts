import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from '../util/paths';

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

/** Points fd 2 at a file and back; `begin` returns null when it cannot. */
interface Redirect {
  begin(file: string): number | null;
  end(handle: number): void;
}

/** dup/dup2 through the project's small addon (native/stderr-capture.c, built by bootstrap): works for any stderr. */
function addonRedirect(): Redirect | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(path.join(projectRoot(), 'build', 'stderr-capture.node')) as { begin(file: string): number; end(saved: number): boolean };
    return {
      begin: (file) => {
        const saved = addon.begin(file);
        return saved >= 0 ? saved : null;
      },
      end: (saved) => void addon.end(saved),
    };
  } catch {
    return null;
  }
}

/**
 * Without the addon (no C compiler at bootstrap): close fd 2 and reopen it through /proc/self/fd.
 * Works when stderr is a terminal, a file or a pipe; not a socket (Node's own child pipes), which
 * cannot be reopened: then nothing is redirected.
 */
const procRedirect: Redirect = {
  begin(file) {
    if (process.platform !== 'linux') return null;
    let original: number;
    try {
      original = fs.openSync('/proc/self/fd/2', fs.constants.O_WRONLY | fs.constants.O_APPEND);
    } catch {
      return null;
    }
    fs.closeSync(2);
    let fd = -1;
    try {
      fd = fs.openSync(file, 'w+', 0o600); // the lowest free descriptor: 2
    } catch {
      /* fall through */
    }
    if (fd === 2) return original;
    if (fd >= 0) fs.closeSync(fd);
    reopen(original);
    return null;
  },
  end(original) {
    fs.closeSync(2);
    reopen(original);
  },
};

function reopen(original: number): void {
  const fd = fs.openSync(`/proc/self/fd/${original}`, fs.constants.O_WRONLY | fs.constants.O_APPEND);
  fs.closeSync(original);
  if (fd !== 2) fs.writeSync(fd, '[tfjs] could not restore stderr to descriptor 2 after loading TensorFlow\n');
}

/**
 * Runs `load` (the require of the native library) with file descriptor 2 pointing at a temporary
 * file, then points it back and writes through everything that was not a TensorFlow notice.
 * FMNIST_TF_NOTICES=show turns this off (to see what TensorFlow says while loading).
 */
export function loadWithoutNotices<T>(load: () => T): { value: T } & NativeLoadNotices {
  if (process.env.FMNIST_TF_NOTICES === 'show') return { value: load(), notices: [], oneDnn: null };
  const file = path.join(os.tmpdir(), `fmnist-tf-stderr-${process.pid}-${Date.now()}.txt`);
  const redirect = addonRedirect() ?? procRedirect;
  const handle = redirect.begin(file);
  let value: T;
  try {
    value = load();
  } finally {
    if (handle !== null) redirect.end(handle);
  }
  if (handle === null) return { value, notices: [], oneDnn: null };
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
