import { err, ok, type Result } from '@wire/schema';
import type { DraftStory, NormalizeLimits, ParseInput } from '../draft';
import { normalizeError, type NormalizeError, type NormalizeErrorCode } from '../errors';

/** Shared plumbing of the structured format parsers (results, limits, JSON). */

/** A failed parse naming the code, the field and where. */
export function fail(code: NormalizeErrorCode, reason: string, where?: string): Result<never, NormalizeError> {
  return err(normalizeError(code, where === undefined ? { reason } : { reason, where }));
}

/**
 * Runs a parser body so that nothing escapes as an untyped throw: a throw here is a bug in the
 * parser, reported as `WIRE_ERR_INTERNAL` naming the format, never a crash of the consumer.
 */
export function guarded(label: string, body: () => Result<DraftStory[], NormalizeError>): Result<DraftStory[], NormalizeError> {
  try {
    return body();
  } catch (e) {
    return err(normalizeError('WIRE_ERR_INTERNAL', { reason: `normalize: ${label} parser failed unexpectedly: ${String(e)}` }, e));
  }
}

/** True when the UTF-8 size of `text` is over `maxBytes` (bytes are only counted when it can matter). */
export function overByteLimit(text: string, maxBytes: number): boolean {
  // UTF-16 length ≤ UTF-8 byte length ≤ 3 × UTF-16 length.
  return text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes);
}

/** `WIRE_ERR_TOO_LARGE` when the text is over the byte limit. */
export function checkSize(input: ParseInput, label: string): Result<true, NormalizeError> {
  const { text, limits } = input;
  if (overByteLimit(text, limits.maxBytes)) {
    return fail('WIRE_ERR_TOO_LARGE', `input: ${label} document larger than ${limits.maxBytes} bytes`);
  }
  return ok(true);
}

/** `WIRE_ERR_TOO_MANY_ITEMS` when one input holds more items than allowed. */
export function checkItems(count: number, limits: NormalizeLimits, label: string): Result<true, NormalizeError> {
  if (count > limits.maxItems) return fail('WIRE_ERR_TOO_MANY_ITEMS', `input: ${label} holds ${count} items, limit ${limits.maxItems}`);
  return ok(true);
}

/** Deepest nesting of arrays/objects in a parsed JSON value (iterative: hostile depth cannot overflow the stack). */
function jsonDepth(value: unknown, stopAt: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > stopAt) return max;
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return max;
}

/** Parses JSON within the size and depth limits. */
export function parseJson(input: ParseInput, label: string): Result<unknown, NormalizeError> {
  const size = checkSize(input, label);
  if (!size.ok) return size;
  let value: unknown;
  try {
    value = JSON.parse(input.text.charCodeAt(0) === 0xfeff ? input.text.slice(1) : input.text);
  } catch (e) {
    // V8 parses recursively: absurd nesting surfaces as a RangeError, which is a depth problem.
    if (e instanceof RangeError) return fail('WIRE_ERR_TOO_DEEP', `input: ${label} JSON nested deeper than ${input.limits.maxDepth}`);
    return fail('WIRE_ERR_JSON_MALFORMED', `json: ${label} is not valid JSON: ${(e as Error).message}`);
  }
  if (jsonDepth(value, input.limits.maxDepth) > input.limits.maxDepth) {
    return fail('WIRE_ERR_TOO_DEEP', `input: ${label} JSON nested deeper than ${input.limits.maxDepth}`);
  }
  return ok(value);
}

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A non-empty trimmed string, or undefined. Numbers are accepted (feeds send `"version": 2`). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t.length > 0 ? t : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A positive integer from a number or numeric string, or undefined. */
export function posInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A non-negative integer (versions may start at 0 in AP feeds). */
export function nonNegInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** IPTC urgency 1..9, or undefined. */
export function urgency(v: unknown): number | undefined {
  const n = posInt(v);
  return n !== undefined && n <= 9 ? n : undefined;
}

/** Maps the many spellings of a publication status (IPTC qcodes, NewsML 1, ninjs, AP) to ours. */
export function pubStatus(v: unknown): DraftStory['pubStatus'] {
  const s = str(v)?.toLowerCase();
  if (!s) return undefined;
  const code = s.includes(':') ? s.slice(s.lastIndexOf(':') + 1) : s;
  if (code === 'usable' || code === 'published' || code === 'active') return 'usable';
  if (code === 'withheld' || code === 'embargoed' || code === 'held') return 'withheld';
  if (code === 'canceled' || code === 'cancelled' || code === 'killed' || code === 'kill' || code === 'deleted' || code === 'withdrawn') return 'canceled';
  return undefined;
}

/** Splits plain text into paragraphs: blank lines separate, or every line when there are none. */
export function paragraphs(textBody: string): string[] {
  const t = textBody.replace(/\r\n?/g, '\n').trim();
  if (t.length === 0) return [];
  const blocks = /\n[ \t]*\n/.test(t) ? t.split(/\n[ \t]*\n+/) : t.split('\n');
  return blocks.map((b) => b.replace(/\s+/g, ' ').trim()).filter((b) => b.length > 0);
}

/** Drops undefined fields so drafts stay small and `toEqual` in tests reads well. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * An absolute http(s) URL, or undefined (relative paths and bare ids cannot be fetched): what a
 * parser chooses a picture's best rendition by, or resolves other links against. Never the way
 * to drop a link the story would carry: see `sourceLink`.
 */
export function absUrl(v: unknown): string | undefined {
  const s = str(v);
  return s && /^https?:\/\/[^\s]+$/i.test(s) ? s : undefined;
}

/**
 * A link the story carries (a picture's or rendition's href, a person's uri) exactly as the source
 * gave it, trimmed, whatever its scheme. Parsers do not judge links: the safe-output pass that ends
 * finalize (`secureStory`) is the one place a link that is not an allowed absolute URI is dropped,
 * with a warning naming the field, so none goes silently.
 */
export function sourceLink(v: unknown): string | undefined {
  return str(v);
}
