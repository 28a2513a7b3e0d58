import type { InfoSource } from '@wire/schema';

/**
 * The namespace of story uris: the feed's provider. The envelope names it when it can; otherwise
 * the document's provider (a NewsML-G2 `provider`, an AP feed, the authority of the items' uris),
 * and only then an info source. Never the info source or copyright holder of one item: those
 * change from item to item within one feed (a photo by DHA, a text by AP, both on AP's feed).
 */

// Second-level labels under which country registries put organisations (`bbc.co.uk`, `aap.com.au`).
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'ac', 'gov', 'or', 'ne', 'go']);

/** A uri-safe slug of a provider name: `Thomson Reuters` → `thomson-reuters`. */
export function providerSlug(name: string | undefined): string {
  return (name ?? '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/** The organisation label of a domain: `api.ap.org` → `ap`, `beta.tt.se` → `tt`, `bbc.co.uk` → `bbc`. */
export function domainLabel(domain: string): string | undefined {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  if (labels.length < 2 || labels.every((l) => /^\d+$/.test(l))) return undefined;
  const tld = labels[labels.length - 1]!;
  const second = labels[labels.length - 2]!;
  const at = tld.length === 2 && SECOND_LEVEL.has(second) && labels.length >= 3 ? labels.length - 3 : labels.length - 2;
  return labels[at];
}

/**
 * The provider an item's uri names: the host of an http(s) uri, the domain of a `urn:newsml:`
 * or `tag:` uri; undefined for anything else (bare ids, `urn:uuid:`).
 *
 * @example providerOfUri('http://api.ap.org/media/v/content/b2b6…') // 'ap'
 * @example providerOfUri('urn:newsml:dpa.com:20090101:190510-99-167362') // 'dpa'
 */
export function providerOfUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const http = /^https?:\/\/([^/?#:]+)/i.exec(uri)?.[1];
  const newsml = /^urn:newsml:([^:]+):/i.exec(uri)?.[1];
  const tag = /^tag:([^,:]+),/i.exec(uri)?.[1];
  const domain = http ?? newsml ?? tag;
  return domain && domain.includes('.') ? domainLabel(domain) : undefined;
}

/**
 * Of the info sources, the one that names the provider: the distributor, else the originator
 * (a scraped page's agency), else the publisher (the site that printed it), else the first.
 */
export function providerSource(infoSources: InfoSource[]): InfoSource | undefined {
  for (const role of ['distributor', 'originator', 'publisher'] as const) {
    const hit = infoSources.find((s) => s.role === role);
    if (hit) return hit;
  }
  return infoSources[0];
}
