import { Command, Option } from 'commander';
import { SPLIT_PROTOCOLS } from '../data/splits';
import type { SplitProtocol } from '../data/types';

/**
 * `fmnist claims [--json]`: the paper's claims, each with its paper value, our values under the
 * faithful and the improved condition, its tolerance and its verdict, computed from the saved
 * study summaries (no training).
 */
export function registerClaimsCommand(program: Command): void {
  program
    .command('claims')
    .description("judge each of the paper's claims against the saved study results (faithful and improved conditions)")
    .addOption(new Option('--protocol <name>', 'split protocol the claims are judged on').choices([...SPLIT_PROTOCOLS]).default('paper'))
    .option('--json', 'print the claims table as JSON')
    .action(async (opts: { protocol: SplitProtocol; json?: boolean }) => {
      const { loadClaimsTable } = await import('../claims/from-summary');
      const { formatClaimsTable } = await import('../claims/verdicts');
      const { table, missing } = loadClaimsTable({ protocol: opts.protocol });
      for (const m of missing) process.stderr.write(`fmnist claims: ${m}\n`);
      process.stdout.write((opts.json ? JSON.stringify(table, null, 2) : formatClaimsTable(table)) + '\n');
    });
}
