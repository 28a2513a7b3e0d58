import { createHash } from 'node:crypto';

const sha256 = (v: string | Uint8Array) => createHash('sha256').update(v).digest('hex');

/**
 * Content-addressed raw archive key: `raw/{source}/{yyyy}/{mm}/{dd}/{sha256}`. The date is the
 * envelope's `receivedAt` (UTC), so a replay writes the same key.
 */
export function rawArchiveKey(source: string, receivedAt: string, bytes: Uint8Array, prefix = ''): string {
  const d = new Date(receivedAt);
  const at = Number.isNaN(d.getTime()) ? new Date(0) : d;
  const yyyy = String(at.getUTCFullYear()).padStart(4, '0');
  const mm = String(at.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(at.getUTCDate()).padStart(2, '0');
  const safeSource = source.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || '_';
  return `${prefix}raw/${safeSource}/${yyyy}/${mm}/${dd}/${sha256(bytes)}`;
}

/** Where the canonical JSON of one accepted story version lives: `canonical/{sha256(uri)}/v{version}.json`. */
export function canonicalKey(uri: string, version: number, prefix = ''): string {
  return `${prefix}canonical/${sha256(uri).slice(0, 40)}/v${version}.json`;
}
