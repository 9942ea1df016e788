import { describe, it, expect } from 'vitest';
import { articleNumbers, renumberNotebookPage } from '../src/report/notebook-numbers';

// The markup Quarto 1.7 writes for a float's caption and a cross-reference.
const caption = (id: string, kind: 'Figure' | 'Table', n: number, text = 'caption text') =>
  `<div id="${id}" class="quarto-float"><figcaption class="quarto-float-caption" id="${id}-caption-0ceaefa1-69ba">\n${kind}&nbsp;${n}: ${text}</figcaption></div>`;
const xref = (id: string, kind: 'Figure' | 'Table', n: number) => `<a href="#${id}" class="quarto-xref">${kind}&nbsp;${n}</a>`;

const article = [caption('fig-eda-class-bar', 'Figure', 1), caption('tbl-cnn3-architecture', 'Table', 6), caption('fig-cnn3-history', 'Figure', 12), caption('fig-cnn3-per-class', 'Figure', 14)].join('\n');

describe('articleNumbers', () => {
  it('reads each caption number by label', () => {
    const n = articleNumbers(article);
    expect(Object.fromEntries(n)).toEqual({
      'fig-eda-class-bar': { kind: 'Figure', number: '1' },
      'tbl-cnn3-architecture': { kind: 'Table', number: '6' },
      'fig-cnn3-history': { kind: 'Figure', number: '12' },
      'fig-cnn3-per-class': { kind: 'Figure', number: '14' },
    });
  });
});

describe('renumberNotebookPage', () => {
  // Notebook 06's page as Quarto numbers it: from 1, on its own.
  const page = [
    caption('tbl-cnn3-architecture', 'Table', 1),
    caption('tbl-cnn3-metrics', 'Table', 2),
    caption('fig-cnn3-history', 'Figure', 1),
    `<p>As ${xref('fig-cnn3-confusion-normalised', 'Figure', 3)} and ${xref('fig-cnn3-history', 'Figure', 1)} show.</p>`,
    caption('fig-cnn3-per-class', 'Figure', 2),
    caption('fig-cnn3-confusion-normalised', 'Figure', 3),
  ].join('\n');

  it("gives the article's floats the article's numbers and counts the others as notebook figures and tables", () => {
    const { html, renumbered } = renumberNotebookPage(page, articleNumbers(article));
    expect(renumbered).toBe(5);
    const shown = [...html.matchAll(/caption-[^"]*">\n([^:]+):/g)].map((m) => m[1]);
    expect(shown).toEqual(['Table&nbsp;6', 'Notebook table&nbsp;1', 'Figure&nbsp;12', 'Figure&nbsp;14', 'Notebook figure&nbsp;1']);
    // Cross-references follow their captions, including one written before its target.
    expect(html).toContain(`${xref('fig-cnn3-confusion-normalised', 'Figure', 3).replace('Figure&nbsp;3', 'Notebook figure&nbsp;1')}`);
    expect(html).toContain(xref('fig-cnn3-history', 'Figure', 12));
  });

  it("numbers every float of a page the article does not embed from as the notebook's own (official-split copies)", () => {
    const { html } = renumberNotebookPage(page, null);
    const shown = [...html.matchAll(/caption-[^"]*">\n([^:]+):/g)].map((m) => m[1]);
    expect(shown).toEqual(['Notebook table&nbsp;1', 'Notebook table&nbsp;2', 'Notebook figure&nbsp;1', 'Notebook figure&nbsp;2', 'Notebook figure&nbsp;3']);
    expect(html).not.toMatch(/>(Figure|Table)&nbsp;\d/);
  });

  it('is idempotent: a second pass changes nothing', () => {
    const once = renumberNotebookPage(page, articleNumbers(article)).html;
    expect(renumberNotebookPage(once, articleNumbers(article)).html).toBe(once);
  });
});
