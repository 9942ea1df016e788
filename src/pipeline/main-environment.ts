import { SPLIT_PROTOCOLS } from '../data/splits';
import { DEFAULT_SEED } from '../results/layout';
import { PROFILE_NAMES } from '../training/profiles';

/**
 * The settings the main job owns. Its kernels get them pinned (see planNotebookJobs), so a value
 * exported in the user's shell can never make a notebook disagree with the article; a conflicting
 * value is refused up front, naming the variable and what to do instead.
 */
export interface MainJobSettings {
  profile: string;
  /** The protocols the job runs ('paper', 'official'). */
  protocols: readonly string[];
}

/** One line per environment variable that conflicts with what the main job will run; empty when none does. */
export function mainEnvironmentConflicts(settings: MainJobSettings, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const set = (name: string) => (env[name]?.trim() ?? '') !== ''; // as checkEnvironment reads them
  if (set('FMNIST_SEED') && env.FMNIST_SEED!.trim() !== String(DEFAULT_SEED)) {
    problems.push(
      `FMNIST_SEED=${env.FMNIST_SEED} is set, but the main job always runs the committed seed ${DEFAULT_SEED} (its notebooks and the article must agree). ` +
        `Unset it (\`unset FMNIST_SEED\`); for another seed use \`fmnist train <model> --seed ${/^\d+$/.test(env.FMNIST_SEED!.trim()) ? env.FMNIST_SEED!.trim() : '<n>'}\`, or a notebook in JupyterLab with FMNIST_SEED set`,
    );
  }
  // The fix names the flag with the variable's value only when that value is one the flag accepts
  // (checkEnvironment refuses the others first; this keeps the advice right on its own too).
  const profile = env.FMNIST_PROFILE?.trim();
  if (set('FMNIST_PROFILE') && profile !== settings.profile) {
    const how = (PROFILE_NAMES as readonly string[]).includes(profile!) ? `choose the profile with \`--profile ${profile}\`` : `choose the profile with --profile (${PROFILE_NAMES.join(', ')})`;
    problems.push(`FMNIST_PROFILE=${env.FMNIST_PROFILE} is set, but this main job runs profile ${settings.profile}. Unset it, and ${how}`);
  }
  const protocol = env.FMNIST_PROTOCOL?.trim();
  if (set('FMNIST_PROTOCOL') && !(settings.protocols.length === 1 && settings.protocols[0] === protocol)) {
    const how = (SPLIT_PROTOCOLS as readonly string[]).includes(protocol!) ? `\`--protocol ${protocol}\`` : `--protocol (${[...SPLIT_PROTOCOLS, 'both'].join(', ')})`;
    problems.push(`FMNIST_PROTOCOL=${env.FMNIST_PROTOCOL} is set, but this main job runs protocol(s) ${settings.protocols.join(' + ')}. Unset it, and choose with ${how}`);
  }
  return problems;
}

/** Thrown by the main job when the environment conflicts with its settings. */
export class MainEnvironmentError extends Error {
  readonly exitCode = 2;
  constructor(problems: readonly string[]) {
    super(`the main job will not run with a conflicting environment:\n  ${problems.join('\n  ')}`);
    this.name = 'MainEnvironmentError';
  }
}
