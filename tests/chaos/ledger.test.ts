import { describe, expect, it } from 'vitest';
import { expectedCanonical, expectedDeliveries, type ExpectedDelivery } from '../../chaos/expect';
import { computeLedger, type LedgerFacts, type LogFact, type Receipt } from '../../chaos/ledger';
import type { PartnerSpec, StoryMessage } from '../../chaos/plan';

// The ledger decides whether `wire chaos` passes: these cases show each way it catches a broken
// pipeline (and that it does not call a correct one broken).

const uri = 'urn:wire:yonhap:s1';
const msg = (kind: StoryMessage['kind'], version: number, extra: Partial<StoryMessage> = {}): StoryMessage => ({
  family: 1,
  kind,
  source: 'yonhap',
  guid: 's1',
  uri,
  version,
  language: 'en',
  subject: 'economy',
  headline: 'h',
  paragraphs: ['p'],
  partition: 0,
  dueMs: 0,
  ...extra,
});

let seq = 0;
const got = (partner: string, type: string, version: number, u = uri, webhookId = `${partner}-${u}-${version}-${type}`): Receipt => ({ partner, webhookId, type, uri: u, version, seq: ++seq, at: seq });
const owed = (partner: string, type: ExpectedDelivery['type'], version: number, u = uri): ExpectedDelivery => ({ partner, uri: u, baseUri: uri, version, type });

function facts(extra: Partial<LedgerFacts>): LedgerFacts {
  return { expected: [], receipts: [], deadLetters: [], gone: new Set(), log: async () => [], canonicalExpected: [], canonical: [], ...extra };
}

describe('expected deliveries, from filters and languages', () => {
  const partners: PartnerSpec[] = [
    { id: 'all', behaviour: {} },
    { id: 'es-only', filters: { languages: ['es'] }, behaviour: {} },
    { id: 'es-translated', filters: { languages: ['es'] }, translateTo: ['es'], behaviour: {} },
    { id: 'en-plus-es', filters: { languages: ['en'] }, translateTo: ['es'], behaviour: {} },
    { id: 'copies', allCopies: true, behaviour: {} },
    { id: 'ap-only', filters: { sources: ['ap'] }, behaviour: {} },
  ];
  const keys = (d: ExpectedDelivery[]) => d.map((e) => `${e.partner} ${e.type} ${e.uri.replace(uri, 'S')} v${e.version}`).sort();

  it('sends versions in the forms each partner takes, kills to every taker for the forms it got, copies only to allCopies, re-sends nowhere', () => {
    const copyUri = 'urn:wire:reuters:c1';
    const d = expectedDeliveries(partners, [
      msg('new', 1),
      msg('resend', 1),
      msg('copy', 1, { source: 'reuters', guid: 'c1', uri: copyUri }),
      msg('update', 2),
      msg('kill', 3),
    ]);
    expect(keys(d)).toEqual(
      [
        'all story.published S v1', 'all story.updated S v2', 'all story.killed S v3',
        'es-translated story.published S:lang:es v1', 'es-translated story.updated S:lang:es v2', 'es-translated story.killed S:lang:es v3',
        'en-plus-es story.published S v1', 'en-plus-es story.published S:lang:es v1', 'en-plus-es story.updated S v2', 'en-plus-es story.updated S:lang:es v2', 'en-plus-es story.killed S v3', 'en-plus-es story.killed S:lang:es v3',
        'copies story.published S v1', 'copies story.updated S v2', 'copies story.killed S v3', `copies story.published ${copyUri} v1`,
      ].sort(),
    );
    expect(expectedCanonical([msg('new', 1), msg('resend', 1), msg('update', 2), msg('kill', 3)])).toEqual([`${uri}|1`, `${uri}|2`, `${uri}|3`]);
  });
});

describe('the ledger', () => {
  it('balances a clean run: delivered, dead-lettered with a reason, repeats counted, nothing sent to a partner gone with 410', async () => {
    const l = await computeLedger(
      facts({
        expected: [owed('a', 'story.published', 1), owed('b', 'story.published', 1), owed('gone', 'story.published', 1)],
        receipts: [got('a', 'story.published', 1), got('a', 'story.published', 1)],
        deadLetters: [{ partnerId: 'b', storyUri: uri, version: 1, eventType: 'story.published', code: 'WIRE_ERR_DELIVERY_REJECTED', reason: 'partner b answered 422' }],
        gone: new Set(['gone']),
        canonicalExpected: [`${uri}|1`],
        canonical: [{ key: uri, version: 1, mediaFilled: false }, { key: uri, version: 1, mediaFilled: true }],
      }),
    );
    expect(l).toMatchObject({ expected: 3, delivered: 1, repeats: 1, deadLettered: 1, skippedGone: 1, lost: 0, unexpected: 0, outOfOrder: 0, afterKill: 0 });
    expect(l.canonical).toEqual({ versions: 1, records: 1, missing: 0, repeated: 0, unexpected: 0 });
    expect(l.problems).toEqual([]);
  });

  it('counts a delivery neither made nor dead-lettered as lost, and a dead letter without a reason does not account for it', async () => {
    const l = await computeLedger(
      facts({
        expected: [owed('a', 'story.published', 1), owed('b', 'story.published', 1)],
        deadLetters: [{ partnerId: 'b', storyUri: uri, version: 1, eventType: 'story.published', code: '', reason: '' }],
      }),
    );
    expect(l.lost).toBe(2);
    expect(l.problems.join('\n')).toMatch(/lost: a never got story.published/);
  });

  it('accepts a version left out for a later one only when the later one ended (delivered or dead-lettered) and the log says it was refused', async () => {
    const refused: LogFact[] = [{ storyUri: uri, version: 1, eventType: 'story.published', status: 'stale' }];
    const base = { expected: [owed('a', 'story.published', 1), owed('a', 'story.updated', 2)] };
    const delivered = await computeLedger(facts({ ...base, receipts: [got('a', 'story.updated', 2)], log: async () => refused }));
    expect(delivered).toMatchObject({ delivered: 1, superseded: 1, lost: 0 });
    const notLogged = await computeLedger(facts({ ...base, receipts: [got('a', 'story.updated', 2)] }));
    expect(notLogged).toMatchObject({ superseded: 0, lost: 1 });
    const deadLater = await computeLedger(
      facts({ ...base, deadLetters: [{ partnerId: 'a', storyUri: uri, version: 2, eventType: 'story.updated', code: 'WIRE_ERR_DELIVERY_REJECTED', reason: '422' }], log: async () => refused }),
    );
    expect(deadLater).toMatchObject({ deadLettered: 1, superseded: 1, lost: 0 });
    // Only older versions are superseded: a refusal logged for the newest one does not account for it.
    const newestRefused = await computeLedger(facts({ ...base, receipts: [got('a', 'story.published', 1)], log: async () => [{ storyUri: uri, version: 2, eventType: 'story.updated', status: 'stale' }] }));
    expect(newestRefused).toMatchObject({ delivered: 1, lost: 1 });
  });

  it('finds versions out of order and anything but kills after a kill, by arrival', async () => {
    const es = `${uri}:lang:es`;
    const l = await computeLedger(
      facts({
        expected: [owed('a', 'story.published', 1), owed('a', 'story.updated', 2), owed('a', 'story.killed', 3), owed('a', 'story.killed', 3, es)],
        receipts: [got('a', 'story.updated', 2), got('a', 'story.published', 1), got('a', 'story.killed', 3), got('a', 'story.killed', 3, es), got('a', 'story.updated', 2)],
      }),
    );
    // v1 after v2 is out of order; the repeat of v2 after the kill is after a kill; the variant's kill is fine.
    expect(l).toMatchObject({ delivered: 4, outOfOrder: 1, afterKill: 1, repeats: 1, lost: 0 });
  });

  it('flags deliveries nobody was owed, and one delivery under two webhook-ids', async () => {
    const l = await computeLedger(
      facts({
        expected: [owed('a', 'story.published', 1)],
        receipts: [got('a', 'story.published', 1), got('a', 'story.published', 1, uri, 'other-id'), got('b', 'story.published', 1)],
      }),
    );
    expect(l.unexpected).toBe(2);
    expect(l.repeats).toBe(0);
  });

  it('checks stories.canonical carries every published version exactly once', async () => {
    const l = await computeLedger(
      facts({
        canonicalExpected: [`${uri}|1`, `${uri}|2`],
        canonical: [
          { key: uri, version: 1, mediaFilled: false },
          { key: uri, version: 1, mediaFilled: false },
          { key: uri, version: 3, mediaFilled: false },
        ],
      }),
    );
    expect(l.canonical).toEqual({ versions: 2, records: 3, missing: 1, repeated: 1, unexpected: 1 });
  });
});
