/**
 * Kernel › Interrupt for the long calls of a notebook (training). Jupyter interrupts a tslab kernel
 * with SIGINT; tslab's own handler then ends the running cell at once ("Interrupted asynchronously")
 * but cannot stop its promise, so training went on in the background, holding its lock and printing
 * into later cells (checked with tslab 1.0.22, src/main.ts and src/executor.ts).
 *
 * While `fn` runs, SIGINT aborts the signal it is given instead, and every other SIGINT listener
 * (tslab's) is set aside, so the cell stays busy until the work has stopped at its next batch
 * boundary, then ends with that work's one-line error. The listeners are put back when `fn` settles,
 * so an interrupt at any other time behaves as tslab makes it.
 */
export async function withKernelInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  // tslab runs a cell's synchronous part with vm's breakOnSigint, which takes every SIGINT listener
  // off and puts the SIGINT disposition back to the default when that part ends: a listener added
  // during it is left without its signal handler, and the next interrupt killed the kernel. So the
  // listeners are swapped once that part is over.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const controller = new AbortController();
  const others = process.rawListeners('SIGINT') as Array<(...args: unknown[]) => void>;
  for (const listener of others) process.removeListener('SIGINT', listener);
  const onInterrupt = () => controller.abort();
  process.on('SIGINT', onInterrupt);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    // rawListeners keeps `once` wrappers, which remove themselves when they fire.
    for (const listener of others) if (!process.rawListeners('SIGINT').includes(listener)) process.on('SIGINT', listener);
  }
}
