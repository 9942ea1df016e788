import * as fs from 'node:fs';
import { SPLIT_PROTOCOLS } from '../data/splits';
import { MODEL_NAMES } from '../models/architectures';
import { displayPath } from '../results/artifacts';
import { committedRuntime, currentRuntime } from '../results/runtime';
import { readStudySummary } from '../report/study-claims';
import { studySeeds } from '../study/seeds';
import { summaryPath, verifyStudySummary, type StudySelection, type StudySummary } from '../study/summary';
import type { NotebookSettings } from './context';
import { claimsTableFrom, loadConditionSummaries, summariesByCondition } from '../claims/from-summary';
import type { ClaimsTable } from '../claims/verdicts';
import { buildAblationSummary } from '../study/ablation';
import { ablationTable, pendingAblationTable } from '../figures/ablation-figures';
import type { TableSpec } from '../figures/show';
import { CLAIM_CONDITIONS } from '../training/profiles';
import { paperNumbers, type PaperNumber } from '../figures/paper-comparison';

const say = (line: string) => console.log(line);

/**
 * The seed study for the notebook's profile (results/study/summary.json for the paper profile):
 * the one made on this process's backend, tfjs and data if there is one, else the committed one
 * (said so in the cell). It is written by `fmnist study`, which the main job runs before the notebooks,
 * and checked against the runs it names before any table shows it (verifyStudySummary).
 */
export async function studyInNotebook(settings: Pick<NotebookSettings, 'profile'>): Promise<StudySummary> {
  const sel: StudySelection = { profile: settings.profile, protocols: [...SPLIT_PROTOCOLS], models: [...MODEL_NAMES], seeds: studySeeds() };
  const ownRuntime = await currentRuntime();
  const own = summaryPath(sel, ownRuntime);
  const committed = summaryPath(sel, committedRuntime());
  const file = fs.existsSync(own) ? own : committed;
  if (!fs.existsSync(file)) {
    throw new Error(`no seed study for profile ${settings.profile}: ${own} is missing. Run it with \`node bin/fmnist.js study${settings.profile === 'paper' ? '' : ` --profile ${settings.profile}`}\` (the main job runs it before the notebooks)`);
  }
  const s = verifyStudySummary(readStudySummary(file), file, file === own ? ownRuntime : committedRuntime());
  say(`seed study: ${s.compute.runs} runs (${s.protocols.join(' + ')} × ${s.models.length} models × seeds ${s.seeds.join(', ')}) on ${s.compute.backends.join(', ')}, from ${displayPath(file)}${file === own ? '' : ' (the committed study: none was made on this backend yet)'}`);
  return s;
}

/**
 * The paper's claims judged against the saved study summaries of both conditions (faithful and
 * improved), on the paper's split. A missing condition is said in the cell, and its column reads
 * "not yet run".
 */
export function claimsInNotebook(): { table: ClaimsTable; files: string[] } {
  const loaded = loadConditionSummaries();
  for (const m of loaded.missing) say(m);
  const table = claimsTableFrom(loaded, 'paper');
  const files = CLAIM_CONDITIONS.flatMap((c) => {
    const loadedOne = loaded.summaries[c];
    return loadedOne ? [displayPath(loadedOne.file)] : [];
  });
  say(`claims judged from ${files.join(' and ')}: ${Object.entries(table.counts).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(', ')}`);
  return { table, files };
}

/**
 * Every number the paper reports beside ours over the seeds of both conditions (paper's split), from
 * the same verified study summaries as the claims; a missing condition is said in the cell.
 */
export function paperNumbersInNotebook(): PaperNumber[] {
  const loaded = loadConditionSummaries();
  for (const m of loaded.missing) say(m);
  const summaries = summariesByCondition(loaded);
  return paperNumbers(summaries, 'paper');
}

/**
 * The ablation summary (results/study/ablation.json) as a table, or, while its runs are still being
 * trained, a one-row table that says so and names the command that completes it.
 */
export function ablationTableInNotebook(): TableSpec {
  try {
    // Silent: the article embeds this cell, so it shows the table only.
    return ablationTable(buildAblationSummary());
  } catch {
    return pendingAblationTable('its runs are not all trained yet; `node bin/fmnist.js study --plan ablation` trains the missing ones');
  }
}
