import type { Logger } from '@wire/observability';
import { RawWireMessage, payloadBytes, shortHash, type ByteRange, type DeadLetter, type MediaRetryJob, type StoryEvent } from '@wire/queues';
import { WireError, type CanonicalStory, type Decision, type DecisionKind, type Result } from '@wire/schema';
import type { MediaProcessor, MediaStore } from '@wire/media';
import { IngestError, IngestErrorCodes } from './errors';
import { canonicalPackKey, rawSegmentKey } from './keys';
import { buildCanonicalPack, buildRawSegment } from './packs';
import type { IngestMetrics } from './metrics';
import type { ResendClaims } from './claims';
import { normalizeOutcome, type NormalizeOutcome, type NormalizePool } from './normalize-pool';
import type { DecideItem, Decider, MediaRetryQueue, NormalizeFn, NormalizeOptions, Router } from './ports';

/** A Kafka message as the pipeline sees it. */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** A record to produce (inside the consumer's transaction). */
export interface OutRecord {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface IngestTopics {
  canonical: string;
  events: string;
  dlq: string;
}

export interface PipelineDeps {
  log: Logger;
  /** S3 (raw archive segments and canonical packs, one of each per chunk). */
  store: MediaStore;
  media: MediaProcessor;
  normalize: NormalizeFn;
  /** Most stories per dedupe engine call (default 500); halved while the engine reports contention. */
  maxDecideBatch?: number;
  /** Worker threads that normalize instead of `normalize` on this thread (see createNormalizePool). */
  normalizePool?: Pick<NormalizePool, 'normalizeMany'>;
  decider: Decider;
  /** Tells re-sends from replays (`ResendClaims` on Redis). */
  claims: Pick<ResendClaims, 'key' | 'claim'>;
  router: Router;
  mediaRetry: MediaRetryQueue;
  topics: IngestTopics;
  /** Prepended to every S3 key. */
  keyPrefix?: string;
  /** Messages whose images are stored at once. */
  concurrency?: number;
  metrics?: IngestMetrics;
  now?: () => Date;
}

/** What a chunk of messages produced, for the consumer to publish and commit atomically. */
export interface ChunkOutcome {
  records: OutRecord[];
  stories: number;
  deadLetters: number;
  decisions: Array<{ uri: string; version: number; kind: DecisionKind; owner: string }>;
  jobIds: string[];
}

type Prepared =
  | { kind: 'dead'; msg: InboundMessage; error: WireError }
  | { kind: 'stories'; msg: InboundMessage; envelope: RawWireMessage; /** The raw segment holding the message's bytes. */ rawKey: string; stories: CanonicalStory[]; retry: Array<MediaRetryJob[]> };

/** A chunk after archive, normalize and media; opaque to callers. */
export interface PreparedChunk {
  readonly prepared: Prepared[];
}

/** Content types of the objects ingest writes per chunk. */
export const RAW_SEGMENT_CONTENT_TYPE = 'application/vnd.wire.raw-segment';
export const CANONICAL_PACK_CONTENT_TYPE = 'application/x-ndjson';

/** Decisions that let a version out to `stories.canonical` and partners. */
const PUBLISHED: ReadonlySet<DecisionKind> = new Set(['new', 'update', 'correction', 'kill']);

const EVENT_TYPE: Record<DecisionKind, StoryEvent['type']> = {
  new: 'story.new',
  update: 'story.updated',
  correction: 'story.corrected',
  kill: 'story.killed',
  duplicate: 'story.duplicate',
  stale: 'story.stale',
};

/** Run `fn` over `items` with at most `limit` at once; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

/**
 * The per-message steps of ingest, for a chunk of one partition's messages in offset order:
 * archive (one raw segment per chunk) → normalize → media, dedupe (in order), canonical pack (one
 * per chunk) → routes. Every step is idempotent (content-addressed keys, recorded decisions,
 * deterministic job ids), so the
 * consumer can re-run a chunk after any failure or crash. Messages that can never succeed become
 * dead-letter records; infrastructure failures are thrown for the consumer to retry.
 */
export function createIngestPipeline(deps: PipelineDeps) {
  const prefix = deps.keyPrefix ?? '';
  const concurrency = deps.concurrency ?? 16;
  const now = deps.now ?? (() => new Date());
  const log = deps.log;
  // Chunks of different partitions run at once; their dedupe steps take turns. Optimistic
  // commits in the engine would otherwise conflict with each other and redo whole rounds.
  let dedupeTurn: Promise<unknown> = Promise.resolve();
  function inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = dedupeTurn.then(fn);
    dedupeTurn = run.catch(() => undefined);
    return run;
  }

  /**
   * Decide in order, at most `maxDecideBatch` stories per engine call. The engine settles
   * conflicts within a batch itself and gives up (WIRE_ERR_DEDUPE_CONTENTION) only after rounds
   * in which other writers kept winning; the rest is then decided in halves, smaller batches
   * meeting fewer of them. Safe to redo: decisions already committed are recorded and repeated.
   */
  async function decideInSlices(items: DecideItem[]): Promise<Decision[]> {
    const out: Decision[] = [];
    let size = Math.max(1, deps.maxDecideBatch ?? 500);
    for (let i = 0; i < items.length; ) {
      const slice = items.slice(i, i + size);
      try {
        out.push(...(await deps.decider.decideMany(slice)));
        i += slice.length;
      } catch (err) {
        if ((err as { code?: string }).code !== 'WIRE_ERR_DEDUPE_CONTENTION' || slice.length === 1) throw err;
        size = Math.ceil(slice.length / 2);
        log.warn({ code: 'WIRE_ERR_DEDUPE_CONTENTION', stories: slice.length, next: size }, 'dedupe batch kept conflicting; deciding it in halves');
      }
    }
    return out;
  }

  function timer(step: string) {
    return deps.metrics?.stepSeconds.startTimer({ step }) ?? (() => 0);
  }

  function deadLetter(msg: InboundMessage, error: WireError): OutRecord {
    const record: DeadLetter = {
      id: `dl_${shortHash(`${msg.topic}:${msg.partition}:${msg.offset}`)}`,
      code: error.code,
      reason: error.message,
      at: now().toISOString(),
      origin: { topic: msg.topic, partition: msg.partition, offset: msg.offset, key: msg.key?.toString('utf8') ?? null },
      value: (msg.value ?? Buffer.alloc(0)).toString('base64'),
    };
    return { topic: deps.topics.dlq, key: record.id, value: JSON.stringify(record), headers: { 'wire-error-code': error.code } };
  }

  /** Decode the envelope; a message that is not one becomes a dead letter. */
  function decode(msg: InboundMessage): { kind: 'dead'; msg: InboundMessage; error: WireError } | { kind: 'ok'; msg: InboundMessage; envelope: RawWireMessage; bytes: Buffer } {
    try {
      const parsed = RawWireMessage.safeParse(JSON.parse((msg.value ?? Buffer.alloc(0)).toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.map(String).join('.') || '(root)';
        return { kind: 'dead', msg, error: new IngestError(IngestErrorCodes.BAD_ENVELOPE, `envelope ${where}: ${issue?.message ?? 'invalid'}`) };
      }
      return { kind: 'ok', msg, envelope: parsed.data, bytes: payloadBytes(parsed.data) };
    } catch (err) {
      return { kind: 'dead', msg, error: new IngestError(IngestErrorCodes.BAD_ENVELOPE, `envelope: not JSON (${(err as Error).message})`) };
    }
  }

  function normalizeOptions(envelope: RawWireMessage): NormalizeOptions {
    return {
      source: envelope.source,
      guid: envelope.guid,
      version: envelope.version,
      pubStatus: envelope.pubStatus,
      contentType: envelope.contentType,
      filename: envelope.filename,
      receivedAt: envelope.receivedAt,
    };
  }

  /** A normalize outcome as stories, or the error that dead-letters the message. */
  function storiesOf(msg: InboundMessage, envelope: RawWireMessage, outcome: NormalizeOutcome): Result<CanonicalStory[], WireError> {
    deps.metrics?.stepSeconds.observe({ step: 'normalize' }, outcome.ms / 1000);
    if ('crashed' in outcome) {
      // normalize promises never to throw; if it does, the input reliably triggers a bug there,
      // so retrying would loop forever: dead-letter it with the message and move on.
      log.error({ err: { message: outcome.crashed }, origin: { topic: msg.topic, partition: msg.partition, offset: msg.offset } }, 'normalizer threw');
      return { ok: false, error: new IngestError(IngestErrorCodes.NORMALIZER_CRASHED, `normalize threw: ${outcome.crashed}`) };
    }
    if (!outcome.ok) {
      const e = outcome.error;
      return { ok: false, error: e instanceof WireError ? e : new WireError(e.code, e.message, e.details) };
    }
    if (outcome.value.length === 0) {
      return { ok: false, error: new IngestError(IngestErrorCodes.NO_STORIES, `document from ${envelope.source}: no story found`) };
    }
    return { ok: true, value: outcome.value };
  }

  /** Store the images of a message's stories (stories without images pass through). */
  async function withMedia(stories: CanonicalStory[]): Promise<{ stories: CanonicalStory[]; retry: Array<MediaRetryJob[]> }> {
    const out: CanonicalStory[] = [];
    const retry: Array<MediaRetryJob[]> = [];
    for (const story of stories) {
      if (story.images.length === 0) {
        out.push(story);
        retry.push([]);
        continue;
      }
      const endMedia = timer('media');
      const media = await deps.media.processImages(story.images);
      endMedia();
      deps.metrics?.images.inc({ outcome: 'stored' }, media.stored);
      deps.metrics?.images.inc({ outcome: 'reused' }, media.reused);
      deps.metrics?.images.inc({ outcome: 'deferred' }, media.retry.length);
      deps.metrics?.images.inc({ outcome: 'dropped' }, media.warnings.length - media.retry.length);
      out.push({ ...story, images: media.images, warnings: [...story.warnings, ...media.warnings] });
      retry.push(media.retry.map((r) => ({ storyUri: story.uri, version: story.version, imageIndex: r.index, sourceUrl: r.sourceUrl })));
    }
    return { stories: out, retry };
  }

  /**
   * Archive, normalize and store the media of a chunk. The raw bytes of every decoded message
   * go to S3 as one segment object (one PUT per chunk, not per message); normalizing runs while
   * the PUT is in flight, and the chunk is only ready once the segment is durable, so nothing is
   * committed before its bytes are archived.
   */
  async function prepareChunk(messages: readonly InboundMessage[]): Promise<PreparedChunk> {
    const decoded = messages.map(decode);
    const archived = decoded.filter((d) => d.kind === 'ok');
    let archive: Promise<void> = Promise.resolve();
    let segmentKey = '';
    if (archived.length > 0) {
      const endArchive = timer('archive');
      const segment = buildRawSegment(
        archived.map((d) => ({
          source: d.envelope.source,
          receivedAt: d.envelope.receivedAt,
          contentType: d.envelope.contentType,
          topic: d.msg.topic,
          partition: d.msg.partition,
          kafkaOffset: d.msg.offset,
          bytes: d.bytes,
        })),
      );
      segmentKey = rawSegmentKey((archived[0] as { envelope: RawWireMessage }).envelope.receivedAt, segment.sha256, prefix);
      archive = deps.store.put(segmentKey, segment.body, { contentType: RAW_SEGMENT_CONTENT_TYPE, sha256: segment.sha256 }).then(() => void endArchive());
      archive.catch(() => undefined); // awaited below, after normalizing
    }
    try {
      const outcomes = deps.normalizePool
        ? await deps.normalizePool.normalizeMany(archived.map((d) => ({ bytes: d.bytes, opts: normalizeOptions(d.envelope) })))
        : archived.map((d) => normalizeOutcome(deps.normalize, d.bytes, normalizeOptions(d.envelope)));
      let n = 0;
      const normalized = decoded.map((d) => (d.kind === 'dead' ? d : { ...d, result: storiesOf(d.msg, d.envelope, outcomes[n++] as NormalizeOutcome) }));
      const prepared = await mapLimit(normalized, concurrency, async (d): Promise<Prepared> => {
        if (d.kind === 'dead') return d;
        if (!d.result.ok) return { kind: 'dead', msg: d.msg, error: d.result.error };
        const media = await withMedia(d.result.value);
        return { kind: 'stories', msg: d.msg, envelope: d.envelope, rawKey: segmentKey, stories: media.stories, retry: media.retry };
      });
      await archive;
      return { prepared };
    } finally {
      await archive.catch(() => undefined);
    }
  }

  /** Steps after preparation, for a chunk prepared by `prepareChunk`, in offset order. */
  async function finishChunk(chunk: PreparedChunk): Promise<ChunkOutcome> {
    const prepared = chunk.prepared;
    // Dedupe in partition order: near-duplicate decisions depend on what came first.
    type Item = { p: Extract<Prepared, { kind: 'stories' }>; story: CanonicalStory; retry: MediaRetryJob[]; owner: string; decision?: Decision };
    const items: Item[] = [];
    for (const p of prepared) {
      if (p.kind !== 'stories') continue;
      p.stories.forEach((story, i) => items.push({ p, story, retry: p.retry[i] ?? [], owner: `${p.msg.topic}:${p.msg.partition}:${p.msg.offset}:${i}` }));
    }
    await inTurn(async () => {
      const endDedupe = timer('dedupe');
      const owners = await deps.claims.claim(items.map((it) => ({ key: deps.claims.key(it.story.uri, it.story.version, it.story.contentHash), owner: it.owner })));
      const toDecide: Item[] = [];
      items.forEach((it, n) => {
        const owner = owners[n];
        if (owner !== it.owner) {
          it.decision = {
            kind: 'duplicate',
            of: { uri: it.story.uri, version: it.story.version },
            scores: {},
            reasons: [`re-sent: same source, guid, version and content as ${owner}`],
          };
        } else {
          toDecide.push(it);
        }
      });
      const decisions = await decideInSlices(toDecide.map((it) => ({ story: it.story, receivedAt: it.p.envelope.receivedAt })));
      toDecide.forEach((it, n) => {
        it.decision = decisions[n];
      });
      endDedupe();
    });

    const published = items.filter((it) => it.decision && PUBLISHED.has(it.decision.kind));
    // One canonical pack per chunk (one PUT), each version at its own byte range.
    const where = new Map<Item, { key: string; range: ByteRange }>();
    const json = new Map<Item, string>(published.map((it) => [it, JSON.stringify(it.story)]));
    if (published.length > 0) {
      const endCanonical = timer('canonical');
      const pack = buildCanonicalPack(published.map((it) => json.get(it) as string));
      const key = canonicalPackKey(published[0]?.p.envelope.receivedAt ?? '', pack.sha256, prefix);
      await deps.store.put(key, pack.body, { contentType: CANONICAL_PACK_CONTENT_TYPE, sha256: pack.sha256 });
      published.forEach((it, n) => where.set(it, { key, range: pack.ranges[n] as ByteRange }));
      endCanonical();
    }

    // Duplicates of another story still reach partners that take every agency's copy.
    const routable = items.filter((it) => {
      const d = it.decision as Decision;
      return PUBLISHED.has(d.kind) || (d.kind === 'duplicate' && d.of !== null && d.of.uri !== it.story.uri);
    });
    const endRoute = timer('route');
    const routed = await deps.router.route(routable.map((it) => ({ story: it.story, decision: it.decision as Decision, receivedAt: it.p.envelope.receivedAt })));
    const retryJobs = published.flatMap((it) => it.retry.map((job) => ({ ...job, canonicalKey: where.get(it)?.key, canonicalRange: where.get(it)?.range })));
    if (retryJobs.length > 0) await deps.mediaRetry.enqueue(retryJobs);
    endRoute();
    deps.metrics?.jobs.inc(routed.jobIds.length + retryJobs.length);

    // Records in offset order, so a story's versions reach the canonical topic in order.
    const at = now().toISOString();
    const records: OutRecord[] = [];
    const outcome: ChunkOutcome = { records, stories: items.length, deadLetters: 0, decisions: [], jobIds: routed.jobIds };
    let itemIndex = 0;
    for (const p of prepared) {
      if (p.kind === 'dead') {
        records.push(deadLetter(p.msg, p.error));
        outcome.deadLetters++;
        deps.metrics?.deadLetters.inc({ code: p.error.code });
        deps.metrics?.messages.inc({ outcome: 'dead_letter' });
        log.warn({ code: p.error.code, reason: p.error.message, origin: { topic: p.msg.topic, partition: p.msg.partition, offset: p.msg.offset } }, 'message dead-lettered');
        continue;
      }
      deps.metrics?.messages.inc({ outcome: 'stored' });
      for (let i = 0; i < p.stories.length; i++) {
        const it = items[itemIndex++] as Item;
        const decision = it.decision as Decision;
        const story = it.story;
        const isPublished = PUBLISHED.has(decision.kind);
        deps.metrics?.stories.inc();
        deps.metrics?.decisions.inc({ kind: decision.kind });
        outcome.decisions.push({ uri: story.uri, version: story.version, kind: decision.kind, owner: it.owner });
        if (isPublished) {
          records.push({
            topic: deps.topics.canonical,
            key: story.uri,
            value: json.get(it) ?? JSON.stringify(story),
            headers: { 'wire-version': String(story.version), 'wire-decision': decision.kind, 'content-type': 'application/json' },
          });
        }
        const event: StoryEvent = {
          type: EVENT_TYPE[decision.kind],
          uri: story.uri,
          version: story.version,
          source: story.source,
          headline: story.headline,
          language: story.language,
          decision,
          canonicalKey: where.get(it)?.key,
          canonicalRange: where.get(it)?.range,
          receivedAt: p.envelope.receivedAt,
          at,
        };
        records.push({ topic: deps.topics.events, key: story.uri, value: JSON.stringify(event), headers: { 'wire-event': event.type } });
      }
    }
    return outcome;
  }

  return {
    /**
     * Archive, normalize and store the media of a chunk's messages (concurrently). Needs nothing
     * from earlier chunks, so the consumer prepares the next chunk while finishing this one.
     */
    prepareChunk,
    /** Dedupe (in order), canonical JSON, routes, records: see {@link createIngestPipeline}. */
    finishChunk,
    /**
     * Run every step but the Kafka publish and commit for `messages` (one partition, offset
     * order). Throws on infrastructure failure; the caller retries the whole chunk.
     */
    async processChunk(messages: readonly InboundMessage[]): Promise<ChunkOutcome> {
      return finishChunk(await prepareChunk(messages));
    },
  };
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
