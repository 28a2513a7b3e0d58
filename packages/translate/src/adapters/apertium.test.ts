import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createApertiumTranslator, packBatch, unpackBatch } from './apertium';

describe('packBatch / unpackBatch', () => {
  it('round-trips plain and HTML texts through one document', () => {
    const texts = ['Tom & Jerry <3', 'Second one'];
    const doc = packBatch(texts, ['text', 'text']);
    expect(doc).toBe('<div id="wseg0">Tom &amp; Jerry &lt;3</div>\n<div id="wseg1">Second one</div>');
    expect(unpackBatch(doc, ['text', 'text'])).toEqual(texts);
    const mixed = ['<p>a <b>b</b></p>', 'x < y'];
    expect(unpackBatch(packBatch(mixed, ['html', 'text']), ['html', 'text'])).toEqual(mixed);
  });

  it('refuses an output whose markers did not all come back', () => {
    expect(unpackBatch('<div id="wseg0">x</div>', ['text', 'text'])).toBeUndefined();
  });
});

// A stand-in APY that answers the documented JSON, upper-casing text and, when told, losing
// the batch markers, to check the adapter falls back to one text per request.
let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function fakeApy(opts: { dropMarkers: boolean }) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/listPairs') {
        res.end(JSON.stringify({ responseData: [{ sourceLanguage: 'eng', targetLanguage: 'spa' }], responseStatus: 200 }));
        return;
      }
      const q = new URLSearchParams(body).get('q') ?? '';
      seen.push(q);
      const out = opts.dropMarkers ? q.replace(/<div id="wseg\d+">/g, '<div>') : q;
      const translatedText = out.replace(/(^|>)([^<]+)/g, (_m, a: string, t: string) => a + t.toUpperCase());
      res.end(JSON.stringify({ responseData: { translatedText }, responseStatus: 200 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () => new Promise((r) => server.close(() => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe('Apertium adapter batching', () => {
  it('sends several texts in one request', async () => {
    const apy = await fakeApy({ dropMarkers: false });
    const t = createApertiumTranslator({ url: apy.url });
    expect(await t.translate(['one', 'two', 'three'], 'en', 'es')).toEqual(['ONE', 'TWO', 'THREE']);
    expect(apy.seen).toHaveLength(1);
    await t.close();
  });

  it('falls back to one request per text when the markers are lost', async () => {
    const apy = await fakeApy({ dropMarkers: true });
    const t = createApertiumTranslator({ url: apy.url });
    expect(await t.translate(['one', 'two'], 'en', 'es')).toEqual(['ONE', 'TWO']);
    expect(apy.seen).toHaveLength(3);
    await t.close();
  });
});
