import type { Redis } from 'ioredis';
import { storyHash } from '@wire/queues';

/** A pipeline or a Redis client: where `addInto` queues its writes. */
export interface SetWriter {
  sadd(key: string, ...members: string[]): unknown;
  expire(key: string, seconds: number): unknown;
}

const ORIGINAL = 'original';

/**
 * One member of a story's recipients set: the partner and the form of the story it was routed —
 * `daily@original`, or `daily@es` for the Spanish variant (whose uri is the story's own plus
 * `:lang:es`). A bare partner id (written by the delivery worker for a job routing did not
 * record, and by earlier releases) says the partner holds some form, not which.
 */
export function recipientEntry(partnerId: string, variant?: string): string {
  return `${partnerId}@${variant ? variant.toLowerCase() : ORIGINAL}`;
}

/** The forms of a story one partner was routed. */
export interface ReceivedForms {
  original: boolean;
  /** Languages of the variants (primary subtags). */
  variants: Set<string>;
  /** A bare entry: the partner holds some form, which is not known (treat it as any). */
  unknown: boolean;
}

/** Entries (`recipientEntry`, or bare partner ids) grouped by partner. */
export function receivedForms(entries: Iterable<string>): Map<string, ReceivedForms> {
  const out = new Map<string, ReceivedForms>();
  for (const e of entries) {
    const at = e.indexOf('@');
    const id = at < 0 ? e : e.slice(0, at);
    const forms = out.get(id) ?? { original: false, variants: new Set<string>(), unknown: false };
    const form = at < 0 ? undefined : e.slice(at + 1);
    if (form === undefined) forms.unknown = true;
    else if (form === ORIGINAL) forms.original = true;
    else forms.variants.add(form);
    out.set(id, forms);
  }
  return out;
}

/**
 * Which partners a story has been routed to or delivered to, and in which form (original or
 * language variant, any version), so kills and corrections reach every earlier recipient — even
 * if its filters changed since — for exactly the uris it was sent. Routing writes an entry when
 * it decides (before the job exists), so a translation still in flight counts: its partner gets
 * the variant's kill, and the variant itself, finished later, is refused after the kill.
 * One Redis set per story, expiring `ttlDays` after its last write.
 */
export class RecipientsRegister {
  private readonly prefix: string;
  private readonly ttlSec: number;

  constructor(
    private readonly redis: Redis,
    options: { prefix?: string; ttlDays?: number } = {},
  ) {
    this.prefix = `${options.prefix ?? 'wire:'}recipients:`;
    this.ttlSec = Math.round((options.ttlDays ?? 30) * 86_400);
  }

  private key(storyUri: string): string {
    return this.prefix + storyHash(storyUri);
  }

  /** Record entries (`recipientEntry`; a bare partner id when the form is not known). */
  async add(storyUri: string, entries: Iterable<string>): Promise<void> {
    const members = [...new Set(entries)];
    if (members.length === 0) return;
    const key = this.key(storyUri);
    await this.redis.multi().sadd(key, ...members).expire(key, this.ttlSec).exec();
  }

  /**
   * Record the entries of several stories in one round trip (the route step of a batch: one
   * transaction instead of one per story — building an ioredis pipeline on a connection BullMQ
   * shares copies all of BullMQ's scripts, so it is worth building once).
   */
  async addMany(byStory: Iterable<[storyUri: string, entries: Iterable<string>]>): Promise<void> {
    const writes: Array<[string, string[]]> = [];
    for (const [uri, entries] of byStory) {
      const members = [...new Set(entries)];
      if (members.length > 0) writes.push([this.key(uri), members]);
    }
    if (writes.length === 0) return;
    const m = this.redis.multi();
    for (const [key, members] of writes) m.sadd(key, ...members).expire(key, this.ttlSec);
    await m.exec();
  }

  /**
   * Queue the same writes on a caller's pipeline, or on a client with `enableAutoPipelining`
   * (to share a round trip). Returns what the writer returned (on a client, promises to await).
   */
  addInto(p: SetWriter, storyUri: string, entries: string[]): unknown[] {
    if (entries.length === 0) return [];
    const key = this.key(storyUri);
    return [p.sadd(key, ...entries), p.expire(key, this.ttlSec)];
  }

  /** Forget entries: a form the partner was routed but will never receive (a skipped translation). */
  async remove(storyUri: string, entries: Iterable<string>): Promise<void> {
    const members = [...new Set(entries)];
    if (members.length > 0) await this.redis.srem(this.key(storyUri), ...members);
  }

  /** Every entry of the story, sorted: what `planRoutes` takes as `recipients`. */
  async entries(storyUri: string): Promise<string[]> {
    return (await this.redis.smembers(this.key(storyUri))).sort();
  }

  /** The partner ids that received (or were routed) any form of any version of the story. */
  async list(storyUri: string): Promise<string[]> {
    return [...receivedForms(await this.entries(storyUri)).keys()].sort();
  }
}
