import { decodeEntities } from './escape';

/**
 * Which URIs a story may carry. A link (a body href, an info source, a picture's source or
 * rendition, a story uri) must be an absolute http, https or urn URI; contact details may also be
 * `mailto:`. Everything else — `javascript:`, `data:`, `vbscript:`, `file:`, relative references,
 * schemes hidden behind entities or control characters — is refused, and the caller drops the
 * value and says so in the story's warnings.
 */

/** Schemes a link may use. */
export const LINK_SCHEMES: readonly string[] = ['http', 'https', 'urn'];
/** Schemes contact details may use. */
export const CONTACT_SCHEMES: readonly string[] = [...LINK_SCHEMES, 'mailto'];

/** What a URI is for: `link` (anything a reader or a fetcher follows) or `contact` (people's contact details). */
export type UriUse = 'link' | 'contact';

export type UriCheck = { ok: true; uri: string } | { ok: false; scheme: string | undefined; reason: string };

// eslint-disable-next-line no-control-regex
const IGNORED_BY_USER_AGENTS = /[\u0000-\u0020\u007F-\u009F]+/g;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// eslint-disable-next-line no-control-regex
const NOT_IN_A_URI = /[\s<>"'`\\{}|^\u0000-\u001F\u007F-\u009F]/;
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:./i;
const MAILTO = /^mailto:[^@?]+@[^@?]+\.[^@?]+(?:\?.*)?$/i;

/**
 * The scheme a user agent would act on: the value as an HTML attribute would give it (entities
 * decoded), with the control characters and spaces that URL parsers skip removed, in lower case.
 * `java&#x9;script&colon;alert(1)` → `javascript`. `undefined` for a relative reference.
 */
export function effectiveScheme(value: string): string | undefined {
  const seen = decodeEntities(value).replace(IGNORED_BY_USER_AGENTS, '');
  return SCHEME.exec(seen)?.[1]?.toLowerCase();
}

/**
 * Checks a URI for a use. http(s) URIs come back serialized by the WHATWG URL parser (so `"`,
 * `<`, `>` and spaces are percent-encoded); urn and mailto URIs come back as given, trimmed.
 *
 * @example checkUri('https://example.com/a b') // { ok: true, uri: 'https://example.com/a%20b' }
 * @example checkUri('JaVa&#x53;cript:alert(1)') // { ok: false, scheme: 'javascript', reason: 'scheme "javascript" is not allowed' }
 */
export function checkUri(value: string, use: UriUse = 'link'): UriCheck {
  const scheme = effectiveScheme(value);
  if (!scheme) return { ok: false, scheme, reason: 'not an absolute URI' };
  if (!(use === 'contact' ? CONTACT_SCHEMES : LINK_SCHEMES).includes(scheme)) return { ok: false, scheme, reason: `scheme "${scheme}" is not allowed` };
  const raw = value.trim();
  // What is emitted must be what was checked: a scheme spelled with entities or controls is refused.
  if (raw.slice(0, scheme.length + 1).toLowerCase() !== `${scheme}:`) return { ok: false, scheme, reason: 'scheme written with entities or control characters' };
  if (scheme === 'http' || scheme === 'https') {
    if (!URL.canParse(raw)) return { ok: false, scheme, reason: 'not a valid URL' };
    const url = new URL(raw);
    if (!url.hostname) return { ok: false, scheme, reason: 'no host' };
    return { ok: true, uri: url.href };
  }
  if (NOT_IN_A_URI.test(raw)) return { ok: false, scheme, reason: 'characters not allowed in a URI' };
  if (scheme === 'urn' && !URN.test(raw)) return { ok: false, scheme, reason: 'not a urn' };
  if (scheme === 'mailto' && !MAILTO.test(raw)) return { ok: false, scheme, reason: 'not a mailto address' };
  return { ok: true, uri: raw };
}

/**
 * Schemes under which a user agent runs code or reads local or inline content. Identifiers
 * (guids, alternative ids) are not links and agencies mint their own prefixes for them (`tag:`,
 * `dpa:`), so the link allow list cannot apply to them; an identifier is refused when a consumer
 * that made it a link would run or load something.
 */
const ACTIVE_SCHEMES = new Set(['javascript', 'vbscript', 'livescript', 'data', 'file', 'blob', 'filesystem', 'about', 'view-source', 'jar', 'ms-its', 'mhtml']);

/**
 * Checks an identifier: any opaque string, an identifier that is an http(s) or urn URI, but never
 * one whose scheme is active (`javascript:`, `data:`, `file:` …), however it is spelled.
 */
export function checkIdentifier(value: string): { ok: true } | { ok: false; scheme: string; reason: string } {
  const scheme = effectiveScheme(value);
  if (scheme && ACTIVE_SCHEMES.has(scheme)) return { ok: false, scheme, reason: `scheme "${scheme}" is not allowed in an identifier` };
  return { ok: true };
}

const EMAIL = /^[^\s@<>"'(),;:\\[\]]+@[^\s@<>"'(),;:\\[\]]+\.[^\s@<>"'(),;:\\[\]]+$/;

/** An e-mail address (`name@host.tld`, or a `mailto:` URI holding one), lower-cased, or `undefined`. */
export function checkEmail(value: string): string | undefined {
  const v = value.trim().replace(/^mailto:/i, '').toLowerCase();
  return EMAIL.test(v) ? v : undefined;
}
