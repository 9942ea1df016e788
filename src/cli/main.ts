import { Command } from 'commander';

/**
 * The `fmnist` command line. Each subcommand lives in its own module under src/cli/ and is
 * registered here, so `fmnist --help` lists them all.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('fmnist')
    .description('Fashion-MNIST: a TypeScript reproduction of "Threads of Understanding"')
    .showHelpAfterError()
    .exitOverride();
  // Subcommand registrations (one line per command module):
  (await import('./main-command')).registerMainCommand(program);
  (await import('./data-command')).registerDataCommand(program);
  (await import('./bench-command')).registerBenchCommand(program);
  (await import('./merge-command')).registerMergeCommand(program);
  (await import('./train-command')).registerTrainCommand(program);
  (await import('./study-command')).registerStudyCommand(program);
  (await import('./claims-command')).registerClaimsCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (err: unknown) {
    // commander throws on --help/--version (exit code 0) and on usage errors (already printed).
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      process.exitCode = e.exitCode ?? 1;
      return;
    }
    throw err;
  }
}
