/**
 * @wire/queues — the one place producers and consumers share: Kafka topic names, BullMQ queue
 * names, message and job payload schemas, deterministic job ids.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CanonicalStory, Decision, PubStatus } from '@wire/schema';

/** Kafka topics. `stories.canonical` is compacted (key = story uri). */
export const Topics = {
  raw: 'wire.raw',
  dlq: 'wire.dlq',
  canonical: 'stories.canonical',
  events: 'stories.events',
} as const;
export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Topic settings `wire infra up` and the services create them with. */
export const TopicConfigs: Record<TopicName, Record<string, string>> = {
  'wire.raw': {},
  'wire.dlq': {},
  'stories.canonical': { 'cleanup.policy': 'compact' },
  'stories.events': {},
};

/** BullMQ queue names (no ':' allowed by BullMQ). */
export const Queues = {
  deliver: 'deliver',
  translate: 'translate',
  mediaRetry: 'media-retry',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

/** The envelope every agency message travels in on `wire.raw` (key = `source:guid`). */
export const RawWireMessage = z.object({
  source: z.string().min(1),
  receivedAt: z.string().datetime({ offset: true }),
  guid: z.string().min(1).optional(),
  version: z.number().int().positive().optional(),
  pubStatus: PubStatus.optional(),
  contentType: z.string().optional(),
  filename: z.string().optional(),
  /** The document itself, as text (`utf8`) or raw bytes (`base64`). */
  payload: z.string(),
  payloadEncoding: z.enum(['utf8', 'base64']).default('utf8'),
  headers: z.record(z.string(), z.string()).default({}),
});
export type RawWireMessage = z.infer<typeof RawWireMessage>;
export type RawWireMessageInput = z.input<typeof RawWireMessage>;

/** The bytes of the document an envelope carries. */
export function payloadBytes(msg: RawWireMessage): Buffer {
  return msg.payloadEncoding === 'base64' ? Buffer.from(msg.payload, 'base64') : Buffer.from(msg.payload, 'utf8');
}

/**
 * Where an archived message's bytes sit in S3: one entry of a raw segment (`key`, and the
 * `offset`/`length` of its bytes, read with one Range GET), with their SHA-256 to check them by.
 */
export const ArchivedBytes = z.object({
  key: z.string().min(1),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ArchivedBytes = z.infer<typeof ArchivedBytes>;

/**
 * A message that can never succeed, kept on `wire.dlq` with its reason. Its original Kafka value
 * is archived in S3 and referenced by `raw` (so a message of any size can be dead-lettered);
 * dead letters written before that carry the value inline (`value`, base64) and stay readable.
 */
export const DeadLetter = z
  .object({
    id: z.string(),
    code: z.string(),
    reason: z.string(),
    at: z.string(),
    origin: z.object({ topic: z.string(), partition: z.number().int(), offset: z.string(), key: z.string().nullable() }),
    /** The original Kafka record value, byte for byte, in the S3 archive (a dead-letter segment). */
    raw: ArchivedBytes.optional(),
    /** Size of the original value in bytes. */
    bytes: z.number().int().nonnegative().optional(),
    /** Times ingest tried the message before giving up on it (1 for input refused on sight). */
    attempts: z.number().int().positive().optional(),
    /** Original message value, base64 (dead letters written before `raw` existed). */
    value: z.string().optional(),
  })
  .refine((d) => d.raw !== undefined || d.value !== undefined, { message: 'a dead letter needs `raw` (S3 reference) or `value` (inline bytes)' });
export type DeadLetter = z.infer<typeof DeadLetter>;

/**
 * Bytes `[offset, offset + length)` of an S3 object: where one story version sits inside a
 * canonical pack (many versions in one object), read with a Range GET.
 */
export const ByteRange = z.object({ offset: z.number().int().nonnegative(), length: z.number().int().positive() });
export type ByteRange = z.infer<typeof ByteRange>;

/** Webhook event types (CONTRACTS.md, "Webhooks to partners"). */
export const WebhookEventType = z.enum(['story.published', 'story.updated', 'story.corrected', 'story.killed']);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** Events on `stories.events`, one per decision (key = story uri). */
export const StoryEvent = z.object({
  type: z.enum(['story.new', 'story.updated', 'story.corrected', 'story.killed', 'story.duplicate', 'story.stale']),
  uri: z.string(),
  version: z.number().int(),
  source: z.string(),
  headline: z.string(),
  language: z.string().optional(),
  decision: Decision,
  /**
   * S3 key of the object holding this version's canonical JSON: a canonical pack, with
   * `canonicalRange` the bytes of this version in it; without a range the whole object is it.
   */
  canonicalKey: z.string().optional(),
  canonicalRange: ByteRange.optional(),
  receivedAt: z.string().optional(),
  at: z.string(),
});
export type StoryEvent = z.infer<typeof StoryEvent>;

/** A job on the `deliver` queue: one story version to one partner. */
export const DeliverJob = z.object({
  partnerId: z.string(),
  eventType: WebhookEventType,
  storyUri: z.string(),
  version: z.number().int(),
  /** The story as it should reach the partner (translated variant where the partner asked). */
  story: CanonicalStory,
  /** When the wire message was received, for end-to-end latency. */
  receivedAt: z.string().optional(),
  /** Set when `story` is a translated variant: its language. `storyUri` stays the original's. */
  variant: z.string().optional(),
  /**
   * Set by an enqueuer that recorded the partner as a recipient of the story before adding the
   * job (routing does): the worker then need not record it again on delivery.
   */
  recipientRecorded: z.boolean().optional(),
  /**
   * Attempts made before this job existed: a delivery that failed inside a batch job is retried
   * as a job of its own, and its attempts go on counting from the batch's.
   */
  priorAttempts: z.number().int().nonnegative().optional(),
});
export type DeliverJob = z.infer<typeof DeliverJob>;

/** BullMQ job name of a batch on the `deliver` queue (a single delivery is named by its event type). */
export const DELIVER_BATCH_JOB_NAME = 'deliver.batch';

/**
 * A job on the `deliver` queue carrying several deliveries to one partner, each under the id
 * its own job would have had (`deliverJobId`): routing a chunk of stories gives each partner
 * one job for the chunk instead of one per story, so the queue's cost is paid once per batch.
 * The log, the gate and dead letters still see each delivery by its own id.
 */
export const DeliverBatchJob = z.object({
  partnerId: z.string(),
  items: z.array(DeliverJob.extend({ id: z.string() })).min(1),
});
export type DeliverBatchJob = z.infer<typeof DeliverBatchJob>;
export type DeliverBatchItem = DeliverBatchJob['items'][number];

/** The ids of the deliveries a deliver-queue job carries: its own, or its batch's. */
export function deliveryIds(jobs: ReadonlyArray<{ id?: string; name: string; data: unknown }>): string[] {
  return jobs.flatMap((j) => (j.name === DELIVER_BATCH_JOB_NAME ? (j.data as DeliverBatchJob).items.map((i) => i.id) : j.id === undefined ? [] : [j.id]));
}

/** A job on the `translate` queue: one story version into one language. */
export const TranslateJob = z.object({
  storyUri: z.string(),
  version: z.number().int(),
  targetLanguage: z.string(),
  eventType: WebhookEventType,
  story: CanonicalStory,
  /** Partners waiting for this language variant. */
  partnerIds: z.array(z.string()).default([]),
  receivedAt: z.string().optional(),
});
export type TranslateJob = z.infer<typeof TranslateJob>;

/** A job on the `media-retry` queue: fetch an image that failed at ingest, then re-publish. */
export const MediaRetryJob = z.object({
  storyUri: z.string(),
  version: z.number().int(),
  imageIndex: z.number().int().nonnegative(),
  sourceUrl: z.string(),
  /** Where the version's canonical JSON was written at ingest (as on its `stories.events` event). */
  canonicalKey: z.string().optional(),
  canonicalRange: ByteRange.optional(),
});
export type MediaRetryJob = z.infer<typeof MediaRetryJob>;

/**
 * Where the media-retry worker writes a version again once its late image is stored:
 * `canonical/{sha256(uri)}/v{version}.json` (the version's own object; packs are never rewritten).
 */
export function canonicalKey(uri: string, version: number, prefix = ''): string {
  return `${prefix}canonical/${createHash('sha256').update(uri).digest('hex').slice(0, 40)}/v${version}.json`;
}

/**
 * The key a late-filled copy of an event's version would have: `canonicalKey` under the prefix
 * of the event's pack key (`{prefix}canonical/packs/…`). Undefined when the event names no pack.
 * Readers try it before the pack range: once an image is filled in, that copy is the version.
 */
export function filledCanonicalKey(event: Pick<StoryEvent, 'uri' | 'version' | 'canonicalKey'>): string | undefined {
  const at = event.canonicalKey?.lastIndexOf('canonical/packs/') ?? -1;
  return at < 0 ? undefined : canonicalKey(event.uri, event.version, event.canonicalKey!.slice(0, at));
}

/** Short stable hash for ids that must not carry ':' (BullMQ) or be unbounded in length. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 20);
}

const STORY_HASHES_MAX = 4096;
const storyHashes = new Map<string, string>();

/**
 * `shortHash` of a story uri, remembered for the last few thousand uris: each delivery names its
 * story's keys three times (gate, log, recipients) and one story version goes to every
 * subscribed partner: without it the same sha256 is computed dozens of times per story.
 */
export function storyHash(storyUri: string): string {
  let h = storyHashes.get(storyUri);
  if (h === undefined) {
    h = shortHash(storyUri);
    if (storyHashes.size >= STORY_HASHES_MAX) storyHashes.clear();
    storyHashes.set(storyUri, h);
  }
  return h;
}

/**
 * Deterministic id of a deliver job: one per (partner, story, version, event type), plus the
 * language when the partner gets a translated variant (so original and variant do not collide).
 */
export function deliverJobId(partnerId: string, storyUri: string, version: number, eventType: WebhookEventType, variant?: string): string {
  const base = `deliver_${partnerId}_${shortHash(storyUri)}_v${version}_${eventType}`;
  return variant ? `${base}_${variant}` : base;
}

/** Deterministic id of a batch job: the same deliveries to the same partner give the same id. */
export function deliverBatchJobId(partnerId: string, itemIds: readonly string[]): string {
  return `deliver-batch_${partnerId}_${shortHash(itemIds.join('\n'))}_n${itemIds.length}`;
}

/** Deterministic id of a translate job: one per (story version, target language). */
export function translateJobId(storyUri: string, version: number, targetLanguage: string, eventType: WebhookEventType): string {
  return `translate_${shortHash(storyUri)}_v${version}_${targetLanguage}_${eventType}`;
}

/** Deterministic id of a media retry job. */
export function mediaRetryJobId(storyUri: string, version: number, imageIndex: number): string {
  return `media_${shortHash(storyUri)}_v${version}_i${imageIndex}`;
}
