import pMap from 'p-map';
import type { Logger } from '@wire/observability';
import { RawWireMessage, payloadBytes, shortHash, type ArchivedBytes, type ByteRange, type DeadLetter, type MediaRetryJob, type StoryEvent } from '@wire/queues';
import { WireError, type CanonicalStory, type Decision, type DecisionKind, type Result } from '@wire/schema';
import type { MediaProcessor, MediaStore } from '@wire/media';
import { IngestError, IngestErrorCodes } from './errors';
import { canonicalPackKey, deadLetterSegmentKey, rawSegmentKey } from './keys';
import { buildCanonicalPack, buildRawSegment, type RawSegmentEntry } from './packs';
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
  /** Offset of the input message the record comes from (so a refused record names its message). */
  origin?: string;
}

/**
 * The consumer's finding on one message that failed on its own (see recovery.ts): the message
 * is dead-lettered with it instead of being worked on again.
 */
export interface Verdict {
  code: string;
  reason: string;
  /** Times the message was tried before the finding. */
  attempts: number;
  /** SHA-256 of the message's Kafka value: a verdict only applies to those very bytes. */
  sha256?: string;
}

/** Size limits checked before anything is produced (see config.ts). */
export interface IngestLimits {
  /** Largest Kafka record value taken; larger ones are dead-lettered unread. */
  maxRawBytes?: number;
  /** Largest record produced (key + value + headers); a message that would produce a larger one is dead-lettered. */
  maxRecordBytes?: number;
}

/** What `prepareChunk` needs beside the messages. */
export interface PrepareOptions {
  /** Messages (by offset) already found to fail on their own: dead-lettered without being worked on. */
  verdicts?: ReadonlyMap<string, Verdict>;
  /** The chunk's attempt, counted in the dead letters of messages refused on sight (default 1). */
  attempt?: number;
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
  limits?: IngestLimits;
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

type Dead = {
  kind: 'dead';
  msg: InboundMessage;
  error: WireError;
  attempts: number;
  /** The envelope, when it decoded (names the source and time in the dead-letter archive). */
  envelope?: RawWireMessage;
  /** Where the message's Kafka value was archived (set once the dead-letter segment is written). */
  raw?: ArchivedBytes;
};
type Prepared =
  | Dead
  | {
      kind: 'stories';
      msg: InboundMessage;
      envelope: RawWireMessage;
      /** The raw segment holding the message's bytes. */
      rawKey: string;
      stories: CanonicalStory[];
      /** Each story's canonical JSON (what `stories.canonical` and the pack carry). */
      json: string[];
      retry: Array<MediaRetryJob[]>;
    };

/** A chunk after archive, normalize and media; opaque to callers. */
export interface PreparedChunk {
  readonly prepared: Prepared[];
}

/** Content types of the objects ingest writes per chunk. */
export const RAW_SEGMENT_CONTENT_TYPE = 'application/vnd.wire.raw-segment';
export const CANONICAL_PACK_CONTENT_TYPE = 'application/x-ndjson';
/**
 * `contentType` of the entries of a dead-letter segment: their bytes are the Kafka record value
 * exactly as consumed (the envelope), not the document inside it.
 */
export const RAW_KAFKA_VALUE_CONTENT_TYPE = 'application/vnd.wire.kafka-value';

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

/**
 * The content a resend claim is taken on. The content hash covers headline and body only, so a
 * kill that repeats the text of the version it cancels (`wire publish --pub-status canceled
 * v1.xml`, no version) would find that version's claim and pass for its re-send: a kill claims
 * apart.
 */
function claimHash(story: CanonicalStory): string {
  return story.pubStatus === 'canceled' ? `${story.contentHash}:canceled` : story.contentHash;
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

  const maxRawBytes = deps.limits?.maxRawBytes ?? Number.POSITIVE_INFINITY;
  const maxRecordBytes = deps.limits?.maxRecordBytes ?? Number.POSITIVE_INFINITY;
  /**
   * Bytes a record may take beyond its canonical JSON and key: headers, and — for the story's
   * `stories.events` record, which repeats the headline and uri — the decision and event fields.
   */
  const RECORD_ROOM = 4096;

  function deadLetter(d: Dead): OutRecord {
    const { msg, error } = d;
    if (!d.raw) throw new Error(`dead letter for ${msg.topic}:${msg.partition}:${msg.offset} has no archived bytes`);
    const record: DeadLetter = {
      id: `dl_${shortHash(`${msg.topic}:${msg.partition}:${msg.offset}`)}`,
      code: error.code,
      reason: error.message,
      at: now().toISOString(),
      origin: { topic: msg.topic, partition: msg.partition, offset: msg.offset, key: msg.key?.toString('utf8') ?? null },
      raw: d.raw,
      bytes: msg.value?.length ?? 0,
      attempts: d.attempts,
    };
    return { topic: deps.topics.dlq, key: record.id, value: JSON.stringify(record), headers: { 'wire-error-code': error.code }, origin: msg.offset };
  }

  /** Decode the envelope; a message that is not one (or is too large to read) becomes a dead letter. */
  function decode(msg: InboundMessage, attempt: number): Dead | { kind: 'ok'; msg: InboundMessage; envelope: RawWireMessage; bytes: Buffer } {
    const dead = (error: WireError): Dead => ({ kind: 'dead', msg, error, attempts: attempt });
    const size = msg.value?.length ?? 0;
    if (size > maxRawBytes) return dead(new IngestError(IngestErrorCodes.RAW_TOO_LARGE, `message: ${size} bytes, over INGEST_MAX_RAW_BYTES (${maxRawBytes})`, { bytes: size, limit: maxRawBytes }));
    try {
      const parsed = RawWireMessage.safeParse(JSON.parse((msg.value ?? Buffer.alloc(0)).toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.map(String).join('.') || '(root)';
        return dead(new IngestError(IngestErrorCodes.BAD_ENVELOPE, `envelope ${where}: ${issue?.message ?? 'invalid'}`));
      }
      return { kind: 'ok', msg, envelope: parsed.data, bytes: payloadBytes(parsed.data) };
    } catch (err) {
      return dead(new IngestError(IngestErrorCodes.BAD_ENVELOPE, `envelope: not JSON (${(err as Error).message})`));
    }
  }

  /**
   * Archive the Kafka values of a chunk's dead messages as one dead-letter segment (the raw
   * segment format, the bytes exactly as consumed) and note each one's place in it: the dead
   * letter references them instead of carrying them, so a message of any size can be kept.
   */
  async function archiveDead(dead: Dead[]): Promise<void> {
    if (dead.length === 0) return;
    const segment = buildRawSegment(
      dead.map((d) => ({
        source: d.envelope?.source ?? '',
        receivedAt: d.envelope?.receivedAt ?? '',
        contentType: RAW_KAFKA_VALUE_CONTENT_TYPE,
        topic: d.msg.topic,
        partition: d.msg.partition,
        kafkaOffset: d.msg.offset,
        bytes: d.msg.value ?? Buffer.alloc(0),
      })),
    );
    const key = deadLetterSegmentKey(now().toISOString(), segment.sha256, prefix);
    await deps.store.put(key, segment.body, { contentType: RAW_SEGMENT_CONTENT_TYPE, sha256: segment.sha256 });
    dead.forEach((d, i) => {
      const e = segment.entries[i] as RawSegmentEntry;
      d.raw = { key, offset: e.offset, length: e.length, sha256: e.sha256 };
    });
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
    const origin = { topic: msg.topic, partition: msg.partition, offset: msg.offset };
    if ('crashed' in outcome) {
      // normalize promises never to throw; if it does, the input reliably triggers a bug there,
      // so retrying would loop forever: dead-letter it with the message and move on.
      log.error({ err: { message: outcome.crashed }, origin }, 'normalizer threw');
      return { ok: false, error: new IngestError(IngestErrorCodes.NORMALIZER_CRASHED, `normalize threw: ${outcome.crashed}`) };
    }
    if ('budget' in outcome) {
      const code = { time: IngestErrorCodes.NORMALIZE_TIMEOUT, memory: IngestErrorCodes.NORMALIZE_MEMORY, died: IngestErrorCodes.NORMALIZE_THREAD_DIED }[outcome.budget];
      deps.metrics?.normalizeBudgets.inc({ budget: outcome.budget });
      return { ok: false, error: new IngestError(code, `normalize: ${outcome.detail} (${envelope.contentType ?? 'no content type'}, ${msg.value?.length ?? 0} bytes from ${envelope.source})`) };
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

  /**
   * Each story's canonical JSON, or the error that dead-letters the message when one of its
   * records would be over `maxRecordBytes`: checked here, before the story is decided or routed,
   * so nothing of it goes out (the broker would refuse the record and abort the transaction).
   */
  function canonicalJson(stories: CanonicalStory[]): Result<string[], WireError> {
    const out: string[] = [];
    for (const story of stories) {
      let json: string;
      try {
        json = JSON.stringify(story);
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        return { ok: false, error: new IngestError(IngestErrorCodes.RECORD_TOO_LARGE, `story ${story.uri}: canonical JSON too large to build (${err.message})`) };
      }
      const size = Buffer.byteLength(json) + Buffer.byteLength(story.uri) + RECORD_ROOM;
      if (size > maxRecordBytes) {
        return {
          ok: false,
          error: new IngestError(IngestErrorCodes.RECORD_TOO_LARGE, `story ${story.uri}: canonical record of ${size} bytes, over INGEST_MAX_RECORD_BYTES (${maxRecordBytes})`, { bytes: size, limit: maxRecordBytes }),
        };
      }
      out.push(json);
    }
    return { ok: true, value: out };
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
      // Dropped: left out by the per-story caps, or failed for good (kept without a stored copy, no retry).
      deps.metrics?.images.inc({ outcome: 'dropped' }, media.dropped + media.images.filter((i) => !i.key).length - media.retry.length);
      out.push({ ...story, images: media.images, warnings: [...story.warnings, ...media.warnings] });
      retry.push(media.retry.map((r) => ({ storyUri: story.uri, version: story.version, imageIndex: r.index, sourceUrl: r.sourceUrl })));
    }
    return { stories: out, retry };
  }

  /**
   * Archive, normalize and store the media of a chunk. The raw bytes of every decoded message
   * go to S3 as one segment object (one PUT per chunk, not per message); normalizing runs while
   * the PUT is in flight, and the chunk is only ready once the segment is durable, so nothing is
   * committed before its bytes are archived. The Kafka values of the messages that will be
   * dead-lettered go to a dead-letter segment (one more PUT, only for chunks that have some).
   */
  async function prepareChunk(messages: readonly InboundMessage[], opts: PrepareOptions = {}): Promise<PreparedChunk> {
    const attempt = opts.attempt ?? 1;
    const decoded = messages.map((msg): ReturnType<typeof decode> => {
      const verdict = opts.verdicts?.get(msg.offset);
      const d = decode(msg, attempt);
      if (!verdict) return d;
      return { kind: 'dead', msg, error: new WireError(verdict.code, verdict.reason), attempts: verdict.attempts, envelope: d.kind === 'ok' ? d.envelope : undefined };
    });
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
      const prepared = await pMap(normalized, async (d): Promise<Prepared> => {
        if (d.kind === 'dead') return d;
        const dead = (error: WireError): Dead => ({ kind: 'dead', msg: d.msg, error, attempts: attempt, envelope: d.envelope });
        if (!d.result.ok) return dead(d.result.error);
        const media = await withMedia(d.result.value);
        const json = canonicalJson(media.stories);
        if (!json.ok) return dead(json.error);
        return { kind: 'stories', msg: d.msg, envelope: d.envelope, rawKey: segmentKey, stories: media.stories, json: json.value, retry: media.retry };
      }, { concurrency });
      await Promise.all([archive, archiveDead(prepared.filter((p): p is Dead => p.kind === 'dead'))]);
      return { prepared };
    } finally {
      await archive.catch(() => undefined);
    }
  }

  type Item = { p: Extract<Prepared, { kind: 'stories' }>; story: CanonicalStory; json: string; retry: MediaRetryJob[]; owner: string; decision?: Decision };

  /**
   * A story the engine publishes under another version than its own (a kill at or below the
   * latest version becomes latest + 1, `Decision.version`) takes that version before anything
   * goes out: its canonical JSON is rendered again (and checked against the record size limit
   * again: over it, the message is convicted and dead-lettered), so the pack, the routes, job and
   * webhook ids, the records and the event all carry the published version.
   */
  function renumber(it: Item): void {
    const version = it.decision?.version;
    if (version === undefined || version === it.story.version) return;
    it.story = { ...it.story, version };
    const json = canonicalJson([it.story]);
    if (!json.ok) throw new IngestError(IngestErrorCodes.RECORD_TOO_LARGE, json.error.message, { ...json.error.details, offset: it.p.msg.offset });
    it.json = json.value[0] as string;
    it.retry = it.retry.map((job) => ({ ...job, version }));
  }

  /** Steps after preparation, for a chunk prepared by `prepareChunk`, in offset order. */
  async function finishChunk(chunk: PreparedChunk): Promise<ChunkOutcome> {
    const prepared = chunk.prepared;
    // Dedupe in partition order: near-duplicate decisions depend on what came first.
    const items: Item[] = [];
    for (const p of prepared) {
      if (p.kind !== 'stories') continue;
      p.stories.forEach((story, i) => items.push({ p, story, json: p.json[i] as string, retry: p.retry[i] ?? [], owner: `${p.msg.topic}:${p.msg.partition}:${p.msg.offset}:${i}` }));
    }
    await inTurn(async () => {
      const endDedupe = timer('dedupe');
      const owners = await deps.claims.claim(items.map((it) => ({ key: deps.claims.key(it.story.uri, it.story.version, claimHash(it.story)), owner: it.owner })));
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
    for (const it of items) renumber(it);

    const published = items.filter((it) => it.decision && PUBLISHED.has(it.decision.kind));
    // One canonical pack per chunk (one PUT), each version at its own byte range.
    const where = new Map<Item, { key: string; range: ByteRange }>();
    if (published.length > 0) {
      const endCanonical = timer('canonical');
      const pack = buildCanonicalPack(published.map((it) => it.json));
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
        records.push(deadLetter(p));
        outcome.deadLetters++;
        deps.metrics?.deadLetters.inc({ code: p.error.code });
        deps.metrics?.messages.inc({ outcome: 'dead_letter' });
        log.warn({ code: p.error.code, reason: p.error.message, attempts: p.attempts, raw: p.raw?.key, origin: { topic: p.msg.topic, partition: p.msg.partition, offset: p.msg.offset } }, 'message dead-lettered');
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
            value: it.json,
            headers: { 'wire-version': String(story.version), 'wire-decision': decision.kind, 'content-type': 'application/json' },
            origin: p.msg.offset,
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
        records.push({ topic: deps.topics.events, key: story.uri, value: JSON.stringify(event), headers: { 'wire-event': event.type }, origin: p.msg.offset });
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
    async processChunk(messages: readonly InboundMessage[], opts?: PrepareOptions): Promise<ChunkOutcome> {
      return finishChunk(await prepareChunk(messages, opts));
    },
  };
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
