/**
 * A held-out stream built from the dev set's originals with transformations the dev set does not
 * contain, so the engine is checked on more than the phenomena it was tuned on:
 * - `html`: the copy as a real HTML page (nav, weather widget, ads, "Must read", related links,
 *   footer) instead of the dev set's text-only chrome;
 * - `resegment`: one paragraph per sentence;
 * - `reword`: a new headline and common words swapped for synonyms, one sentence dropped;
 * - `late-excerpt`: an outlet's line, then the last 60% of the copy (excerpts are usually the top);
 * - `combo`: reworded, a sentence dropped, inside the HTML page;
 * - `figures-different-story`: the same template for another company — its name everywhere and
 *   other figures — which must stay a different story.
 * Deterministic: the same stream on every run.
 */
import { escapeText } from '@wire/text';
import type { LabelledItem } from './evaluate';

const SYNONYMS: Record<string, string> = {
  said: 'stated', says: 'states', company: 'firm', rose: 'increased', fell: 'declined', pct: 'percent', mln: 'million',
  dlrs: 'dollars', shares: 'stock', expected: 'anticipated', also: 'additionally', today: 'on Tuesday', about: 'around',
  increase: 'rise', agreed: 'consented', sales: 'revenues', profit: 'earnings', government: 'administration',
  officials: 'authorities', plans: 'intends', bank: 'lender',
};

const KINDS = ['html', 'resegment', 'reword', 'late-excerpt', 'combo', 'figures-different-story'] as const;


function page(headline: string, paragraphs: string[]): string {
  const aside =
    '<div class="ad">Advertisement</div><aside><h3>Must read</h3><ul><li><a href="/x">Markets rally on rate hopes</a></li><li><a href="/y">Oil steady ahead of talks</a></li></ul></aside>';
  const body = paragraphs.map((p, i) => `<p>${escapeText(p)}</p>${i === 1 ? aside : ''}`).join('');
  return (
    `<!doctype html><html><head><title>${escapeText(headline)} | Daily Courier</title><script>window.ads=[];</script></head><body>` +
    '<nav><a href="/">Home</a> <a href="/business">Business</a> <a href="/world">World</a></nav><div class="weather">Seoul 12°C Cloudy</div>' +
    `<article><h1>${escapeText(headline)}</h1><div class="byline">By Staff Writer | Updated 3 hours ago</div>${body}</article>` +
    '<section class="related"><h2>Related stories</h2><ul><li>Chip exports climb for third month</li><li>Won weakens against dollar</li></ul></section>' +
    '<footer>© 2024 Daily Courier. All rights reserved. <a href="/privacy">Privacy</a></footer></body></html>'
  );
}

/** The held-out stream: every usable original first, then one transformed item per original. */
export function heldOutStream(dev: readonly LabelledItem[]): LabelledItem[] {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const paragraphs = (b: string) =>
    b
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean);
  const sentences = (b: string) => paragraphs(b).join(' ').split(/(?<=[.!?]["”]?)\s+(?=[A-Z"“])/);
  const reword = (s: string) => s.replace(/\b[a-z]+\b/g, (w) => (SYNONYMS[w] && rnd() < 0.8 ? SYNONYMS[w] : w));
  const otherFigures = (s: string) => s.replace(/\d+(\.\d+)?/g, (m) => String(Number(m) + 3 + Math.floor(rnd() * 40)).slice(0, Math.max(1, m.length)));

  const originals = dev.filter((i) => i.kind === 'original' && i.body.split(/\s+/).length >= 60);
  const out: LabelledItem[] = [];
  let t = Date.parse('2024-05-01T00:00:00Z');
  const push = (o: Omit<LabelledItem, 'receivedAt' | 'version'>) => {
    t += 60_000;
    out.push({ ...o, version: 1, receivedAt: new Date(t).toISOString() });
  };
  originals.forEach((o, k) => push({ id: `s${k}-o`, source: 'agency', guid: `o${k}`, headline: o.headline, body: o.body, expect: 'new', cluster: o.cluster, kind: 'original' }));
  originals.forEach((o, k) => {
    const ps = paragraphs(o.body);
    const ss = sentences(o.body);
    const kind = KINDS[k % KINDS.length]!;
    let headline = o.headline;
    let body: string;
    let expect: LabelledItem['expect'] = 'duplicate';
    let cluster = o.cluster;
    switch (kind) {
      case 'html':
        body = page(o.headline, ps);
        break;
      case 'resegment':
        body = ss.length > 2 ? ss.join('\n\n') : ps.join(' ');
        break;
      case 'reword': {
        headline = reword(o.headline.toLowerCase()).replace(/^./, (c) => c.toUpperCase());
        const kept = ss.filter((_, i) => i === 0 || i !== Math.floor(ss.length / 2));
        body = kept.map(reword).join(' ').replace(/(.{200,}?\. )/g, '$1\n\n');
        break;
      }
      case 'late-excerpt':
        if (ss.length < 6) return;
        body = ['Our correspondent reports on the latest developments in this story.', ...ss.slice(Math.floor(ss.length * 0.4))].join('\n\n');
        break;
      case 'combo':
        body = page(reword(o.headline), ss.filter((_, i) => i !== 1).map(reword));
        break;
      case 'figures-different-story': {
        if (!/\d/.test(o.body)) return;
        const counts = new Map<string, number>();
        for (const m of o.body.matchAll(/\b[A-Z][a-z]{3,}\b/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
        const name = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'Xyz';
        const swap = (s: string) =>
          otherFigures(s)
            .replace(new RegExp(`\\b${name}\\b`, 'g'), 'Zentrax')
            .replace(new RegExp(`\\b${name.toUpperCase()}\\b`, 'g'), 'ZENTRAX');
        body = swap(o.body);
        headline = swap(o.headline);
        expect = 'new';
        cluster = `${o.cluster}-other`;
        break;
      }
    }
    push({ id: `s${k}-${kind}`, source: 'outlet', guid: `v${k}`, headline, body, expect, cluster, kind });
  });
  return out;
}
