import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { SPLIT_PROTOCOLS } from '../data/splits';
import type { SplitProtocol } from '../data/types';
import { MODEL_NAMES, ModelName } from '../models/architectures';
import { FULL_DATA } from '../results/runtime';
import type { ModelReport } from '../results/report';
import { BACKEND_NAMES, BackendName, initBackend } from '../tf/backend';
import { checkEnvironment } from '../util/environment';
import { AUGMENTATIONS, LR_SCHEDULES, PROFILE_NAMES, ProfileName, TrainingOverrides } from '../training/profiles';

/**
 * `fmnist train <model|all>` and `fmnist evaluate <model>`.
 * With --json, stdout carries exactly one JSON object per model per line (the ModelReport);
 * progress and messages go to stderr, so `fmnist train all --json > out.jsonl` is clean.
 */

interface CommonOptions extends TrainingOverrides {
  profile: ProfileName;
  protocol: SplitProtocol;
  seed: number;
  backend?: BackendName;
  json?: boolean;
}

/** The overrides given on the command line (absent flags stay undefined: the profile decides). */
function overridesOf(opts: CommonOptions): TrainingOverrides {
  const { epochs, batchSize, learningRate, lrSchedule, augmentation, restoreBest } = opts;
  return { epochs, batchSize, learningRate, lrSchedule, augmentation, restoreBest };
}

export function parseLearningRate(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new InvalidArgumentError(`the learning rate must be a number between 0 and 1 (e.g. 0.0005 or 5e-4), got '${raw}'.`);
  }
  return value;
}

export function parseSeed(raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) {
    throw new InvalidArgumentError(`the seed must be a non-negative integer (e.g. 42), got '${raw}'.`);
  }
  return Number(raw);
}

export function parseEpochs(raw: string): number {
  return parsePositive(raw, 'epochs');
}

function parsePositive(raw: string, what: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new InvalidArgumentError(`${what} must be a positive integer (e.g. 3), got '${raw}'.`);
  }
  return Number(raw);
}

function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--profile <name>', 'training profile').choices([...PROFILE_NAMES]).default('paper'))
    .addOption(new Option('--protocol <name>', 'split protocol').choices([...SPLIT_PROTOCOLS]).default('paper'))
    .addOption(new Option('--seed <n>', 'seed for the split, initialisation, shuffling and dropout').argParser(parseSeed).default(42))
    .addOption(new Option('--epochs <n>', "override the profile's epochs (own cache key and results folder)").argParser(parseEpochs))
    .addOption(new Option('--batch-size <n>', "override the profile's batch size (own cache key and results folder)").argParser((raw) => parsePositive(raw, 'the batch size')))
    .addOption(new Option('--learning-rate <x>', "override Adam's initial learning rate (own cache key and results folder)").argParser(parseLearningRate))
    .addOption(new Option('--lr-schedule <name>', "override the profile's learning-rate schedule").choices([...LR_SCHEDULES]))
    .addOption(new Option('--augmentation <name>', "override the profile's training-time augmentation").choices([...AUGMENTATIONS]))
    .option('--restore-best', "keep the best validation epoch's weights (override the profile)")
    .option('--no-restore-best', "keep the last epoch's weights (override the profile)")
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: FMNIST_BACKEND or the fastest available)').choices([...BACKEND_NAMES]))
    .option('--json', 'print one JSON object per model on stdout (progress stays on stderr)');
}

function summaryLine(r: ModelReport): string {
  const pct = (x: number) => (100 * x).toFixed(2) + '%';
  return (
    `${r.model.padEnd(5)} ${r.protocol}/${r.profile}  test acc ${pct(r.test.accuracy)}  macro F1 ${r.test.macroF1.toFixed(4)}  ` +
    `weighted F1 ${r.test.weightedF1.toFixed(4)}  train acc ${pct(r.train.accuracy)}  gap ${(100 * r.trainTestGap).toFixed(1)} pts  ` +
    `best epoch ${r.bestEpoch}/${r.epochs}  ${r.params.toLocaleString('en-US')} params  ${r.cached ? 'cached' : `trained in ${r.trainSeconds.toFixed(0)}s`} on ${r.backend}` +
    (r.runtime && r.runtime.data !== FULL_DATA ? `  data ${r.runtime.data} (not the published dataset)` : '')
  );
}

/** Informational lines: stdout, except with --json, whose stdout carries only the JSON records. */
function infoWriter(json: boolean | undefined): (line: string) => void {
  return json ? (line) => process.stderr.write(line + '\n') : (line) => process.stdout.write(line + '\n');
}

function emit(r: ModelReport, json: boolean | undefined): void {
  process.stdout.write((json ? JSON.stringify(r) : summaryLine(r)) + '\n');
}

export function registerTrainCommand(program: Command): void {
  addCommonOptions(
    program
      .command('train')
      .description('train (or load from the cache) and evaluate one model or all four')
      .addArgument(new Argument('<model>', 'which model').choices([...MODEL_NAMES, 'all']))
      .option('--force', 'retrain even if a result with the same cache key is saved'),
  ).action(async (model: ModelName | 'all', opts: CommonOptions & { force?: boolean }) => {
    checkEnvironment();
    await initBackend({ backend: opts.backend, log: opts.json ? process.stderr : process.stdout });
    const { trainAndEvaluate } = await import('../training/run');
    const models: ModelName[] = model === 'all' ? [...MODEL_NAMES] : [model];
    for (const name of models) {
      const report = await trainAndEvaluate({
        model: name,
        profile: opts.profile,
        protocol: opts.protocol,
        seed: opts.seed,
        ...overridesOf(opts),
        force: opts.force,
        log: infoWriter(opts.json),
      });
      emit(report, opts.json);
    }
  });

  addCommonOptions(
    program
      .command('evaluate')
      .description('evaluate a saved model on its test split without training')
      .addArgument(new Argument('<model>', 'which model').choices([...MODEL_NAMES, 'all'])),
  ).action(async (model: ModelName | 'all', opts: CommonOptions) => {
    checkEnvironment();
    await initBackend({ backend: opts.backend, log: opts.json ? process.stderr : process.stdout });
    const { evaluateSaved } = await import('../training/run');
    const models: ModelName[] = model === 'all' ? [...MODEL_NAMES] : [model];
    for (const name of models) {
      emit(await evaluateSaved({ model: name, protocol: opts.protocol, profile: opts.profile, seed: opts.seed, ...overridesOf(opts) }), opts.json);
    }
  });
}
