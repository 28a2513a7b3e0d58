import { Queue, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { Decision, variantUri, type CanonicalStory } from '@wire/schema';
import { enqueueDeliveries, enqueueRoutes, planRoutes, routeStory, routeVariant } from '@wire/routing';
import { DeliveryErrorCodes, WebhookErrorCodes } from '@wire/webhooks';
import { harness, inFlightCounter, story, until, type Harness, type Received } from './harness';

const decision = (kind: Decision['kind']) => Decision.parse({ kind });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function route(hh: Harness, s: CanonicalStory, kind: Decision['kind'] = 'new') {
  return routeStory({ registry: hh.registry, recipients: hh.recipients, deliverQueue: hh.queue }, s, decision(kind), { receivedAt: new Date().toISOString() });
}

describe('webhook delivery to real partners', () => {
  it('delivers a signed ninjs payload the standardwebhooks library verifies, and logs it', async () => {
    h = await harness();
    const p = await h.partner('daily');
    const s = story();
    await route(h, s);
    await until('delivered', () => p.delivered.length === 1);
    const got = p.delivered[0]!;
    expect(got.verified).toBe(true);
    expect(got.id).toMatch(/^msg_/);
    expect(got.body.type).toBe('story.published');
    expect(got.body.data.uri).toBe(s.uri);
    expect(got.body.data.version).toBe('1');
    expect(got.body.data.headlines?.[0]?.value).toBe(s.headline);
    await until('logged', async () => (await h!.svc.ops.listDeliveries({ story: s.uri })).length === 1);
    const [entry] = await h.svc.ops.listDeliveries({ partner: 'daily', status: 'delivered' });
    expect(entry).toMatchObject({ storyUri: s.uri, status: 200, outcome: 'delivered', webhookId: got.id, attempt: 1 });
    const text = await h.metrics.metrics();
    expect(text).toMatch(/wire_webhook_deliveries_total\{partner="daily",outcome="delivered"[^}]*\} 1/);
    expect(text).toMatch(/wire_webhook_end_to_end_seconds_count\{[^}]*partner="daily"[^}]*\} 1/);
  });

  it('signs with both secrets during a rotation, each verifying on its own', async () => {
    h = await harness();
    const p = await h.partner('rot');
    const before = (await h.registry.get('rot'))!.secrets[0]!.secret;
    const rotated = await h.registry.rotateSecret('rot', { graceMs: 60_000 });
    p.secrets = [before, rotated!.secret];
    await route(h, story());
    await until('delivered', () => p.delivered.length === 1);
    const got = p.delivered[0]!;
    expect(got.signature.split(' ')).toHaveLength(2);
    expect(got.verifiedWith.sort()).toEqual([before, rotated!.secret].sort());
    expect(() => new Webhook(before)).not.toThrow();
  });

  it('retries 500s with the same webhook id until a 2xx', async () => {
    h = await harness();
    const p = await h.partner('flaky', (_req, _res, n) => (n < 2 ? 500 : 200));
    const s = story();
    await route(h, s);
    await until('delivered after retries', () => p.delivered.length === 1);
    expect(p.received.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(p.received.map((r) => r.id)).size).toBe(1);
    await until('log complete', async () => (await h!.svc.ops.listDeliveries({ story: s.uri })).length === 3);
    const log = (await h.svc.ops.listDeliveries({ story: s.uri })).reverse();
    expect(log.map((e) => [e.attempt, e.outcome, e.status])).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'delivered', 200],
    ]);
  });

  it('times out a partner that never answers and retries it', async () => {
    h = await harness({ timeoutMs: 300 });
    const p = await h.partner('hang', (_req, res, n) => {
      if (n === 0) return new Promise<'handled'>((resolve) => setTimeout(() => resolve('handled'), 2_000)).then(() => {
        if (!res.destroyed) res.destroy();
        return 'handled' as const;
      });
      return 200;
    });
    const s = story();
    await route(h, s);
    await until('delivered after a timeout', () => p.delivered.length === 1);
    // The partner sees the request before the worker logs its 2xx.
    await until('delivered logged', async () => (await h!.svc.ops.listDeliveries({ story: s.uri, status: 'delivered' })).length === 1);
    const log = (await h.svc.ops.listDeliveries({ story: s.uri })).reverse();
    expect(log[0]).toMatchObject({ outcome: 'retrying', error: { code: WebhookErrorCodes.TIMEOUT } });
    expect(log.at(-1)!.outcome).toBe('delivered');
  });

  it('treats a partner dripping its response headers as a timeout', async () => {
    h = await harness({ timeoutMs: 400 });
    const p = await h.partner('drip', (_req, res, n) => {
      if (n > 0) return 200;
      const socket = res.socket!;
      const line = 'HTTP/1.1 200 OK\r\nX-Slow: ' + 'a'.repeat(100);
      let i = 0;
      const t = setInterval(() => {
        if (socket.destroyed || i >= line.length) return clearInterval(t);
        socket.write(line[i++]!);
      }, 50);
      return new Promise<'handled'>((resolve) => setTimeout(() => resolve('handled'), 600));
    });
    const s = story();
    await route(h, s);
    await until('delivered after the drip', () => p.received.some((r) => r.status === 200 && r.verified) && p.requests >= 2);
    const log = (await h.svc.ops.listDeliveries({ story: s.uri })).reverse();
    expect(log[0]).toMatchObject({ outcome: 'retrying', error: { code: WebhookErrorCodes.TIMEOUT } });
    await until('delivered logged', async () => (await h!.svc.ops.listDeliveries({ story: s.uri, status: 'delivered' })).length === 1);
  });

  it('disables the endpoint on 410 and replays its dead letters once re-enabled', async () => {
    h = await harness();
    const events: string[] = [];
    h.svc.events.on('partner.disabled', (e) => events.push(e.partnerId));
    let gone = true;
    const p = await h.partner('gone', () => (gone ? 410 : 200));
    const s1 = story();
    await route(h, s1);
    // The event follows the registry write: wait for both (on a busy machine the poll can land between them).
    await until('disabled', async () => (await h!.registry.get('gone'))?.disabled === true && events.length > 0);
    expect(events).toEqual(['gone']);
    expect((await h.registry.get('gone'))!.disabledReason).toMatch(/410/);
    await until('dead letter', async () => (await h!.svc.ops.listDeadLetters({ partner: 'gone' })).length === 1);
    expect((await h.svc.ops.listDeadLetters({ partner: 'gone' }))[0]!.code).toBe(DeliveryErrorCodes.GONE);
    expect(p.requests).toBe(1);

    // New stories are not even queued for a disabled partner.
    const plan = await route(h, story());
    expect(plan.deliver).toEqual([]);

    gone = false;
    await h.registry.enable('gone');
    const since = new Date(Date.now() - 60_000).toISOString();
    const replayed = await h.svc.ops.replayPartnerFailures('gone', since);
    expect(replayed.map((r) => r.ok)).toEqual([true]);
    await until('delivered after replay', () => p.delivered.length === 1);
    expect(p.delivered[0]!.body.data.uri).toBe(s1.uri);
    expect(await h.svc.ops.listDeadLetters({ partner: 'gone' })).toEqual([]);
  });

  it('dead-letters other 4xx at once, without retries, and replays one on request', async () => {
    h = await harness();
    let status = 400;
    const p = await h.partner('strict', () => status);
    const s = story();
    await route(h, s);
    await until('dead letter', async () => (await h!.svc.ops.listDeadLetters()).length === 1);
    const [dl] = await h.svc.ops.listDeadLetters();
    expect(dl).toMatchObject({ partnerId: 'strict', storyUri: s.uri, code: DeliveryErrorCodes.REJECTED, lastStatus: 400 });
    await new Promise((r) => setTimeout(r, 400)); // longer than the whole retry schedule
    expect(p.requests).toBe(1);
    status = 202;
    expect(await h.svc.ops.replayDeadLetter(dl!.id)).toMatchObject({ ok: true });
    await until('delivered after replay', () => p.delivered.length === 1);
  });

  it('dead-letters a job whose payload fails the schema, naming the field', async () => {
    h = await harness();
    await h.queue.add('bad', { partnerId: 'nobody', eventType: 'story.published', storyUri: 'urn:x', version: 'one' }, { jobId: 'bad-job', attempts: 5 });
    await until('dead letter', async () => (await h!.svc.ops.listDeadLetters()).length === 1);
    const [dl] = await h.svc.ops.listDeadLetters();
    expect(dl).toMatchObject({ id: 'bad-job', code: DeliveryErrorCodes.BAD_JOB });
    expect(dl!.reason).toMatch(/version/);
  });

  it('dead-letters after the retry schedule is exhausted', async () => {
    h = await harness({ disableAfterMs: 0 });
    const p = await h.partner('down', () => 503);
    await route(h, story());
    await until('dead letter', async () => (await h!.svc.ops.listDeadLetters()).length === 1);
    expect((await h.svc.ops.listDeadLetters())[0]!.code).toBe(DeliveryErrorCodes.EXHAUSTED);
    expect(p.requests).toBe(4); // immediate + the three scheduled retries
  });

  it('dead-letters, with the reason, a job that stalled more often than allowed because the workers holding it died', async () => {
    h = await harness({}, { autorun: false });
    const p = await h.partner('stalled');
    const s = story();
    await route(h, s);
    // A worker that takes the job and dies with it, twice: its lock lapses and the stall check
    // puts the job back; the second time BullMQ marks it to fail when it is next taken.
    const dying = new Worker(h.queue.name, null, { connection: h.redis, lockDuration: 300, stalledInterval: 200, maxStalledCount: 1 });
    void dying.startStalledCheckTimer();
    for (let i = 0; i < 2; i++) {
      expect((await dying.getNextJob(`died-${i}`))?.id).toBeDefined();
      await until(`stalled ${i + 1}`, async () => (await h!.queue.getWaitingCount()) === 1);
    }
    await dying.close();
    void h.svc.worker.run();
    await until('dead-lettered', async () => (await h!.svc.ops.listDeadLetters()).length === 1);
    const [dead] = await h.svc.ops.listDeadLetters();
    expect(dead).toMatchObject({ partnerId: 'stalled', storyUri: s.uri, version: 1, code: DeliveryErrorCodes.FAILED, reason: expect.stringMatching(/stalled/) });
    expect(p.requests).toBe(0);
  });

  it('honours Retry-After on 429 instead of the schedule', async () => {
    h = await harness({ retryScheduleMs: [20, 20] });
    const p = await h.partner('busy', (_req, res, n) => {
      if (n === 0) {
        res.writeHead(429, { 'retry-after': '1' }).end('slow down');
        return 'handled';
      }
      return 200;
    });
    const s = story();
    await route(h, s);
    await until('delivered', () => p.delivered.length === 1);
    const [first] = (await h.svc.ops.listDeliveries({ story: s.uri, status: 'retrying' })).reverse();
    expect(first!.status).toBe(429);
    expect(Date.parse(first!.nextAttemptAt!) - Date.parse(first!.at)).toBeGreaterThanOrEqual(1000);
    expect(p.received[1]!.at - p.received[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('refuses a private address that is not in the allow list, without calling it', async () => {
    h = await harness({ allowPrivateHosts: [] });
    const p = await h.partner('internal');
    await h.registry.create({ id: 'metadata', name: 'metadata', url: 'http://169.254.169.254/latest/meta-data' });
    await route(h, story());
    await until('two dead letters', async () => (await h!.svc.ops.listDeadLetters()).length === 2);
    const codes = (await h.svc.ops.listDeadLetters()).map((d) => [d.partnerId, d.code]).sort();
    expect(codes).toEqual([
      ['internal', WebhookErrorCodes.SSRF_BLOCKED],
      ['metadata', WebhookErrorCodes.SSRF_BLOCKED],
    ]);
    expect(p.requests).toBe(0);
  });

  it('disables a partner that keeps failing, but forgives sporadic failures', async () => {
    // Failing for a second disables; the sporadic partner's failures are each followed by a success
    // within a retry (100 ms), so even a loaded machine does not stretch one to a second.
    h = await harness({ disableAfterMs: 1000, retryScheduleMs: Array.from({ length: 30 }, () => 100) });
    const events: string[] = [];
    h.svc.events.on('partner.disabled', (e) => events.push(e.partnerId));
    const broken = await h.partner('broken', () => 500);
    const sporadic = await h.partner('sporadic', (_req, _res, n) => (n % 2 === 0 ? 500 : 200));
    for (let i = 0; i < 4; i++) await route(h, story());
    await until('broken disabled', async () => (await h!.registry.get('broken'))?.disabled === true);
    await until('sporadic delivered everything', () => sporadic.delivered.length === 4);
    expect(events).toEqual(['broken']);
    expect((await h.registry.get('sporadic'))!.disabled).toBeFalsy();

    // Re-enabled through the registry, with its failure clock restarted.
    broken.setBehaviour(() => 200);
    await h.registry.enable('broken');
    await route(h, story());
    await until('broken delivers again', () => broken.delivered.length === 1);
  });
});

describe('order, kills and embargoes', () => {
  it('skips a retry of v1 once v2 has been delivered', async () => {
    h = await harness({ retryScheduleMs: [700] });
    const p = await h.partner('order', (_req, _res, n) => (n === 0 ? 500 : 200));
    const v1 = story();
    await route(h, v1);
    await until('v1 failed once', () => p.requests === 1);
    const v2 = { ...v1, version: 2, headline: `${v1.headline} (updated)`, contentHash: 'v2' };
    await route(h, v2, 'update');
    await until('v2 delivered', () => p.delivered.length === 1);
    await until('v1 retry skipped', async () => (await h!.svc.ops.listDeliveries({ story: v1.uri, status: 'stale' })).length === 1);
    expect(p.delivered.map((r) => [r.body.type, r.body.data.version])).toEqual([['story.updated', '2']]);
    const stale = await h.svc.ops.listDeliveries({ story: v1.uri, status: 'stale' });
    expect(stale[0]).toMatchObject({ version: 1, attempt: 2 });
  });

  it('never sends v1 after a v2 the partner took although our request timed out', async () => {
    h = await harness({ timeoutMs: 1_000, retryScheduleMs: [1_500, 1_500, 1_500] });
    // What the partner took (answered 2xx), in the order the requests arrived.
    const arrivals: Array<{ version: string; answered: number }> = [];
    const p = await h.partner('taken-late', async (_req, _res, _n, body) => {
      const version = (JSON.parse(body) as { data: { version: string } }).data.version;
      const seen = arrivals.filter((a) => a.version === version).length;
      const entry = { version, answered: 0 };
      arrivals.push(entry);
      // v1 fails at first (its retry comes 1.5 s later); v2 is taken, but after our timeout.
      if (version === '1' && seen === 0) entry.answered = 503;
      else if (version === '2' && seen === 0) entry.answered = await new Promise<number>((r) => setTimeout(() => r(200), 1_600));
      else entry.answered = 200;
      return entry.answered;
    });
    const v1 = story();
    await route(h, v1);
    await until('v1 failed once', () => arrivals.length === 1);
    await route(h, { ...v1, version: 2, headline: `${v1.headline} (updated)`, contentHash: 'v2' }, 'update');
    await until('v2 delivered', async () => (await h!.svc.ops.listDeliveries({ story: v1.uri, status: 'delivered' })).some((e) => e.version === 2));
    await until('v1 settled', async () => (await h!.svc.ops.listDeliveries({ story: v1.uri })).some((e) => e.version === 1 && e.attempt === 2));
    const taken = arrivals.filter((a) => a.answered >= 200 && a.answered < 300).map((a) => a.version);
    expect(taken).toEqual(['2', '2']);
    expect(p.requests).toBe(3);
    const v1Retry = (await h.svc.ops.listDeliveries({ story: v1.uri })).find((e) => e.version === 1 && e.attempt === 2);
    expect(v1Retry).toMatchObject({ outcome: 'stale', error: { message: expect.stringContaining('version 2 was already sent') } });
  });

  it('never has two versions of one story on the wire to a partner at once, and never goes backwards', async () => {
    h = await harness({ partnerConcurrency: 8 });
    const counter = inFlightCounter(150);
    const p = await h.partner('serial', counter.behaviour);
    const v1 = story();
    const versions = [1, 2, 3].map((v) => ({ ...v1, version: v, contentHash: `c${v}` }));
    const partners = await h.registry.list();
    const deliver = versions.flatMap((s, i) => planRoutes(s, decision(i === 0 ? 'new' : 'update'), partners).deliver);
    await enqueueRoutes({ deliverQueue: h.queue }, { deliver, translate: [] });
    await until('v3 delivered', () => p.delivered.some((r) => r.body.data.version === '3'));
    await until('all three settled', async () => (await h!.svc.ops.listDeliveries({ story: v1.uri })).length === 3);
    expect(counter.most()).toBe(1);
    const seen = p.delivered.map((r) => Number(r.body.data.version));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(3);
  });

  it('sends a kill to every partner that received any version, even if its filters changed, and nothing after', async () => {
    h = await harness();
    const a = await h.partner('a', undefined, { filters: { sources: ['yonhap'] } });
    const b = await h.partner('b');
    const v1 = story();
    await route(h, v1);
    await until('v1 at both', () => a.delivered.length === 1 && b.delivered.length === 1);
    await h.registry.update('a', { filters: { sources: ['ap'] } });
    const late = await h.partner('late'); // joined after v1: never got it
    const kill = { ...v1, version: 2, pubStatus: 'canceled' as const, contentHash: 'k' };
    await route(h, kill, 'kill');
    await until('kill at a and b', () => a.delivered.length === 2 && b.delivered.length === 2);
    expect([a, b].map((p) => p.delivered[1]!.body.type)).toEqual(['story.killed', 'story.killed']);
    expect(late.requests).toBe(0);

    // A later version (e.g. a wrongly routed update) never reaches a partner after the kill.
    const v3 = { ...v1, version: 3, contentHash: 'v3' };
    const plan = planRoutes(v3, decision('update'), await h.registry.list(), { recipients: await h.recipients.list(v1.uri) });
    await enqueueRoutes({ deliverQueue: h.queue }, plan);
    await until('late got v3', () => late.delivered.length === 1);
    await until('b skipped v3', async () => (await h!.svc.ops.listDeliveries({ partner: 'b', status: 'stale' })).length === 1);
    expect(b.delivered).toHaveLength(2);
  });

  it('holds embargoed copy until the embargo lifts, except for trusted partners', async () => {
    h = await harness();
    const held = await h.partner('held');
    const early = await h.partner('early', undefined, { embargoEarly: true });
    const until_ = Date.now() + 2_000;
    const s = story({ embargoedUntil: new Date(until_).toISOString() });
    await route(h, s);
    await until('early got it', () => early.delivered.length === 1);
    expect(held.requests).toBe(0);
    await until('held got it after the embargo', () => held.delivered.length === 1, 10_000);
    expect(held.delivered[0]!.at).toBeGreaterThanOrEqual(until_);
    expect(early.delivered[0]!.at).toBeLessThan(until_);
  });
});

describe('recipients', () => {
  it('routing records the partner before the job exists and says so on the job; the worker records the rest', async () => {
    h = await harness();
    const routed = await h.partner('routed');
    const s = story();
    // A second queue nobody works, to read the jobs as routing added them.
    const idle = new Queue(`${h.queue.name}-idle`, { connection: h.redis });
    try {
      const plan = planRoutes(s, decision('new'), await h.registry.list());
      await enqueueRoutes({ deliverQueue: idle, recipients: h.recipients }, { deliver: plan.deliver, translate: [] });
      expect(await h.recipients.list(s.uri)).toEqual(['routed']);
      const [job] = await idle.getJobs(['waiting']);
      expect(job?.data).toMatchObject({ partnerId: 'routed', recipientRecorded: true });
      await enqueueRoutes({ deliverQueue: idle }, { deliver: planRoutes(story(), decision('new'), await h.registry.list()).deliver, translate: [] });
      const unmarked = (await idle.getJobs(['waiting'])).filter((j) => j.data.storyUri !== s.uri);
      expect(unmarked.map((j) => j.data.recipientRecorded)).toEqual([undefined]);
    } finally {
      await idle.obliterate({ force: true });
      await idle.close();
    }
    // A job with no mark (added by hand) is recorded by the worker once the partner took it.
    const other = story();
    await h.queue.add('story.published', { partnerId: 'routed', eventType: 'story.published', storyUri: other.uri, version: 1, story: other }, { jobId: `hand-${other.guid}` });
    await until('delivered', () => routed.delivered.length === 1);
    await until('recorded by the worker', async () => (await h!.recipients.list(other.uri)).length === 1);
  });
});

describe('translations', () => {
  it('sends the translated variant to partners that asked for it, and the kill of what each received', async () => {
    h = await harness();
    const es = await h.partner('es', undefined, { translateTo: ['es'] });
    const en = await h.partner('en');
    const v1 = story();
    const plan = planRoutes(v1, decision('new'), await h.registry.list());
    await enqueueRoutes({ deliverQueue: h.queue, recipients: h.recipients }, { deliver: plan.deliver, translate: [] });
    expect(plan.deliver.map((d) => d.data.partnerId)).toEqual(['en']);
    expect(plan.translate.map((t) => [t.data.targetLanguage, t.data.partnerIds])).toEqual([['es', ['es']]]);
    // What the translator service does with its result:
    const variant = { ...v1, uri: variantUri(v1.uri, 'es'), language: 'es', headline: 'Suben las bolsas de Seúl', translationOf: { uri: v1.uri, version: 1, language: 'en' } };
    const jobs = routeVariant(variant, plan.translate[0]!.data, await h.registry.list());
    await enqueueDeliveries({ deliverQueue: h.queue }, jobs);
    await until('both delivered', () => es.delivered.length === 1 && en.delivered.length === 1);
    expect(es.delivered[0]!.body.data.language).toBe('es');
    expect(en.delivered[0]!.body.data.language).toBe('en');
    // Routing recorded 'en' (the original) before its job existed; the variant's jobs came without
    // a register, so the worker records 'es' with the form it delivered when it commits the 2xx.
    await until('both recorded as recipients', async () => (await h!.recipients.entries(v1.uri)).length === 2);
    expect(await h.recipients.entries(v1.uri)).toEqual(['en@original', 'es@es']);
    await route(h, { ...v1, version: 2, pubStatus: 'canceled', contentHash: 'k' }, 'kill');
    // Each partner gets the kill of the uri it holds: the Spanish partner only the Spanish variant's.
    await until('kill at both', () => es.delivered.length === 2 && en.delivered.length === 2);
    const kill = (d: Received) => [d.body.type, d.body.data.uri, (d.body.data as { pubStatus?: string }).pubStatus];
    expect(kill(es.delivered[1]!)).toEqual(['story.killed', `${v1.uri}:lang:es`, 'canceled']);
    expect(kill(en.delivered[1]!)).toEqual(['story.killed', v1.uri, 'canceled']);
    await until('the queue drained', async () => Object.values(await h!.queue.getJobCounts('waiting', 'delayed', 'active')).every((n) => n === 0));
    expect(es.requests + en.requests).toBe(4);
  });
});

describe('isolation', () => {
  it("keeps to a partner's rate limit (Redis token bucket)", async () => {
    h = await harness();
    const p = await h.partner('limited', undefined, { ratePerSec: 4 });
    for (let i = 0; i < 12; i++) await route(h, story());
    await until('all delivered', () => p.delivered.length === 12);
    // Bucket of 4, refilled at 4/s: no one-second window can hold more than 4 + 4 requests.
    const times = p.received.map((r) => r.at).sort((a, b) => a - b);
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    expect(busiest).toBeLessThanOrEqual(8);
    expect(p.requests).toBe(12);
  });

  it("a partner sleeping 10 s per request does not hold up another partner's deliveries", async () => {
    h = await harness({ concurrency: 6, partnerConcurrency: 2, timeoutMs: 15_000 }, { forceClose: true });
    let sleeperAnswered = 0;
    await h.partner('sleepy', () => new Promise<number>((r) => setTimeout(() => {
      sleeperAnswered++;
      r(200);
    }, 10_000)));
    const fast = await h.partner('fast', undefined, { filters: { keywords: ['fast'] } });
    await h.registry.update('sleepy', { filters: { keywords: ['slow'] } });
    // The sleeper's jobs go in first, so a FIFO worker without isolation would be stuck behind them.
    for (let i = 0; i < 12; i++) await route(h, story({ headline: `slow story ${i}` }));
    for (let i = 0; i < 20; i++) await route(h, story({ headline: `fast story ${i}` }));
    await until('fast partner got all 20', () => fast.delivered.length === 20, 9_000);
    expect(sleeperAnswered).toBe(0);
  });
});
