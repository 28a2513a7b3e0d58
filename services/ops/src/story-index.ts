import type { Redis } from 'ioredis';
import { shortHash, StoryEvent } from '@wire/queues';

/** A story another one was decided against: a duplicate of it, its update or its kill. */
interface DedupeLink {
  uri: string;
  version: number;
  kind: string;
  scores: Record<string, number>;
  reasons: string[];
  at: string;
}

/** One story in the index: its events (one per version/decision) and links from other stories. */
export interface IndexedStory {
  uri: string;
  events: StoryEvent[];
  /** Stories decided against this one (duplicates, updates, kills), newest last. */
  linkedFrom: DedupeLink[];
}

export interface StoryIndexOptions {
  /** Key prefix, e.g. `wire:ops:` (tests use a unique one). */
  prefix: string;
  /** How many recent events the index keeps (older ones fall off the recent list). */
  maxRecent: number;
  /** How long per-story detail is kept after its last event. */
  ttlSeconds?: number;
}

/**
 * The ops service's index of what the pipeline decided, fed from `stories.events`: a capped list
 * of recent events and, per story, all its events and the links other stories have to it.
 * Recording is idempotent (an event seen twice — at-least-once consumption — is stored once).
 */
export class StoryIndex {
  private readonly ttl: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: StoryIndexOptions,
  ) {
    this.ttl = opts.ttlSeconds ?? 30 * 24 * 3600;
  }

  private key(...parts: string[]): string {
    return `${this.opts.prefix}${parts.join(':')}`;
  }

  /** Record one event; returns false when it had been recorded before. */
  async record(ev: StoryEvent): Promise<boolean> {
    const seenKey = this.key('seen', shortHash(`${ev.uri}|${ev.version}|${ev.type}|${ev.at}|${ev.receivedAt ?? ''}`));
    const first = await this.redis.set(seenKey, '1', 'EX', this.ttl, 'NX');
    if (first !== 'OK') return false;
    const json = JSON.stringify(ev);
    const storyKey = this.key('story', ev.uri);
    const m = this.redis
      .multi()
      .lpush(this.key('recent'), json)
      .ltrim(this.key('recent'), 0, this.opts.maxRecent - 1)
      .rpush(storyKey, json)
      .ltrim(storyKey, -500, -1)
      .expire(storyKey, this.ttl)
      .hincrby(this.key('decisions'), ev.decision.kind, 1);
    const of = ev.decision.of;
    if (of && of.uri !== ev.uri) {
      const link: DedupeLink = { uri: ev.uri, version: ev.version, kind: ev.decision.kind, scores: ev.decision.scores, reasons: ev.decision.reasons, at: ev.at };
      const linkKey = this.key('links', of.uri);
      m.rpush(linkKey, JSON.stringify(link)).ltrim(linkKey, -500, -1).expire(linkKey, this.ttl);
    }
    await m.exec();
    return true;
  }

  /** The most recent events, newest first. */
  async recentEvents(limit: number): Promise<StoryEvent[]> {
    const raw = await this.redis.lrange(this.key('recent'), 0, Math.max(0, limit - 1));
    return raw.flatMap((r) => {
      const p = StoryEvent.safeParse(JSON.parse(r));
      return p.success ? [p.data] : [];
    });
  }

  /** The latest stories, newest first: one entry per story (its most recent event). */
  async recentStories(limit: number): Promise<StoryEvent[]> {
    const events = await this.recentEvents(Math.min(this.opts.maxRecent, limit * 5));
    const seen = new Set<string>();
    const out: StoryEvent[] = [];
    for (const ev of events) {
      if (seen.has(ev.uri)) continue;
      seen.add(ev.uri);
      out.push(ev);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** A story's events and links, or undefined when the index never saw it. */
  async get(uri: string): Promise<IndexedStory | undefined> {
    const [events, links] = await Promise.all([
      this.redis.lrange(this.key('story', uri), 0, -1),
      this.redis.lrange(this.key('links', uri), 0, -1),
    ]);
    if (events.length === 0 && links.length === 0) return undefined;
    return {
      uri,
      events: events.flatMap((r) => {
        const p = StoryEvent.safeParse(JSON.parse(r));
        return p.success ? [p.data] : [];
      }),
      linkedFrom: links.map((l) => JSON.parse(l) as DedupeLink),
    };
  }

  /** Decisions recorded so far, by kind. */
  async decisionCounts(): Promise<Record<string, number>> {
    const h = await this.redis.hgetall(this.key('decisions'));
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }

  /** Delete every key of this index (tests). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.opts.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await this.redis.unlink(...keys);
    } while (cursor !== '0');
  }
}
