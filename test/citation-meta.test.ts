import { describe, expect, it } from 'vitest';
import { fixCitationAbstract } from '../src/report/citation-meta';

const page = (meta: string) =>
  `<html><head><meta name="citation_title" content="T">${meta}</head><body><div class="abstract"><div class="block-title">Abstract</div><p>We reproduce a study &amp; count 5 seeds per model.</p></div></body></html>`;

describe('the citation_abstract meta tag', () => {
  it('carries the rendered abstract instead of unrendered shortcodes', () => {
    const { html, changed } = fixCitationAbstract(page('<meta name="citation_abstract" content="We reproduce ({{< var study.seeds_phrase >}})">'));
    expect(changed).toBe(true);
    expect(html).toContain('<meta name="citation_abstract" content="We reproduce a study &amp; count 5 seeds per model.">');
    expect(html).not.toContain('{{<');
    expect(html).toContain('<meta name="citation_title" content="T">');
  });

  it('leaves a page without shortcodes in its tag unchanged, byte for byte', () => {
    const original = page('<meta name="citation_abstract" content="Plain.">');
    expect(fixCitationAbstract(original)).toEqual({ html: original, changed: false });
  });
});
