import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertProfileName, trainingConfig } from '../src/training/profiles';
import { assertModelName } from '../src/models/architectures';

/**
 * Every committed run of the two claim conditions (results/paper*, results/faithful*, seed folders
 * included) must still be what today's code would train: its run.json's training config equals the
 * condition record's, field by field. The config enters the cache key, so a field added to a
 * condition record for display once changed every key and the main job retrained the committed
 * models (5 December 2026: a colour for the figures).
 */
const root = path.join(__dirname, '..', 'results');
const runs = fs
  .readdirSync(root)
  .filter((d) => /^(paper-seed\d+|faithful(-seed\d+)?)$/.test(d))
  .flatMap((d) => ['paper', 'official'].flatMap((p) => (fs.existsSync(path.join(root, d, p)) ? fs.readdirSync(path.join(root, d, p)).map((m) => path.join(d, p, m, 'run.json')) : [])))
  // The condition 'paper' at seed 42 sits at results/<protocol>/<model>.
  .concat(['paper', 'official'].flatMap((p) => fs.readdirSync(path.join(root, p)).map((m) => path.join(p, m, 'run.json'))))
  .filter((f) => fs.existsSync(path.join(root, f)));

describe('committed runs and the condition records', () => {
  it('finds the committed runs of both conditions', () => {
    expect(runs.length).toBeGreaterThanOrEqual(80); // 2 conditions × 5 seeds × 2 protocols × 4 models
  });

  it.each(runs)('%s was trained with the training config the code gives today', (file) => {
    const run = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as { profile: string; model: string; training: unknown };
    expect(trainingConfig(assertProfileName(run.profile), { model: assertModelName(run.model) })).toEqual(run.training);
  });
});
