

/** `yyyy/mm/dd` of an ISO timestamp (UTC); the epoch when it does not parse. */
function dayPath(iso: string): string {
  const d = new Date(iso);
  const at = Number.isNaN(d.getTime()) ? new Date(0) : d;
  const yyyy = String(at.getUTCFullYear()).padStart(4, '0');
  const mm = String(at.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(at.getUTCDate()).padStart(2, '0');
  return `${yyyy}/${mm}/${dd}`;
}

/**
 * Raw archive segment key: `raw/{yyyy}/{mm}/{dd}/{sha256 of the segment}.seg`. One segment holds
 * the raw bytes of every message of one consumer chunk (see `buildRawSegment`); the date is the
 * first message's `receivedAt` (UTC). Content-addressed: a replay of the same chunk writes the
 * same key, a replay cut differently writes another segment beside it (never fewer bytes).
 */
export function rawSegmentKey(firstReceivedAt: string, segmentSha256: string, prefix = ''): string {
  return `${prefix}raw/${dayPath(firstReceivedAt)}/${segmentSha256}.seg`;
}

/**
 * Canonical pack key: `canonical/packs/{yyyy}/{mm}/{dd}/{sha256 of the pack}.ndjson`. One pack
 * holds the canonical JSON of every version one chunk published, one per line (see
 * `buildCanonicalPack`); events carry the pack key and the byte range of their version.
 */
export function canonicalPackKey(firstReceivedAt: string, packSha256: string, prefix = ''): string {
  return `${prefix}canonical/packs/${dayPath(firstReceivedAt)}/${packSha256}.ndjson`;
}

/**
 * Dead-letter segment key: `dead/{yyyy}/{mm}/{dd}/{sha256 of the segment}.seg` — the raw segment
 * format, holding the Kafka record values of the messages one chunk dead-lettered (dated by when).
 */
export function deadLetterSegmentKey(at: string, segmentSha256: string, prefix = ''): string {
  return `${prefix}dead/${dayPath(at)}/${segmentSha256}.seg`;
}

// Where the media-retry worker writes a filled-in version: shared with readers (ops).
export { canonicalKey } from '@wire/queues';
