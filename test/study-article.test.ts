import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { SPLIT_PROTOCOLS } from '../src/data/splits';
import { MODEL_NAMES } from '../src/models/architectures';
import { checkStudyFindings, readStudySummary } from '../src/report/study-claims';
import { reportStudyFile, studyVariablesFrom } from '../src/report/study-variables';
import { committedRuntime } from '../src/results/runtime';
import { studySeeds } from '../src/study/seeds';
import { buildStudySummary } from '../src/study/summary';

const root = path.resolve(__dirname, '..');
const article = fs.readFileSync(path.join(root, 'index.qmd'), 'utf8');
/** The article's own words: shortcodes and comments removed (what the study generates is not typed). */
const typed = article.replace(/<!--[\s\S]*?-->/g, '').replace(/\{\{<[\s\S]*?>\}\}/g, '');

describe('the article ranks the models only through sentences generated from the seed study', () => {
  it('has no hand-written ranking sentence', () => {
    const ranking = /more accurate than|most accurate|least accurate|less accurate|do(es)? not differ|outperform|\bbeats?\b|better than|worse than|the weakest|the ranking/gi;
    const found = [...typed.matchAll(ranking)].map((m) => {
      const line = typed.slice(0, m.index).split('\n').length;
      return `index.qmd line ~${line}: "${m[0]}"`;
    });
    expect(found, 'write these with a {{< var study.… >}} sentence (src/report/study-claims.ts) instead').toEqual([]);
  });

  it('uses the generated sentences in the abstract, the results, the discussion and the conclusion', () => {
    const abstract = article.slice(0, article.indexOf('\n---', 4));
    // The abstract states the claims' verdicts, generated from both conditions' seed studies.
    expect(abstract).toContain('{{< var claims.sentence >}}');
    for (const key of ['study.ranking.paper', 'study.ranking.official', 'study.versus_paper', 'study.conclusion']) expect(article).toContain(`{{< var ${key} >}}`);
    expect(article).not.toMatch(/trained once with one seed/i);
  });
});

describe('the committed seed study, its runs and the generated claims agree', () => {
  const file = reportStudyFile(path.join(root, 'results'));
  const message = `${path.relative(root, file)} is missing: run the seed study (\`node bin/fmnist.js study\`, then \`npm run main\`)`;

  it('every claim the generated sentences make holds in results/study/summary.json', () => {
    expect(fs.existsSync(file), message).toBe(true);
    expect(checkStudyFindings(readStudySummary(file))).toEqual([]);
  });

  it('_variables.yml carries exactly the sentences and numbers generated from the study', () => {
    expect(fs.existsSync(file), message).toBe(true);
    const vars = YAML.parse(fs.readFileSync(path.join(root, '_variables.yml'), 'utf8'));
    expect(vars.study, '_variables.yml has no study.*: regenerate it with `npm run main`').toBeDefined();
    const expected = studyVariablesFrom(readStudySummary(file), file);
    expect(vars.study, '_variables.yml and results/study/summary.json disagree: regenerate with `npm run main`').toEqual(expected);
  });

  it("the summary's statistics are those of the committed runs' metrics and predictions", () => {
    expect(fs.existsSync(file), message).toBe(true);
    // The committed summary covers the first seeds of the planned list (the study may still be incomplete).
    const seeds = readStudySummary(file).seeds;
    expect(studySeeds().slice(0, seeds.length)).toEqual(seeds);
    const sel = { profile: 'paper' as const, protocols: [...SPLIT_PROTOCOLS], models: [...MODEL_NAMES], seeds };
    const rebuilt = buildStudySummary(sel, committedRuntime(), path.join(root, 'results'));
    expect(rebuilt).toEqual(readStudySummary(file));
  });
});
