/*
 * On a screen narrower than Quarto's large breakpoint Quarto hides the left sidebar, which holds the
 * table of contents and (in the article) the notebook list, and offers no way to open it (issue 22).
 * This adds a "Contents" button that opens the sidebar as a panel (styles: report/offline.scss); a
 * link, the button again or Escape closes it. A classic script: it runs from file:// too.
 */
(function () {
  'use strict';
  function init() {
    var sidebar = document.getElementById('quarto-sidebar-toc-left');
    if (!sidebar || !sidebar.querySelector('a') || document.querySelector('.fmnist-toc-toggle')) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'fmnist-toc-toggle';
    button.setAttribute('aria-controls', sidebar.id);
    button.setAttribute('aria-expanded', 'false');
    button.textContent = '\u2630 Contents';
    document.body.appendChild(button);
    function set(open) {
      document.body.classList.toggle('fmnist-toc-open', open);
      button.setAttribute('aria-expanded', String(open));
      button.textContent = open ? '\u2715 Close' : '\u2630 Contents';
      button.setAttribute('aria-label', open ? 'Close the contents' : 'Open the contents');
    }
    set(false);
    button.addEventListener('click', function () { set(!document.body.classList.contains('fmnist-toc-open')); });
    sidebar.addEventListener('click', function (e) { if (e.target.closest && e.target.closest('a')) set(false); });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') set(false); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
