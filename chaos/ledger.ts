/**
 * The ledger of a chaos run, per story version per partner: what was owed (computed from the
 * partners' filters), what the partners recorded after verifying signatures, what the pipeline
 * dead-lettered with a reason, and what it refused because a later version or a kill had already
 * reached the partner. Pure: the caller gathers the facts.
 */
import { baseOf, deliveryKey, EVENT_RANK, type EventType, type ExpectedDelivery } from './expect';

/** A webhook a partner answered 2xx to (after its signature verified). */
export interface Receipt {
  partner: string;
  webhookId: string;
  type: string;
  uri: string;
  version: number;
  /** Arrival order across all partners (a partner that stores first would see this order). */
  seq: number;
  at: number;
}

/** A delivery dead letter as the ops API lists it. */
export interface DeadLetterFact {
  partnerId: string;
  storyUri: string;
  version: number;
  eventType: string;
  variant?: string;
  code: string;
  reason: string;
}

/** A delivery log entry (ops API `/api/deliveries`). */
export interface LogFact {
  storyUri: string;
  version: number;
  eventType: string;
  variant?: string;
  status: string;
}

/** A record of `stories.canonical` (read committed). */
export interface CanonicalFact {
  key: string;
  version: number;
  /** The media-retry worker's filled-in copy of a version (`wire-media-filled`), not a publication. */
  mediaFilled: boolean;
}

export interface LedgerFacts {
  expected: readonly ExpectedDelivery[];
  receipts: readonly Receipt[];
  deadLetters: readonly DeadLetterFact[];
  /** Partners that answered 410 and that ops shows disabled for it: what they were not sent is accounted as gone. */
  gone: ReadonlySet<string>;
  /** The delivery log of (partner, story): asked only for deliveries otherwise unaccounted. */
  log: (partner: string, storyUri: string) => Promise<readonly LogFact[]>;
  canonicalExpected: readonly string[];
  canonical: readonly CanonicalFact[];
}

export interface Ledger {
  expected: number;
  /** Owed deliveries the partner answered 2xx to. */
  delivered: number;
  /** 2xx answers beyond the first to the same webhook-id (partners drop them). */
  repeats: number;
  deadLettered: number;
  /** Refused (logged stale/duplicate) because a later version or a kill reached the partner or was dead-lettered. */
  superseded: number;
  /** Not sent to a partner disabled by its own 410. */
  skippedGone: number;
  /** Owed, and neither delivered, dead-lettered, superseded nor gone. */
  lost: number;
  /** Deliveries no partner was owed (or one owed delivery under two webhook-ids). */
  unexpected: number;
  /** First receipts of a uri at a partner that came after a later version or event of it. */
  outOfOrder: number;
  /** Non-kill receipts of a story at a partner after the partner took its kill. */
  afterKill: number;
  canonical: { versions: number; records: number; missing: number; repeated: number; unexpected: number };
  /** Up to 50 lines naming what went wrong, for the report. */
  problems: string[];
}

const rank = (type: string) => EVENT_RANK[type as EventType] ?? -1;
const later = (a: { version: number; type: string }, b: { version: number; type: string }) =>
  a.version > b.version || (a.version === b.version && rank(a.type) > rank(b.type));

/** Work out the ledger from the facts. */
export async function computeLedger(facts: LedgerFacts): Promise<Ledger> {
  const problems: string[] = [];
  const problem = (line: string) => {
    if (problems.length < 50) problems.push(line);
  };
  const owed = new Map(facts.expected.map((e) => [deliveryKey(e), e]));

  // Receipts: repeats by webhook-id; an owed delivery received under two ids is unexpected.
  const byId = new Map<string, Receipt>();
  const firstByKey = new Map<string, Receipt>();
  let repeats = 0;
  let unexpected = 0;
  const firsts: Receipt[] = [];
  for (const r of [...facts.receipts].sort((a, b) => a.seq - b.seq)) {
    const idKey = `${r.partner}|${r.webhookId}`;
    if (byId.has(idKey)) {
      repeats++;
      continue;
    }
    byId.set(idKey, r);
    const key = deliveryKey(r);
    if (firstByKey.has(key)) {
      unexpected++;
      problem(`${r.partner} got ${r.type} ${r.uri} v${r.version} under two webhook-ids`);
      continue;
    }
    firstByKey.set(key, r);
    firsts.push(r);
    if (!owed.has(key)) {
      unexpected++;
      problem(`${r.partner} got ${r.type} ${r.uri} v${r.version}, which it was not owed`);
    }
  }

  // Order per (partner, uri), and nothing but kills after a kill per (partner, story).
  let outOfOrder = 0;
  const newest = new Map<string, Receipt>();
  for (const r of firsts) {
    const k = `${r.partner}|${r.uri}`;
    const top = newest.get(k);
    if (top && later(top, r)) {
      outOfOrder++;
      problem(`${r.partner} got ${r.type} ${r.uri} v${r.version} after ${top.type} v${top.version}`);
    }
    if (!top || later(r, top)) newest.set(k, r);
  }
  let afterKill = 0;
  const killedAt = new Map<string, number>();
  for (const r of [...facts.receipts].sort((a, b) => a.seq - b.seq)) {
    const k = `${r.partner}|${baseOf(r.uri)}`;
    const kill = killedAt.get(k);
    if (kill !== undefined && r.type !== 'story.killed') {
      afterKill++;
      problem(`${r.partner} got ${r.type} ${r.uri} v${r.version} after the story's kill`);
    }
    if (r.type === 'story.killed' && r.uri === baseOf(r.uri) && kill === undefined) killedAt.set(k, r.seq);
  }

  // Dead letters, keyed as deliveries.
  const dead = new Map<string, DeadLetterFact>();
  for (const d of facts.deadLetters) {
    const uri = d.variant ? `${d.storyUri}:lang:${d.variant}` : d.storyUri;
    const key = deliveryKey({ partner: d.partnerId, uri, version: d.version, type: d.eventType });
    if (!d.code || !d.reason) problem(`dead letter ${key} has no reason`);
    else dead.set(key, d);
  }

  // The newest version (and event) of each (partner, uri) that was delivered or dead-lettered.
  const ended = new Map<string, { version: number; type: string }>();
  const end = (partner: string, uri: string, item: { version: number; type: string }) => {
    const k = `${partner}|${uri}`;
    const top = ended.get(k);
    if (!top || later(item, top)) ended.set(k, item);
  };
  for (const r of firsts) end(r.partner, r.uri, r);
  for (const [key, d] of dead) {
    const [partner, uri] = key.split('|') as [string, string];
    end(partner, uri, { version: d.version, type: d.eventType });
  }

  // Superseded: a later version (or event) of the uri, or the story's kill, reached the partner
  // or was dead-lettered, and the pipeline logged this one as refused for it. The logs of those
  // candidates' (partner, story) are read first, a few at a time.
  const open = [...owed].filter(([key]) => !firstByKey.has(key) && !dead.has(key)).map(([, e]) => e);
  const overtaken = (e: ExpectedDelivery) => {
    const top = ended.get(`${e.partner}|${e.uri}`);
    const killed = e.type !== 'story.killed' && ended.get(`${e.partner}|${e.baseUri}`)?.type === 'story.killed';
    return (top !== undefined && later(top, e)) || killed;
  };
  const toRead = [...new Set(open.filter(overtaken).map((e) => `${e.partner}|${e.baseUri}`))];
  const logs = new Map<string, readonly LogFact[]>();
  for (let i = 0; i < toRead.length; i += 8) {
    await Promise.all(
      toRead.slice(i, i + 8).map(async (k) => {
        const [partner, story] = k.split('|') as [string, string];
        logs.set(k, await facts.log(partner, story));
      }),
    );
  }
  const refused = (e: ExpectedDelivery) =>
    (logs.get(`${e.partner}|${e.baseUri}`) ?? []).some(
      (l) => l.version === e.version && l.eventType === e.type && (l.variant ?? undefined) === e.variant && (l.status === 'stale' || l.status === 'duplicate'),
    );

  const deadLettered = [...owed.keys()].filter((k) => !firstByKey.has(k) && dead.has(k)).length;
  const delivered = owed.size - open.length - deadLettered;
  let superseded = 0;
  let skippedGone = 0;
  let lost = 0;
  for (const e of open) {
    if (overtaken(e) && refused(e)) superseded++;
    else if (facts.gone.has(e.partner)) skippedGone++;
    else {
      lost++;
      problem(`lost: ${e.partner} never got ${e.type} ${e.uri} v${e.version} (not dead-lettered, not superseded)`);
    }
  }

  // stories.canonical: each published version exactly once.
  const wanted = new Set(facts.canonicalExpected);
  const counts = new Map<string, number>();
  for (const c of facts.canonical) {
    if (c.mediaFilled) continue;
    const k = `${c.key}|${c.version}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let missing = 0;
  let repeated = 0;
  let extra = 0;
  for (const k of wanted) {
    const n = counts.get(k) ?? 0;
    if (n === 0) {
      missing++;
      problem(`stories.canonical lacks ${k}`);
    }
    if (n > 1) {
      repeated += n - 1;
      problem(`stories.canonical carries ${k} ${n} times`);
    }
  }
  for (const k of counts.keys()) {
    if (!wanted.has(k)) {
      extra++;
      problem(`stories.canonical carries ${k}, which was never published as a version`);
    }
  }

  return {
    expected: owed.size,
    delivered,
    repeats,
    deadLettered,
    superseded,
    skippedGone,
    lost,
    unexpected,
    outOfOrder,
    afterKill,
    canonical: { versions: wanted.size, records: [...counts.values()].reduce((s, n) => s + n, 0), missing, repeated, unexpected: extra },
    problems,
  };
}
