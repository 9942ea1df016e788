// README.md leads with the science: the results table (generated from results/, never typed), a figure,
// the two commands and a code map that covers every folder of src/. LICENSE and CITATION.cff match
// package.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { readmeResultsBlock, RESULTS_END, RESULTS_START, withResultsBlock } from '../src/report/readme';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);

describe('README.md', () => {
  it('has the results table the committed results give (the main job rewrites it; rerun it after retraining)', () => {
    expect(withResultsBlock(readme, readmeResultsBlock())).toBe(readme);
  });

  it('the block is generated: other results give other rows, and missing markers are an error', () => {
    const block = readmeResultsBlock();
    expect(block.split('\n').filter((l) => /^\| (ANN|CNN [123]) \|/.test(l))).toHaveLength(4);
    const replaced = withResultsBlock(readme, '| made up |');
    expect(replaced).toContain(`${RESULTS_START}\n| made up |\n${RESULTS_END}`);
    expect(() => withResultsBlock('# no markers', block)).toThrow(/no results block/);
  });

  it('opens with what this is, then the results and a figure, then the two commands and the code map', () => {
    expect(headings.slice(0, 3)).toEqual(['Results', 'Two commands', 'Code map']);
    const results = readme.slice(readme.indexOf('## Results'), readme.indexOf('## Two commands'));
    const figure = /!\[[^\]]+\]\((figures\/[^)]+\.png)\)/.exec(results);
    expect(figure, 'the Results section shows one figure').not.toBeNull();
    expect(fs.existsSync(path.join(root, figure![1]))).toBe(true);
    expect(readme).toContain('`npm run main`');
    expect(readme).toContain('`npm test`');
  });

  it('the code map names every folder of src/, split into science and machinery', () => {
    const map = readme.slice(readme.indexOf('## Code map'), readme.indexOf('\n## ', readme.indexOf('## Code map') + 3));
    expect(map).toMatch(/\*\*Science[^*]*\*\*[\s\S]*\*\*Machinery[^*]*\*\*/);
    const folders = fs.readdirSync(path.join(root, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const folder of folders) expect(map, `src/${folder}/ is missing from the code map`).toContain(`\`src/${folder}/\``);
  });

  it('sends troubleshooting to TROUBLESHOOTING.md and says to restart the kernel after src/ changes', () => {
    expect(readme).toMatch(/\]\(TROUBLESHOOTING\.md\)/);
    expect(fs.readFileSync(path.join(root, 'TROUBLESHOOTING.md'), 'utf8')).toMatch(/^## When something goes wrong$/m);
    expect(readme).toMatch(/npm run watch[\s\S]{0,200}restart the\s+kernel/);
  });
});

describe('LICENSE and CITATION.cff', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { license: string; version: string };

  it('the licence is the one package.json names', () => {
    expect(pkg.license).toBe('MIT');
    expect(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('CITATION.cff is CFF 1.2.0 with the fields GitHub needs, and cites the paper it reproduces', () => {
    const cff = YAML.parse(fs.readFileSync(path.join(root, 'CITATION.cff'), 'utf8')) as Record<string, any>;
    expect(cff['cff-version']).toBe('1.2.0');
    for (const key of ['message', 'title', 'authors']) expect(cff[key], key).toBeTruthy();
    expect(cff.license).toBe(pkg.license);
    expect(String(cff.version)).toBe(pkg.version);
    const paper = (cff.references as Array<{ title: string; authors: Array<{ 'family-names': string }> }>).find((r) => /Threads of Understanding/.test(r.title));
    expect(paper?.authors.map((a) => a['family-names'])).toEqual(['Sivakumar', 'Ramesh Kumar', 'Varada']);
  });
});
