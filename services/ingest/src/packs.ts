import { createHash } from 'node:crypto';
import type { ByteRange } from '@wire/queues';

const sha256 = (v: string | Uint8Array) => createHash('sha256').update(v).digest('hex');

/** `format` of a raw archive segment's index line. */
export const RAW_SEGMENT_FORMAT = 'wire-raw-segment/1';

/** One archived message, as listed in its segment's index. */
export interface RawSegmentEntry {
  source: string;
  receivedAt: string;
  contentType?: string;
  /** SHA-256 of the message's bytes. */
  sha256: string;
  /** Where the message came from on Kafka. */
  topic: string;
  partition: number;
  kafkaOffset: string;
  /** Bytes of the message in the segment object (absolute; a Range GET reads exactly them). */
  offset: number;
  length: number;
}

export interface RawSegmentInput {
  source: string;
  receivedAt: string;
  contentType?: string;
  topic: string;
  partition: number;
  kafkaOffset: string;
  bytes: Uint8Array;
}

/**
 * The raw archive object of one chunk, the way Kafka-to-S3 sinks write: the first line is a JSON
 * index (`{"format":"wire-raw-segment/1","messages":[…]}`), then the bytes of every message
 * back to back. Each index entry names the message (source, sha256, Kafka position) and its
 * absolute byte range, so `head -1` shows what a segment holds and one Range GET fetches a
 * message. Identical bytes within a segment are stored once (entries share the range).
 * Deterministic: the same messages give the same object, hence the same content-addressed key.
 */
export function buildRawSegment(messages: readonly RawSegmentInput[]): { body: Buffer; sha256: string; entries: RawSegmentEntry[] } {
  const parts: Uint8Array[] = [];
  const at = new Map<string, { rel: number; length: number }>();
  const rel: Array<{ m: RawSegmentInput; sha256: string; rel: number; length: number }> = [];
  let size = 0;
  for (const m of messages) {
    const hash = sha256(m.bytes);
    let place = at.get(hash);
    if (!place) {
      place = { rel: size, length: m.bytes.length };
      at.set(hash, place);
      parts.push(m.bytes);
      size += m.bytes.length;
    }
    rel.push({ m, sha256: hash, ...place });
  }
  // The index holds absolute offsets, which depend on the index's own length: grow the base until
  // the header is exactly that long (a few rounds at most; lengths only grow with the base).
  let base = 0;
  let entries: RawSegmentEntry[] = [];
  let header = '';
  for (;;) {
    entries = rel.map(({ m, sha256: hash, rel: r, length }) => ({
      source: m.source,
      receivedAt: m.receivedAt,
      ...(m.contentType ? { contentType: m.contentType } : {}),
      sha256: hash,
      topic: m.topic,
      partition: m.partition,
      kafkaOffset: m.kafkaOffset,
      offset: base + r,
      length,
    }));
    header = `${JSON.stringify({ format: RAW_SEGMENT_FORMAT, messages: entries })}\n`;
    const n = Buffer.byteLength(header);
    if (n === base) break;
    base = n;
  }
  const body = Buffer.concat([Buffer.from(header, 'utf8'), ...parts]);
  return { body, sha256: sha256(body), entries };
}

/** The index of a raw segment (its first line). Throws on anything that is not a segment. */
export function readRawSegmentIndex(body: Uint8Array): RawSegmentEntry[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const nl = buf.indexOf(0x0a);
  if (nl < 0) throw new Error('raw segment: no index line');
  const parsed = JSON.parse(buf.subarray(0, nl).toString('utf8')) as { format?: string; messages?: RawSegmentEntry[] };
  if (parsed.format !== RAW_SEGMENT_FORMAT || !Array.isArray(parsed.messages)) throw new Error(`raw segment: format ${String(parsed.format)}, expected ${RAW_SEGMENT_FORMAT}`);
  return parsed.messages;
}

/**
 * The canonical pack of one chunk: each published version's canonical JSON on its own line
 * (NDJSON), and the byte range of each (the line without its newline). Deterministic, like
 * the raw segment.
 */
export function buildCanonicalPack(documents: readonly string[]): { body: Buffer; sha256: string; ranges: ByteRange[] } {
  const parts: Buffer[] = [];
  const ranges: ByteRange[] = [];
  let size = 0;
  for (const doc of documents) {
    const bytes = Buffer.from(`${doc}\n`, 'utf8');
    ranges.push({ offset: size, length: bytes.length - 1 });
    parts.push(bytes);
    size += bytes.length;
  }
  const body = Buffer.concat(parts, size);
  return { body, sha256: sha256(body), ranges };
}

// The bytes a range names within a whole object (for readers that already hold it).
export { sliceRange } from '@wire/media';
