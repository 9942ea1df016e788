/**
 * Quarto numbers the figures and tables of every page on its own, so CNN 3's learning curves were
 * "Figure 12" in the article and "Figure 1" on notebook 06's page, and the article's Figure 1 (class
 * counts) shared its number with every notebook's first figure (issue 22). After rendering, a notebook
 * page that the article embeds from takes the article's number for each figure or table the article
 * shows; the others become "Notebook figure k" / "Notebook table k", counted on the page, so no number
 * on a notebook page names a different figure in the article.
 */

export type FloatKind = 'Figure' | 'Table';

// A float's caption (Quarto 1.4+): <figcaption ... id="<label>-caption-<uuid>">Figure&nbsp;12: ...
const CAPTION = /(<figcaption\b[^>]*\bid="((?:fig|tbl)-[a-z0-9-]+?)-caption(?:-[^"]*)?"[^>]*>\s*)(Figure|Table)(&nbsp;|\s)(\d+)/g;
// A cross-reference on the same page: <a href="#fig-x" class="quarto-xref">Figure&nbsp;1</a>
const XREF = /(<a\b[^>]*\bhref="#((?:fig|tbl)-[a-z0-9-]+)"[^>]*\bclass="quarto-xref"[^>]*>)(Figure|Table)(&nbsp;|\s)(\d+)/g;

/** The article's number for every captioned figure and table, by label. */
export function articleNumbers(articleHtml: string): Map<string, { kind: FloatKind; number: string }> {
  const out = new Map<string, { kind: FloatKind; number: string }>();
  for (const m of articleHtml.matchAll(CAPTION)) out.set(m[2]!, { kind: m[3] as FloatKind, number: m[5]! });
  return out;
}

/**
 * Renumbers one notebook page. `article` is the article's numbering when the article embeds from this
 * page, or null (another protocol's copy of a notebook: none of its floats is the article's).
 */
export function renumberNotebookPage(html: string, article: Map<string, { kind: FloatKind; number: string }> | null): { html: string; renumbered: number } {
  const local = new Map<string, string>();
  const counters: Record<FloatKind, number> = { Figure: 0, Table: 0 };
  const label = (id: string, kind: FloatKind): string => {
    const shown = article?.get(id);
    if (shown && shown.kind === kind) return `${kind}&nbsp;${shown.number}`;
    if (!local.has(id)) local.set(id, `Notebook ${kind.toLowerCase()}&nbsp;${++counters[kind]}`);
    return local.get(id)!;
  };
  let renumbered = 0;
  const captions = html.replace(CAPTION, (_all, head: string, id: string, kind: FloatKind) => {
    renumbered++;
    return head + label(id, kind);
  });
  // Cross-references take the number of the caption they point to (after every caption is numbered).
  const xrefs = captions.replace(XREF, (all, head: string, id: string, kind: FloatKind) => {
    const shown = article?.get(id);
    if (shown && shown.kind === kind) return `${head}${kind}&nbsp;${shown.number}`;
    return local.has(id) ? head + local.get(id)! : all;
  });
  return { html: xrefs, renumbered };
}
