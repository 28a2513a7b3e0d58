import { err, ok, type CanonicalStory, type PubStatus, type Result } from '@wire/schema';
import { DEFAULT_LIMITS, type DraftStory, type NormalizeLimits } from './draft';
import { decodeInput } from './decode';
import { detectFormat } from './detect';
import { normalizeError, type NormalizeError } from './errors';
import { finalize, type Envelope } from './finalize';
import { checkHtmlDepth, parseHtmlPage } from './formats/html';
import { PARSERS } from './formats/registry';
import { parseTextPage } from './formats/text';

export interface NormalizeOptions {
  /** Envelope values: they override what the document says. */
  source?: string;
  guid?: string;
  version?: number;
  pubStatus?: PubStatus;
  /** Hints only: the format is detected from the content. */
  contentType?: string;
  filename?: string;
  receivedAt?: string;
  limits?: Partial<NormalizeLimits>;
}

/**
 * Detects the format of a raw wire document, parses it and normalizes every item it holds into a
 * canonical story. Never throws: bad input is a typed `NormalizeError` (`WIRE_ERR_*`).
 *
 * @example
 * const r = normalize(bytes, { source: 'joongang' });
 * if (r.ok) for (const story of r.value) console.log(story.headline);
 * else console.error(`error ${r.error.code}: ${r.error.message}`);
 */
export function normalize(input: Uint8Array | string, opts: NormalizeOptions = {}): Result<CanonicalStory[], NormalizeError> {
  try {
    return run(input, opts);
  } catch (e) {
    return err(normalizeError('WIRE_ERR_INTERNAL', { reason: `normalize: unexpected failure: ${e instanceof Error ? e.message : String(e)}` }, e));
  }
}

function run(input: Uint8Array | string, opts: NormalizeOptions): Result<CanonicalStory[], NormalizeError> {
  const limits: NormalizeLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const size = typeof input === 'string' ? (input.length * 3 <= limits.maxBytes ? input.length : Buffer.byteLength(input, 'utf8')) : input.byteLength;
  if (size > limits.maxBytes) {
    return err(normalizeError('WIRE_ERR_TOO_LARGE', { reason: `input: ${size} bytes, limit ${limits.maxBytes} bytes`, size, limit: limits.maxBytes }));
  }
  const decoded = decodeInput(input, opts.contentType);
  if (!decoded.ok) return decoded;
  const { text } = decoded.value;
  if (text.trim().length === 0) return err(normalizeError('WIRE_ERR_EMPTY', { reason: 'input: empty after decoding' }));

  const hints = { ...(opts.contentType ? { contentType: opts.contentType } : {}), ...(opts.filename ? { filename: opts.filename } : {}) };
  const format = detectFormat(text, hints);
  if (!format) {
    return err(normalizeError('WIRE_ERR_UNSUPPORTED_FORMAT', { reason: `input: format not recognised (starts with ${JSON.stringify(text.trimStart().slice(0, 24))})` }));
  }
  const parser = PARSERS[format];
  if (!parser) return err(normalizeError('WIRE_ERR_UNSUPPORTED_FORMAT', { reason: `input: ${format} documents are not supported yet`, format }));

  const parsed = parser({ text, limits, ...hints });
  if (!parsed.ok) return parsed;
  const drafts = parsed.value;
  if (drafts.length > limits.maxItems) {
    return err(normalizeError('WIRE_ERR_TOO_MANY_ITEMS', { reason: `input: ${drafts.length} items, limit ${limits.maxItems}`, format }));
  }
  if (drafts.length === 0) return err(normalizeError('WIRE_ERR_EMPTY', { reason: `input: the ${format} document holds no items`, format }));
  return finalizeAll(drafts, opts, decoded.value.warnings, limits);
}

function finalizeAll(drafts: DraftStory[], opts: NormalizeOptions, decodeWarnings: string[], limits: NormalizeLimits): Result<CanonicalStory[], NormalizeError> {
  const base: Envelope = {
    ...(opts.source ? { source: opts.source } : {}),
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.pubStatus ? { pubStatus: opts.pubStatus } : {}),
    ...(opts.receivedAt ? { receivedAt: opts.receivedAt } : {}),
  };
  // One envelope guid names one story; a feed page's items keep their own guids.
  const env: Envelope = drafts.length === 1 && opts.guid ? { ...base, guid: opts.guid } : base;
  const stories: CanonicalStory[] = [];
  const dropped: string[] = [];
  let firstError: NormalizeError | undefined;
  drafts.forEach((d, i) => {
    const item = withinItemLimits(d, limits);
    const r = item.ok ? finalize({ ...item.value, warnings: [...decodeWarnings, ...(item.value.warnings ?? [])] }, env) : item;
    if (r.ok) stories.push(r.value);
    else {
      firstError ??= r.error;
      dropped.push(`item ${i + 1}: ${r.error.code}`);
    }
  });
  if (stories.length === 0) return err(firstError ?? normalizeError('WIRE_ERR_EMPTY', { reason: 'input: no items' }));
  if (dropped.length > 0) for (const s of stories) s.warnings.push(`input: ${dropped.length} item(s) dropped (${dropped.join(', ')})`);
  return ok(stories);
}

/**
 * The limits each item of a document is held to before finalize, whatever its format: its HTML
 * body nests no deeper than an HTML page may (the sanitizer's parser costs the square of the
 * depth, see `checkHtmlDepth`), and it keeps at most `maxImages` pictures and media (the rest are
 * dropped with a warning). A document of many items is bounded item by item, so one bad item
 * costs no more than one good one.
 */
function withinItemLimits(d: DraftStory, limits: NormalizeLimits): Result<DraftStory, NormalizeError> {
  const tooDeep = d.bodyHtml ? checkHtmlDepth(d.bodyHtml, limits.maxDepth, `body (${d.format})`) : undefined;
  if (tooDeep) return err(tooDeep);
  if (!d.images || d.images.length <= limits.maxImages) return ok(d);
  const warning = `images: the item holds ${d.images.length} pictures and media, the first ${limits.maxImages} are kept (${d.format})`;
  return ok({ ...d, images: d.images.slice(0, limits.maxImages), warnings: [...(d.warnings ?? []), warning] });
}

export interface StoryFields {
  source: string;
  guid: string;
  version?: number;
  headline: string;
  /** Plain text or a scraped page (HTML or text with a republishing site's chrome). */
  body: string;
  receivedAt?: string;
  pubStatus?: PubStatus;
}

const LOOKS_HTML = /<(?:p|div|br|html|body|article|section|span|h[1-6]|figure|img|ul|li|a)\b[^>]*>/i;

/**
 * A story from already-split fields (a JSONL line of `wire dedupe`): the body may be plain text
 * or a scraped page, whose chrome is stripped by the same page rules as `normalize`.
 */
export function storyFromFields(fields: StoryFields): Result<CanonicalStory, NormalizeError> {
  try {
    const body = fields.body ?? '';
    if (Buffer.byteLength(body, 'utf8') > DEFAULT_LIMITS.maxBytes) {
      return err(normalizeError('WIRE_ERR_TOO_LARGE', { reason: `body: larger than ${DEFAULT_LIMITS.maxBytes} bytes` }));
    }
    const html = LOOKS_HTML.test(body);
    const tooDeep = html ? checkHtmlDepth(body, DEFAULT_LIMITS.maxDepth) : undefined;
    if (tooDeep) return err(tooDeep);
    const parsed: DraftStory = html ? parseHtmlPage(body, { headline: fields.headline }).draft : parseTextPage(body, { headline: fields.headline });
    parsed.headline = fields.headline;
    const draft = withinItemLimits(parsed, DEFAULT_LIMITS);
    if (!draft.ok) return draft;
    return finalize(draft.value, {
      source: fields.source,
      guid: fields.guid,
      ...(fields.version ? { version: fields.version } : {}),
      ...(fields.pubStatus ? { pubStatus: fields.pubStatus } : {}),
      ...(fields.receivedAt ? { receivedAt: fields.receivedAt } : {}),
    });
  } catch (e) {
    return err(normalizeError('WIRE_ERR_INTERNAL', { reason: `normalize: unexpected failure in storyFromFields: ${e instanceof Error ? e.message : String(e)}` }, e));
  }
}
