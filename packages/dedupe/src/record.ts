/**
 * The fixed-size binary record kept per processed story version (pure). Fixed size lets the Redis
 * store pack records side by side in one string per 1,024 ids (no per-key overhead), and keeps the
 * index near 200 bytes per story.
 *
 * Layout (big-endian): contentKey u32 · deliveryKey u32 · version u16 · kind/flags u8 ·
 * sketch length u8 · ofId u32 · rootId u32 · day u16 · size u16 · tau u32 · veto length u8 ·
 * sketch u16×SKETCH · veto u20×VETO_ENTRIES (packed in pairs).
 */
import type { DecisionKind } from '@wire/schema';
import { SKETCH, VETO_ENTRIES, type StoredSignature } from './fingerprint';

const VETO_OFFSET = 29 + 2 * SKETCH;
/** Veto entries are 20 bits: two per 5 bytes. */
export const RECORD_BYTES = VETO_OFFSET + Math.ceil(VETO_ENTRIES / 2) * 5;

const KINDS: readonly DecisionKind[] = ['new', 'duplicate', 'update', 'correction', 'kill', 'stale'];
const FLAG_INDEXED = 0x80;

export interface StoryRecord {
  /** First 32 bits of the story's content hash. */
  contentKey: number;
  /** Hash of the delivery (envelope receivedAt): tells a crash re-run from a re-send. */
  deliveryKey: number;
  version: number;
  kind: DecisionKind;
  /** True when the record's anchors are in the LSH index. */
  indexed: boolean;
  /** Record id of the story this one duplicates/updates (0: none). */
  ofId: number;
  /** Record id of the earliest story of the cluster (0: this record itself). */
  rootId: number;
  /** Days since the Unix epoch when received. */
  day: number;
  signature: StoredSignature;
}

export function encodeRecord(r: StoryRecord): Buffer {
  const b = Buffer.alloc(RECORD_BYTES);
  b.writeUInt32BE(r.contentKey >>> 0, 0);
  b.writeUInt32BE(r.deliveryKey >>> 0, 4);
  b.writeUInt16BE(Math.min(r.version, 0xffff), 8);
  b.writeUInt8(KINDS.indexOf(r.kind) | (r.indexed ? FLAG_INDEXED : 0), 10);
  const sketch = r.signature.sketch.slice(0, SKETCH);
  const veto = r.signature.veto.slice(0, VETO_ENTRIES);
  b.writeUInt8(sketch.length, 11);
  b.writeUInt32BE(r.ofId >>> 0, 12);
  b.writeUInt32BE(r.rootId >>> 0, 16);
  b.writeUInt16BE(Math.max(0, Math.min(r.day, 0xffff)), 20);
  b.writeUInt16BE(Math.min(r.signature.size, 0xffff), 22);
  b.writeUInt32BE(r.signature.tau >>> 0, 24);
  b.writeUInt8(veto.length, 28);
  sketch.forEach((s, i) => b.writeUInt16BE(s & 0xffff, 29 + 2 * i));
  for (let i = 0; i < veto.length; i += 2) {
    const pair = (veto[i]! & 0xfffff) * 2 ** 20 + ((veto[i + 1] ?? 0) & 0xfffff);
    b.writeUIntBE(pair, VETO_OFFSET + (i / 2) * 5, 5);
  }
  return b;
}

/** Decodes a record; `null` when the bytes are missing (expired) or all zero. */
export function decodeRecord(b: Buffer): StoryRecord | null {
  if (b.length < RECORD_BYTES) return null;
  const version = b.readUInt16BE(8);
  if (version === 0) return null;
  const kindByte = b.readUInt8(10);
  const kind = KINDS[kindByte & 0x7f];
  if (!kind) return null;
  const sketchLen = Math.min(b.readUInt8(11), SKETCH);
  const vetoLen = Math.min(b.readUInt8(28), VETO_ENTRIES);
  const sketch: number[] = [];
  for (let i = 0; i < sketchLen; i++) sketch.push(b.readUInt16BE(29 + 2 * i));
  const veto: number[] = [];
  for (let i = 0; i < vetoLen; i += 2) {
    const pair = b.readUIntBE(VETO_OFFSET + (i / 2) * 5, 5);
    veto.push(Math.floor(pair / 2 ** 20));
    if (i + 1 < vetoLen) veto.push(pair % 2 ** 20);
  }
  return {
    contentKey: b.readUInt32BE(0),
    deliveryKey: b.readUInt32BE(4),
    version,
    kind,
    indexed: (kindByte & FLAG_INDEXED) !== 0,
    ofId: b.readUInt32BE(12),
    rootId: b.readUInt32BE(16),
    day: b.readUInt16BE(20),
    signature: { size: b.readUInt16BE(22), tau: b.readUInt32BE(24), sketch, veto },
  };
}
