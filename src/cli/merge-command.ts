import { Argument, Command } from 'commander';

interface MergeCliOptions {
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `fmnist merge <dir...>`: copies the run folders of other checkouts' results/ (the shards of
 * `fmnist study --shard i/n` from other machines) into this one's (FMNIST_RESULTS_DIR or results/),
 * each verified against its run.json on the way in. See src/results/merge.ts.
 */
export function registerMergeCommand(program: Command): void {
  program
    .command('merge')
    .description("copy verified run folders from other checkouts' results/ into this one's (identical runs skipped; a damaged or conflicting run refuses the whole merge)")
    .addArgument(new Argument('<dir...>', "other checkouts (or their results/ folders), e.g. the shards' copies"))
    .option('--dry-run', 'only say what would be copied, skipped or refused')
    .option('--json', 'print the outcome as JSON on stdout')
    .action(async (dirs: string[], opts: MergeCliOptions) => {
      const { mergeResults } = await import('../results/merge');
      const { displayPath, resultsDir } = await import('../util/paths');
      const r = await mergeResults(dirs, { dryRun: opts.dryRun });
      if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
      const into = displayPath(resultsDir());
      if (r.refused.length > 0) {
        process.stderr.write(
          [`fmnist merge: refused ${r.refused.length} run(s); nothing was copied into ${into}:`, ...r.refused.map((p) => `  ${p.folder} (from ${displayPath(p.source)}): ${p.problem}`)].join('\n') + '\n',
        );
        process.exitCode = 1;
        return;
      }
      if (opts.json) return;
      const verb = r.dryRun ? 'would copy' : 'copied';
      const lines = [
        `${verb} ${r.copied.length} run(s) into ${into}; ${r.identical.length} already here and identical (skipped)`,
        ...r.copied.map((e) => `  ${r.dryRun ? 'copy' : 'copied'}  ${e.folder}${e.action === 'replace-unfinished' ? ' (replacing an unfinished run: checkpoint only)' : ''}${e.weights ? '' : ' (without weights)'}  from ${displayPath(e.source)}`),
        ...(r.copied.length > 0 && !r.dryRun ? ['Summaries are not merged: run `fmnist study --plan <name>` (every run now loads from the cache) to write them.'] : []),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
