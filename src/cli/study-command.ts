import * as os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { abortOnInterrupt } from './interrupt';
import { SPLIT_PROTOCOLS } from '../data/splits';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { BACKEND_NAMES, type BackendName } from '../tf/backend';
import { PROFILE_NAMES, type ProfileName } from '../training/profiles';
import { parseShard, PLAN_NAMES, type PlanName, type Shard } from '../study/plans';
import { checkEnvironment } from '../util/environment';

interface StudyCliOptions {
  plan?: PlanName;
  shard?: Shard;
  seeds: number;
  protocol: SplitProtocol | 'both';
  models: ModelName[];
  profile: ProfileName;
  concurrency: number;
  backend?: BackendName;
  json?: boolean;
  dryRun?: boolean;
}

function positiveInt(raw: string, what: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new InvalidArgumentError(`${what} must be a positive integer (e.g. 5), got '${raw}'.`);
  }
  return Number(raw);
}

function parseModel(raw: string, previous: ModelName[] | undefined): ModelName[] {
  if (!(MODEL_NAMES as readonly string[]).includes(raw)) throw new InvalidArgumentError(`'${raw}' is not a model; use some of: ${MODEL_NAMES.join(', ')}.`);
  // commander passes the default on the first call; a given list replaces it.
  const list = previous === DEFAULT_MODELS ? [] : (previous ?? []);
  return list.includes(raw as ModelName) ? list : [...list, raw as ModelName];
}

function shardArg(raw: string): Shard {
  try {
    return parseShard(raw);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
}

const DEFAULT_MODELS: ModelName[] = [...MODEL_NAMES];

/** The flags that choose a seed study by hand; a named plan is complete and takes none of them. */
const SELECTION_FLAGS = ['profile', 'seeds', 'models', 'protocol'] as const;

/**
 * `fmnist study`: the seed study, or a named plan of it (both conditions and the ablation). Every
 * run is an ordinary cached training run (`fmnist train … --seed s [overrides]`) in its own results
 * folder; the statistics go to results/study/summary.json (results/faithful/study/ for the faithful
 * condition) and results/study/ablation.json. Progress goes to stderr; with --json, stdout carries
 * exactly the summary (an object of summaries for a plan with several).
 */
export function registerStudyCommand(program: Command): void {
  program
    .command('study')
    .description(
      'train every model under several seeds, or a named plan of both conditions and the ablation (cached, resumable, two at a time, or one shard of it), and write the statistics to results/study/',
    )
    .addOption(
      new Option('--plan <name>', 'a named plan: claims (both conditions\' seed studies and the ablation), faithful, improved, ablation; instead of --profile/--seeds/--models/--protocol').choices([
        ...PLAN_NAMES,
      ]),
    )
    .addOption(new Option('--shard <i/n>', "train only this machine's deterministic share i of n of the plan (e.g. 3/8); writes no summary").argParser(shardArg))
    .addOption(new Option('--seeds <n>', 'how many training seeds (the committed seed 42, then 1, 2, 3, ...)').argParser((raw) => positiveInt(raw, 'the number of seeds')).default(5))
    .addOption(new Option('--protocol <name>', 'split protocol(s)').choices([...SPLIT_PROTOCOLS, 'both']).default('both'))
    .addOption(new Option('--models <name...>', 'which models').argParser(parseModel).default(DEFAULT_MODELS, MODEL_NAMES.join(' ')))
    .addOption(new Option('--profile <name>', 'training condition (faithful, paper = improved; smoke: seconds, for trying the command out)').choices([...PROFILE_NAMES]).default('paper'))
    .addOption(
      new Option('--concurrency <n>', 'training processes at once').argParser((raw) => positiveInt(raw, '--concurrency')).default(Math.min(2, os.availableParallelism())),
    )
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend for every run (default: FMNIST_BACKEND or the fastest available)').choices([...BACKEND_NAMES]))
    .option('--dry-run', 'only say which runs are saved and current and which would be trained')
    .option('--json', 'print the summary as JSON on stdout (progress stays on stderr)')
    .action(async (opts: StudyCliOptions, cmd: Command) => {
      checkEnvironment(); // its training processes inherit the environment: refuse a bad value once, up front
      const given = SELECTION_FLAGS.filter((f) => cmd.getOptionValueSource(f) === 'cli');
      if (opts.plan && given.length > 0) {
        cmd.error(`error: --plan ${opts.plan} is a complete plan; drop ${given.map((f) => `--${f}`).join(', ')} (they choose a seed study without --plan)`, { exitCode: 2 });
      }
      const { studySeeds } = await import('../study/seeds');
      const { studyPlan } = await import('../study/plans');
      const { runStudy, studyRunLabel } = await import('../study/runner');
      const { formatStudyTable } = await import('../study/format');
      const { formatAblation } = await import('../study/ablation');
      const protocols: SplitProtocol[] = opts.protocol === 'both' ? [...SPLIT_PROTOCOLS] : [opts.protocol];
      const interrupt = abortOnInterrupt('stopping the seed study (finished runs are saved; running ones resume from their last epoch)');
      try {
        const common = { concurrency: opts.concurrency, backend: opts.backend, dryRun: opts.dryRun, shard: opts.shard, signal: interrupt.signal };
        const result = await runStudy(
          opts.plan ? { ...common, plan: studyPlan(opts.plan) } : { ...common, profile: opts.profile, protocols, models: opts.models, seeds: studySeeds(opts.seeds) },
        );
        const share = result.shard ? ` (shard ${result.shard.index}/${result.shard.count} of the plan's ${result.planTotal})` : '';
        if (opts.dryRun) {
          const lines = [
            `${result.cached.length} of ${result.total} runs${share} are saved and current; ${result.missing.length} would be trained:`,
            ...result.missing.map((r) => `  train  ${studyRunLabel(r)}`),
            ...result.cached.map((r) => `  saved  ${studyRunLabel(r)}`),
          ];
          process.stdout.write((opts.json ? JSON.stringify({ plan: result.plan.name, shard: result.shard, total: result.total, planTotal: result.planTotal, current: result.cached, missing: result.missing }) : lines.join('\n')) + '\n');
          return;
        }
        if (result.shard) {
          const text = `shard ${result.shard.index}/${result.shard.count}: ${result.trained.length} trained, ${result.cached.length} already saved, of its ${result.total} runs${share}; no summary written (merge the shards' results, then run the whole plan)`;
          process.stdout.write((opts.json ? JSON.stringify({ plan: result.plan.name, shard: result.shard, total: result.total, planTotal: result.planTotal, trained: result.trained, cached: result.cached }) : text) + '\n');
          return;
        }
        // One seed study: exactly its summary, as before; a plan with several parts: an object of them.
        if (result.summaries.length === 1 && !result.ablation) {
          process.stdout.write((opts.json ? JSON.stringify(result.summary) : formatStudyTable(result.summary!)) + '\n');
          return;
        }
        if (opts.json) {
          const summaries = Object.fromEntries(result.summaries.map((s) => [s.summary.profile, s.summary]));
          process.stdout.write(JSON.stringify({ plan: result.plan.name, summaries, ablation: result.ablation?.summary }) + '\n');
          return;
        }
        const parts = [...result.summaries.map((s) => formatStudyTable(s.summary)), ...(result.ablation ? [formatAblation(result.ablation.summary)] : [])];
        process.stdout.write(parts.join('\n\n') + '\n');
      } finally {
        interrupt.release();
      }
    });
}
