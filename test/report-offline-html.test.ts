import { describe, expect, it } from 'vitest';
import { addMissingSourceLinks, articleSourceLinks, externalResources, resolveSourceLinks, stripWidgetLoaders } from '../src/report/offline-html';
import { projectRoot } from '../src/util/paths';

// The three tags Quarto 1.7.34 writes into the head of a page whose notebooks have text/html output.
const QUARTO_HEAD = `<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js" integrity="sha512-c3Nl" crossorigin="anonymous"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/jquery/3.5.1/jquery.min.js" integrity="sha512-bLT0" crossorigin="anonymous" data-relocate-top="true"></script>
<script type="application/javascript">define('jquery', [],function() {return window.jQuery;})</script>
<script src="site_libs/quarto-contrib/plotly-4.1.1/plotly.min.js"></script>`;

describe('post-render: a report that works offline', () => {
  it("removes Quarto's CDN widget loaders and nothing else", () => {
    const { html, removed } = stripWidgetLoaders(QUARTO_HEAD);
    expect(removed).toBe(3);
    expect(html).toBe('<script src="site_libs/quarto-contrib/plotly-4.1.1/plotly.min.js"></script>');
    expect(externalResources(html)).toEqual([]);
  });

  it('finds every resource a page would fetch from another host, but not plain links', () => {
    const page = `${QUARTO_HEAD}<link href="https://fonts.googleapis.com/css2?family=X" rel="stylesheet"><style>@import url("https://fonts.example/x.css");</style>
      <img src="//cdn.example/a.png"><a href="https://github.com/zalandoresearch/fashion-mnist">repo</a><link rel="canonical" href="https://example.org/">`;
    expect(externalResources(page).sort()).toEqual(
      [
        'https://cdnjs.cloudflare.com/ajax/libs/jquery/3.5.1/jquery.min.js',
        'https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js',
        'https://fonts.googleapis.com/css2?family=X',
        'https://fonts.example/x.css',
        '//cdn.example/a.png',
      ].sort(),
    );
  });
});

describe('post-render: a Source link under every embed', () => {
  const embed = (label: string, link = '') =>
    `<div class="quarto-embed-nb-cell">\n<div id="cell-${label}" class="cell">\n<div id="${label}"><figure><div><script>var s = "<div>";</script></div><figcaption>c</figcaption></figure></div>\n</div>\n${link}</div>\n`;
  const quartoLink = '<a class="quarto-notebook-link" id="nblink-1" href="notebooks/01-eda-preview.html#cell-fig-a">Source: 01 · EDA</a>';

  it('adds the link at the end of each embed that has none, skipping script bodies when matching divs', () => {
    const page = `<p>x</p>\n${embed('fig-a', quartoLink)}${embed('fig-b')}<p>y</p>`;
    const links = [
      { label: 'fig-a', page: 'notebooks/01-eda-preview.html', title: '01 · EDA' },
      { label: 'fig-b', page: 'notebooks/01-eda-preview.html', title: '01 · EDA' },
    ];
    const { html, added } = addMissingSourceLinks(page, links);
    expect(added).toBe(1);
    expect(html).toBe(`<p>x</p>\n${embed('fig-a', quartoLink)}${embed('fig-b', '<a class="quarto-notebook-link" href="notebooks/01-eda-preview.html#cell-fig-b">Source: 01 · EDA</a>')}<p>y</p>`);
    expect(addMissingSourceLinks(html, links).added).toBe(0); // idempotent
  });

  it("points links at an id that exists on the notebook's page (tables carry #label, not #cell-label)", () => {
    const page = '<a class="quarto-notebook-link" href="nb.html#cell-tbl-x">S</a><a class="quarto-notebook-link" href="nb.html#cell-fig-y">S</a><a class="quarto-notebook-link" href="nb.html#cell-gone">S</a>';
    const { html, fixed, broken } = resolveSourceLinks(page, (p) => (p === 'nb.html' ? new Set(['tbl-x', 'cell-fig-y']) : undefined));
    expect(fixed).toBe(1);
    expect(html).toContain('href="nb.html#tbl-x"');
    expect(html).toContain('href="nb.html#cell-fig-y"');
    expect(broken).toEqual(['nb.html#cell-gone']);
  });

  it("lists one link per embed of the project's article, to its notebook's page, titled as in the sidebar", () => {
    const { page, links } = articleSourceLinks(projectRoot());
    expect(page).toBe('index.html');
    expect(links.length).toBeGreaterThan(20);
    // The reproducibility summary's claims table comes first, then the article's figures in order.
    expect(links[0]).toEqual({ label: 'tbl-claims', page: 'notebooks/07-comparison-preview.html', title: '07 · Comparison of the four models' });
    expect(links[1]).toEqual({ label: 'fig-eda-class-bar', page: 'notebooks/01-eda-preview.html', title: '01 · Exploratory data analysis' });
  });
});
