/**
 * Ctrl-C (SIGINT) or SIGTERM aborts the returned signal once, after printing what is kept, so a
 * long command can stop its children cleanly instead of dying mid-write. `release` removes the
 * handlers (call it in a finally block); a second Ctrl-C after that kills the process as usual.
 */
export function abortOnInterrupt(whatIsKept: string): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: ${whatIsKept}\n`);
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
