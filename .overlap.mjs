import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';
const exe = execSync('command -v chromium').toString().trim();
const b = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
for (const width of [1280, 820]) {
  const p = await b.newPage({ viewport: { width, height: 900 } });
  await p.goto('file://' + process.argv[2]);
  await p.waitForTimeout(4000);
  const res = await p.evaluate(() => {
    const out = [];
    const hit = (a, b) => a.width > 0 && b.width > 0 && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    for (const fig of document.querySelectorAll('.fmnist-figure')) {
      const id = fig.id;
      const legend = fig.querySelector('g.legend');
      const titles = [...fig.querySelectorAll('svg.main-svg text[class*="title"], svg.main-svg .xtick text, svg.main-svg .ytick text, svg.main-svg .annotation-text')].filter((t) => (t.textContent ?? '').trim());
      const plots = [...fig.querySelectorAll('rect.nsewdrag')];
      if (legend) {
        const l = legend.getBoundingClientRect();
        for (const t of titles) if (hit(l, t.getBoundingClientRect())) out.push(`${id}: legend overlaps ${t.getAttribute('class')} "${t.textContent}"`);
        for (const r of plots) { const q = r.getBoundingClientRect(); if (hit(l, q)) out.push(`${id}: legend overlaps the plot area by ${Math.round(Math.min(l.bottom, q.bottom) - Math.max(l.top, q.top))} px (legend ${Math.round(l.top)}-${Math.round(l.bottom)}, plot ${Math.round(q.top)}-${Math.round(q.bottom)})`); }
      }
      for (let i = 0; i < titles.length; i++) for (let j = i + 1; j < titles.length; j++) if (hit(titles[i].getBoundingClientRect(), titles[j].getBoundingClientRect())) out.push(`${id}: ${titles[i].textContent} overlaps ${titles[j].textContent}`);
    }
    return out;
  });
  console.log(width, res);
  await p.close();
}
await b.close();
