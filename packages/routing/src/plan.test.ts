import { describe, expect, it } from 'vitest';
import { deliverJobId } from '@wire/queues';
import { CanonicalStory, Decision } from '@wire/schema';
import { Partner } from './partner';
import { plannedRecipients, planRoutes, planUntranslated, routeVariant } from './plan';
import { recipientEntry } from './recipients';

const at = '2026-01-01T00:00:00.000Z';
const partner = (id: string, extra: Partial<Partner> = {}): Partner =>
  Partner.parse({ id, name: id, url: `https://${id}.example/hook`, secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: at }], createdAt: at, updatedAt: at, ...extra });
const story = (extra: Partial<CanonicalStory> = {}): CanonicalStory =>
  CanonicalStory.parse({ uri: 'urn:wire:yonhap:1', source: 'yonhap', guid: '1', version: 1, language: 'en', headline: 'Seoul stocks rise', contentHash: 'h', wordCount: 3, urgency: 3, ...extra });
const decision = (kind: Decision['kind']) => Decision.parse({ kind });

describe('planRoutes', () => {
  it('sends a new story to every matching enabled partner, one job each with a deterministic id', () => {
    const partners = [
      partner('all'),
      partner('yonhap-only', { filters: { sources: ['YONHAP'] } }),
      partner('ap-only', { filters: { sources: ['ap'] } }),
      partner('flash', { filters: { urgency: 2 } }),
      partner('off', { disabled: true }),
      partner('stocks', { filters: { keywords: ['stocks'] } }),
    ];
    const plan = planRoutes(story(), decision('new'), partners, { now: 0 });
    expect(plan.deliver.map((d) => d.data.partnerId)).toEqual(['all', 'yonhap-only', 'stocks']);
    expect(plan.deliver[0]!.jobId).toBe(deliverJobId('all', 'urn:wire:yonhap:1', 1, 'story.published'));
    expect(plan.deliver[0]!.opts.jobId).toBe(plan.deliver[0]!.jobId);
    expect(plan.skipped.map((s) => s.partnerId).sort()).toEqual(['ap-only', 'flash', 'off']);
  });

  it('sends a kill to every earlier recipient even when its filters no longer match, and to nobody else', () => {
    const partners = [partner('was', { filters: { sources: ['ap'] } }), partner('never')];
    const plan = planRoutes(story({ version: 2, pubStatus: 'canceled' }), decision('kill'), partners, { recipients: ['was'] });
    expect(plan.deliver.map((d) => [d.data.partnerId, d.data.eventType])).toEqual([['was', 'story.killed']]);
  });

  it('kills the variants a translation partner holds under their own uris, at once', () => {
    const partners = [partner('es', { translateTo: ['es'] }), partner('en')];
    const plan = planRoutes(story({ version: 2, pubStatus: 'canceled' }), decision('kill'), partners, { recipients: ['es', 'en'] });
    expect(plan.translate).toEqual([]);
    expect(plan.deliver.map((d) => [d.data.partnerId, d.data.story.uri, d.data.variant ?? null, d.data.story.pubStatus])).toEqual([
      ['es', 'urn:wire:yonhap:1', null, 'canceled'],
      ['es', 'urn:wire:yonhap:1:lang:es', 'es', 'canceled'],
      ['en', 'urn:wire:yonhap:1', null, 'canceled'],
    ]);
    const esKill = plan.deliver[1]!.data.story;
    expect(esKill.translationOf).toEqual({ uri: 'urn:wire:yonhap:1', version: 2, language: 'en' });
    expect(esKill.body).toEqual([]);
    expect(new Set(plan.deliver.map((d) => d.jobId)).size).toBe(3);
  });

  it('kills only the uris each partner was sent: the Spanish variant alone, the original alone, or both', () => {
    const partners = [
      partner('es-only', { translateTo: ['es'], filters: { languages: ['es'] } }),
      partner('en-only'),
      partner('both', { translateTo: ['es'] }),
      partner('fr-now', { translateTo: ['fr'] }), // asked for French after it got the Spanish variant
    ];
    const recipients = [
      recipientEntry('es-only', 'es'),
      recipientEntry('en-only'),
      recipientEntry('both'),
      recipientEntry('both', 'es'),
      recipientEntry('fr-now', 'es'),
    ];
    const plan = planRoutes(story({ version: 2, pubStatus: 'canceled' }), decision('kill'), partners, { recipients });
    expect(plan.deliver.map((d) => [d.data.partnerId, d.data.story.uri])).toEqual([
      ['es-only', 'urn:wire:yonhap:1:lang:es'],
      ['en-only', 'urn:wire:yonhap:1'],
      ['both', 'urn:wire:yonhap:1'],
      ['both', 'urn:wire:yonhap:1:lang:es'],
      ['fr-now', 'urn:wire:yonhap:1:lang:es'],
    ]);
    expect(plan.deliver.every((d) => d.data.eventType === 'story.killed' && d.data.story.pubStatus === 'canceled')).toBe(true);
  });

  it('sends a correction to an earlier recipient in the forms it got, and to new matches as their settings ask', () => {
    const partners = [
      partner('es-only', { translateTo: ['es'], filters: { sources: ['ap'] } }), // filters changed since
      partner('newcomer', { translateTo: ['es'] }),
      partner('plain'),
    ];
    const plan = planRoutes(story({ version: 2, correction: true }), decision('correction'), partners, { recipients: [recipientEntry('es-only', 'es')] });
    expect(plan.deliver.map((d) => d.data.partnerId)).toEqual(['plain']);
    expect(plan.translate.map((t) => [t.data.targetLanguage, t.data.partnerIds, t.data.eventType])).toEqual([['es', ['es-only', 'newcomer'], 'story.corrected']]);
  });

  it('records each partner under the form it is routed, translations still in flight included', () => {
    const partners = [partner('es-only', { translateTo: ['es'], filters: { languages: ['es'] } }), partner('both', { translateTo: ['es'], filters: { languages: ['en'] } })];
    const plan = planRoutes(story(), decision('new'), partners);
    expect([...(plannedRecipients(plan).get('urn:wire:yonhap:1') ?? [])].sort()).toEqual(['both@es', 'both@original', 'es-only@es']);
  });

  it('sends corrections to matching partners and earlier recipients', () => {
    const partners = [partner('was', { filters: { sources: ['ap'] } }), partner('match'), partner('no', { filters: { sources: ['ap'] } })];
    const plan = planRoutes(story({ version: 2, correction: true }), decision('correction'), partners, { recipients: ['was'] });
    expect(plan.deliver.map((d) => d.data.partnerId)).toEqual(['was', 'match']);
    expect(plan.deliver.every((d) => d.data.eventType === 'story.corrected')).toBe(true);
  });

  it('sends duplicates only to partners that want every copy', () => {
    const plan = planRoutes(story(), decision('duplicate'), [partner('one'), partner('every', { allCopies: true })]);
    expect(plan.deliver.map((d) => d.data.partnerId)).toEqual(['every']);
  });

  it('holds embargoed copy until the embargo lifts unless the partner is trusted', () => {
    const now = Date.parse(at);
    const s = story({ embargoedUntil: new Date(now + 60_000).toISOString() });
    const plan = planRoutes(s, decision('new'), [partner('held'), partner('early', { embargoEarly: true })], { now });
    expect(plan.deliver.map((d) => [d.data.partnerId, d.opts.delay])).toEqual([['held', 60_000], ['early', undefined]]);
  });

  it('asks for one translation per language and routes the variant to the partners that want it', () => {
    const partners = [
      partner('es', { translateTo: ['es'] }),
      partner('es2', { translateTo: ['es-MX'], filters: { languages: ['es'] } }),
      partner('en-and-fr', { translateTo: ['fr'], filters: { languages: ['en'] } }),
      partner('plain'),
    ];
    const plan = planRoutes(story(), decision('new'), partners);
    expect(plan.deliver.map((d) => d.data.partnerId)).toEqual(['en-and-fr', 'plain']);
    expect(plan.translate.map((t) => [t.data.targetLanguage, t.data.partnerIds])).toEqual([
      ['es', ['es', 'es2']],
      ['fr', ['en-and-fr']],
    ]);
    const es = plan.translate[0]!.data;
    const jobs = routeVariant(story({ uri: 'urn:wire:yonhap:1:es', language: 'es', headline: 'Suben' }), es, partners);
    expect(jobs.map((j) => [j.data.partnerId, j.data.storyUri, j.data.variant])).toEqual([
      ['es', 'urn:wire:yonhap:1', 'es'],
      ['es2', 'urn:wire:yonhap:1', 'es'],
    ]);
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(2);
  });

  it('sends nothing for stale versions', () => {
    const plan = planRoutes(story(), decision('stale'), [partner('a')]);
    expect(plan.deliver).toEqual([]);
  });
});

describe('planUntranslated', () => {
  const sv = story({ language: 'sv', headline: 'Börsen steg' });
  const job = (eventType: 'story.published' | 'story.updated', partnerIds: string[]) => ({
    storyUri: sv.uri,
    version: 1,
    targetLanguage: 'es',
    eventType,
    story: sv,
    partnerIds,
  });

  it("gives each partner what its setting says, by default the original unless its language filter excludes the story's language", () => {
    const partners = [
      partner('es-filter', { translateTo: ['es'], filters: { languages: ['es'] } }),
      partner('no-filter', { translateTo: ['es'] }),
      partner('wants-original', { translateTo: ['es'], filters: { languages: ['es'] }, whenNoTranslator: 'original' }),
      partner('wants-nothing', { translateTo: ['es'], whenNoTranslator: 'nothing' }),
      partner('takes-sv-too', { translateTo: ['es'], filters: { languages: ['es', 'sv'] } }),
      partner('off', { translateTo: ['es'], disabled: true }),
      partner('not-asked', { translateTo: ['es'] }),
    ];
    const ids = ['es-filter', 'no-filter', 'wants-original', 'wants-nothing', 'takes-sv-too', 'off'];
    const plan = planUntranslated(job('story.published', ids), partners);
    expect(plan.partners).toEqual([
      { partnerId: 'es-filter', outcome: 'nothing' },
      { partnerId: 'no-filter', outcome: 'original' },
      { partnerId: 'wants-original', outcome: 'original' },
      { partnerId: 'wants-nothing', outcome: 'nothing' },
      { partnerId: 'takes-sv-too', outcome: 'original-already' },
    ]);
    expect(plan.deliver.map((d) => [d.data.partnerId, d.data.story.uri, d.data.variant ?? null, d.jobId])).toEqual([
      ['no-filter', sv.uri, null, deliverJobId('no-filter', sv.uri, 1, 'story.published')],
      ['wants-original', sv.uri, null, deliverJobId('wants-original', sv.uri, 1, 'story.published')],
    ]);
    expect(plan.forget).toEqual(ids.slice(0, 5).map((id) => recipientEntry(id, 'es')));
  });

  it('forgets the variant only on a first publication: after an update the partner may hold an earlier one', () => {
    const plan = planUntranslated(job('story.updated', ['a']), [partner('a', { translateTo: ['es'] })]);
    expect(plan.deliver.map((d) => d.data.eventType)).toEqual(['story.updated']);
    expect(plan.forget).toEqual([]);
  });
});
