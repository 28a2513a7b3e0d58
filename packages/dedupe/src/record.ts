/**
 * The fixed-size binary record kept per processed story version (pure). The index is a log of
 * these records: fixed size lets a store pack them side by side (one Redis string per `CHUNK`
 * ids, no per-key overhead), and each record carries everything needed to rebuild the lookup
 * tables from the log alone — its anchors, the hash of its uri and the version register after it.
 *
 * Layout (big-endian): contentKey u32 · deliveryKey u32 · version u16 · kind/flags u8 ·
 * sketch length u8 · ofId u32 · rootId u32 · day u16 · size u16 · tau u32 · veto length u8 ·
 * anchor count u8 · latest u16 · uriKey u32 · uriCheck u32 · anchors u32×ANCHORS ·
 * sketch u16×SKETCH · veto u20×VETO_ENTRIES (packed in pairs).
 */
import type { DecisionKind } from '@wire/schema';
import { ANCHORS, SKETCH, VETO_ENTRIES, type StoredSignature } from './fingerprint';
import { hashString } from './hash';

const ANCHORS_OFFSET = 40;
const SKETCH_OFFSET = ANCHORS_OFFSET + 4 * ANCHORS;
const VETO_OFFSET = SKETCH_OFFSET + 2 * SKETCH;
/** Veto entries are 20 bits: two per 5 bytes. */
export const RECORD_BYTES = VETO_OFFSET + Math.ceil(VETO_ENTRIES / 2) * 5;
/** Records per chunk: as many as fit in 256 KiB with a Redis string header (one allocator size class). */
export const CHUNK = Math.floor((2 ** 18 - 16) / RECORD_BYTES);

/** Byte offsets of the fields the index reads in place (without decoding a record). */
export const RECORD_FIELD = { version: 8, flags: 10, ofId: 12, rootId: 16, day: 20, anchorCount: 29, uriKey: 32, uriCheck: 36, anchors: ANCHORS_OFFSET } as const;

const KINDS: readonly DecisionKind[] = ['new', 'duplicate', 'update', 'correction', 'kill', 'stale'];
const KIND_MASK = 0x07;
const FLAG_INDEXED = 0x80;
const FLAG_KILLED = 0x40;

export interface StoryRecord {
  /** First 32 bits of the story's content hash. */
  contentKey: number;
  /** Hash of the delivery (envelope receivedAt): tells a crash re-run from a re-send. */
  deliveryKey: number;
  version: number;
  kind: DecisionKind;
  /** True when the record is findable by content (its anchors are indexed). */
  indexed: boolean;
  /** Record id of the story this one duplicates/updates (0: none). */
  ofId: number;
  /** Record id of the earliest story of the cluster (0: this record itself). */
  rootId: number;
  /** Days since the Unix epoch when received. */
  day: number;
  signature: StoredSignature;
  /** The uri (source + guid) as two 32-bit hashes (`uriKeys`): the version register's key. */
  uriKey: number;
  uriCheck: number;
  /** The version register of the uri after this record: latest version and whether killed. */
  latest: number;
  killed: boolean;
  /** LSH anchors the record is indexed under (at most `ANCHORS`; empty when not indexed). */
  anchors: number[];
}

/** The two 32-bit hashes a uri is registered under (64 bits: unique among a window's uris). */
export function uriKeys(uri: string): { uriKey: number; uriCheck: number } {
  return { uriKey: hashString(uri), uriCheck: hashString(uri, 0x9747b28c) };
}

/** Writes `r` at `offset` of `b` (RECORD_BYTES bytes). */
export function writeRecord(r: StoryRecord, b: Buffer, offset = 0): void {
  b.fill(0, offset, offset + RECORD_BYTES);
  const sketch = r.signature.sketch;
  const sketchLen = Math.min(sketch.length, SKETCH);
  const veto = r.signature.veto;
  const vetoLen = Math.min(veto.length, VETO_ENTRIES);
  const anchorLen = Math.min(r.anchors.length, ANCHORS);
  b.writeUInt32BE(r.contentKey >>> 0, offset);
  b.writeUInt32BE(r.deliveryKey >>> 0, offset + 4);
  b.writeUInt16BE(Math.min(r.version, 0xffff), offset + 8);
  b[offset + 10] = KINDS.indexOf(r.kind) | (r.indexed ? FLAG_INDEXED : 0) | (r.killed ? FLAG_KILLED : 0);
  b[offset + 11] = sketchLen;
  b.writeUInt32BE(r.ofId >>> 0, offset + 12);
  b.writeUInt32BE(r.rootId >>> 0, offset + 16);
  b.writeUInt16BE(Math.max(0, Math.min(r.day, 0xffff)), offset + 20);
  b.writeUInt16BE(Math.min(r.signature.size, 0xffff), offset + 22);
  b.writeUInt32BE(r.signature.tau >>> 0, offset + 24);
  b[offset + 28] = vetoLen;
  b[offset + 29] = anchorLen;
  b.writeUInt16BE(Math.min(r.latest, 0xffff), offset + 30);
  b.writeUInt32BE(r.uriKey >>> 0, offset + 32);
  b.writeUInt32BE(r.uriCheck >>> 0, offset + 36);
  for (let i = 0; i < anchorLen; i++) b.writeUInt32BE(r.anchors[i]! >>> 0, offset + ANCHORS_OFFSET + 4 * i);
  for (let i = 0; i < sketchLen; i++) b.writeUInt16BE(sketch[i]! & 0xffff, offset + SKETCH_OFFSET + 2 * i);
  for (let i = 0; i < vetoLen; i += 2) {
    const pair = (veto[i]! & 0xfffff) * 2 ** 20 + ((i + 1 < vetoLen ? veto[i + 1]! : 0) & 0xfffff);
    b.writeUIntBE(pair, offset + VETO_OFFSET + (i / 2) * 5, 5);
  }
}

export function encodeRecord(r: StoryRecord): Buffer {
  const b = Buffer.allocUnsafe(RECORD_BYTES);
  writeRecord(r, b);
  return b;
}

/** Decodes the record at `offset`; `null` when the bytes are missing (expired) or all zero. */
export function decodeRecord(b: Buffer, offset = 0): StoryRecord | null {
  if (b.length < offset + RECORD_BYTES) return null;
  const version = b.readUInt16BE(offset + 8);
  if (version === 0) return null;
  const flags = b[offset + 10]!;
  const kind = KINDS[flags & KIND_MASK];
  if (!kind) return null;
  const sketchLen = Math.min(b[offset + 11]!, SKETCH);
  const vetoLen = Math.min(b[offset + 28]!, VETO_ENTRIES);
  const anchorLen = Math.min(b[offset + 29]!, ANCHORS);
  const sketch: number[] = new Array(sketchLen);
  for (let i = 0; i < sketchLen; i++) sketch[i] = b.readUInt16BE(offset + SKETCH_OFFSET + 2 * i);
  const veto: number[] = [];
  for (let i = 0; i < vetoLen; i += 2) {
    const pair = b.readUIntBE(offset + VETO_OFFSET + (i / 2) * 5, 5);
    veto.push(Math.floor(pair / 2 ** 20));
    if (i + 1 < vetoLen) veto.push(pair % 2 ** 20);
  }
  const anchors: number[] = new Array(anchorLen);
  for (let i = 0; i < anchorLen; i++) anchors[i] = b.readUInt32BE(offset + ANCHORS_OFFSET + 4 * i);
  return {
    contentKey: b.readUInt32BE(offset),
    deliveryKey: b.readUInt32BE(offset + 4),
    version,
    kind,
    indexed: (flags & FLAG_INDEXED) !== 0,
    ofId: b.readUInt32BE(offset + 12),
    rootId: b.readUInt32BE(offset + 16),
    day: b.readUInt16BE(offset + 20),
    signature: { size: b.readUInt16BE(offset + 22), tau: b.readUInt32BE(offset + 24), sketch, veto },
    uriKey: b.readUInt32BE(offset + 32),
    uriCheck: b.readUInt32BE(offset + 36),
    latest: b.readUInt16BE(offset + 30),
    killed: (flags & FLAG_KILLED) !== 0,
    anchors,
  };
}
