import * as os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { abortOnInterrupt } from './interrupt';
import { SPLIT_PROTOCOLS } from '../data/splits';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, type ModelName } from '../models/architectures';
import { BACKEND_NAMES, type BackendName } from '../tf/backend';
import { PROFILE_NAMES, type ProfileName } from '../training/profiles';

interface StudyCliOptions {
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

const DEFAULT_MODELS: ModelName[] = [...MODEL_NAMES];

/**
 * `fmnist study`: the seed study. Every (protocol, model, seed) is an ordinary cached training run
 * (`fmnist train … --seed s`) in its own results folder; the statistics go to results/study/summary.json.
 * Progress goes to stderr; with --json, stdout carries exactly the summary.
 */
export function registerStudyCommand(program: Command): void {
  program
    .command('study')
    .description('train every model under several seeds (cached, resumable, two at a time) and write the statistics to results/study/summary.json')
    .addOption(new Option('--seeds <n>', 'how many training seeds (the committed seed 42, then 1, 2, 3, ...)').argParser((raw) => positiveInt(raw, 'the number of seeds')).default(5))
    .addOption(new Option('--protocol <name>', 'split protocol(s)').choices([...SPLIT_PROTOCOLS, 'both']).default('both'))
    .addOption(new Option('--models <name...>', 'which models').argParser(parseModel).default(DEFAULT_MODELS, MODEL_NAMES.join(' ')))
    .addOption(new Option('--profile <name>', 'training profile (smoke: seconds, for trying the command out)').choices([...PROFILE_NAMES]).default('paper'))
    .addOption(
      new Option('--concurrency <n>', 'training processes at once').argParser((raw) => positiveInt(raw, '--concurrency')).default(Math.min(2, os.availableParallelism())),
    )
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend for every run (default: FMNIST_BACKEND or the fastest available)').choices([...BACKEND_NAMES]))
    .option('--dry-run', 'only say which runs are saved and current and which would be trained')
    .option('--json', 'print the summary as JSON on stdout (progress stays on stderr)')
    .action(async (opts: StudyCliOptions) => {
      const { studySeeds } = await import('../study/seeds');
      const { runStudy, studyRunLabel } = await import('../study/runner');
      const { formatStudyTable } = await import('../study/format');
      const protocols: SplitProtocol[] = opts.protocol === 'both' ? [...SPLIT_PROTOCOLS] : [opts.protocol];
      const interrupt = abortOnInterrupt('stopping the seed study (finished runs are saved; running ones resume from their last epoch)');
      try {
        const result = await runStudy({
          profile: opts.profile,
          protocols,
          models: opts.models,
          seeds: studySeeds(opts.seeds),
          concurrency: opts.concurrency,
          backend: opts.backend,
          dryRun: opts.dryRun,
          signal: interrupt.signal,
        });
        if (opts.dryRun) {
          const lines = [`${result.cached.length} of ${result.total} runs are saved and current; ${result.missing.length} would be trained:`, ...result.missing.map((r) => `  ${studyRunLabel(r)}`)];
          process.stdout.write((opts.json ? JSON.stringify({ total: result.total, current: result.cached, missing: result.missing }) : lines.join('\n')) + '\n');
          return;
        }
        process.stdout.write((opts.json ? JSON.stringify(result.summary) : formatStudyTable(result.summary!)) + '\n');
      } finally {
        interrupt.release();
      }
    });
}
