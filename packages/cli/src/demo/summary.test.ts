import { describe, expect, it } from 'vitest';
import type { StoryEvent } from '@wire/queues';
import { FEED } from './feed';
import type { Receipt, SamplePartner } from './sample-partner';
import { renderSummary, skippedTranslations, summarize } from './summary';

const tt = FEED.find((i) => i.label.startsWith('TT text'))!;
const uri = 'urn:wire:tt:demo-1';
const event: StoryEvent = { type: 'story.new', uri, version: 1, source: 'tt', headline: 'Regeringen', language: 'sv', decision: { kind: 'new', of: null, scores: {}, reasons: [] }, at: '2026-03-02T08:00:00.000Z' };
const receipt = (partner: string): Receipt => ({ partner, webhookId: `msg_${partner}`, type: 'story.published', uri, version: 1, language: 'sv', headline: 'Regeringen', verified: true, at: new Date() });
const partner = (id: string, receipts: Receipt[]): SamplePartner => ({ id, url: '', receipts, setSecret: () => undefined, close: async () => undefined });
const partners = [partner('demo-all', [receipt('demo-all')]), partner('demo-es', [])];

/** Records as `GET /api/deliveries?status=skipped` returns them. */
const opsRecords = [
  { partnerId: 'demo-es', storyUri: uri, version: 1, variant: 'es', status: 'skipped', error: { code: 'WIRE_ERR_TRANSLATE_UNSUPPORTED_PAIR', message: 'no translator for sv→es: nothing was sent (the partner takes no untranslated copy)' } },
  { partnerId: 'demo-es', storyUri: uri, version: 1, status: 'stale', error: { code: 'killed', message: 'story was killed at this partner' } },
  { partnerId: 'demo-es', storyUri: uri, status: 'skipped' },
];

describe('demo summary', () => {
  it('shows "no translator for sv→es" for a translation ops lists as skipped, as expected rather than a failure', () => {
    const skipped = skippedTranslations(opsRecords);
    expect(skipped).toEqual([{ partnerId: 'demo-es', storyUri: uri, version: 1, reason: 'no translator for sv→es' }]);
    const summary = summarize([{ item: tt, published: true, events: [event] }], partners, skipped);
    expect(summary.rows[0]).toMatchObject({ delivered: ['demo-all (sv)'], translations: ['no translator for sv→es (demo-es)'], problems: [] });
    expect(summary.ok).toBe(true);
    expect(renderSummary(summary)).toMatch(/TT text \+ image[^\n]*no translator for sv→es \(demo-es\)\s+ok/);
  });

  it('reports the skip missing while ops does not show it yet', () => {
    const summary = summarize([{ item: tt, published: true, events: [event] }], partners);
    expect(summary.rows[0]!.problems).toEqual(['"no translator for sv→es" not shown by ops for demo-es']);
    expect(summary.done).toBe(false);
  });
});
