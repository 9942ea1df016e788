import { parse } from 'node-html-parser';

/**
 * Quarto builds the `citation_abstract` meta tag (read by Google Scholar and Zotero) from the raw
 * abstract, so its `{{< var ... >}}` shortcodes reach the tag unrendered. The post-render step puts
 * the rendered abstract's text there instead. Returns the page and whether it changed.
 */
export function fixCitationAbstract(html: string): { html: string; changed: boolean } {
  const root = parse(html);
  const meta = root.querySelector('meta[name="citation_abstract"]');
  if (!meta || !/\{\{</.test(meta.getAttribute('content') ?? '')) return { html, changed: false };
  // The abstract's paragraphs, without its "Abstract" heading.
  const paragraphs = root.querySelectorAll('div.abstract p').map((p) => p.text);
  const text = paragraphs.join(' ').replace(/\s+/g, ' ').trim();
  // Without a rendered abstract, no tag is better than one that prints template code.
  if (text) meta.setAttribute('content', text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'));
  else meta.remove();
  return { html: root.toString(), changed: true };
}
