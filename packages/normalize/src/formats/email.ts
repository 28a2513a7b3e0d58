import { ok, type Result } from '@wire/schema';
import { extract, parse as parseMime, type LetterparserNode } from 'letterparser';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { cleanHtmlBody, mergeImages } from '../xml-html';
import { checkSize, fail, guarded, paragraphs } from './common';
import { normalizeDate } from '../dates';
import { bodyEmbeds, hasNoText } from './embeds';
import { domainLabel } from '../provider';

/**
 * RFC 822 / 5322 e-mail with MIME (RFC 2045–2047), read with the maintained `letterparser` MIME
 * parser (synchronous, as the normalizer is; transfer encodings, charsets and encoded words are
 * its job): plain text, multipart/alternative (HTML preferred), multipart/mixed and related with
 * pictures. Subject → headline, From → byline and source, Message-ID → guid, Date →
 * versionCreated; every image part (attached or inline, referenced by `cid:`) is a picture of the
 * story, and a message with no text but a picture is a picture item.
 */

/** Deepest MIME nesting accepted whatever the general depth limit. */
const MAX_MIME_DEPTH = 16;
/**
 * Most lines the MIME parser may visit. letterparser looks ahead from every body part to the end
 * of the message (it copies the remaining lines to find the next boundary), so its work is the
 * number of parts times the number of lines: hundreds of parts followed by millions of empty lines
 * would hold a thread for minutes. Real messages stay far below (a thousand parts over twenty
 * thousand lines, or three parts around a 5 MB base64 attachment).
 */
const MAX_MIME_SCAN = 20_000_000;

/** Cheap content sniff: a header block (with From/Subject/Message-ID/MIME-Version) then a blank line. */
export function detect(textIn: string): boolean {
  const t = textIn.slice(0, 16384).replace(/^[\uFEFF]/, '');
  const end = t.search(/\r?\n\r?\n/);
  if (end <= 0) return false;
  const lines = t.slice(0, end).split(/\r?\n/);
  if (!/^[A-Za-z][\w-]*:/.test(lines[0] ?? '') && !/^From \S/.test(lines[0] ?? '')) return false;
  if (!lines.every((l, i) => /^[!-9;-~]+:/.test(l) || /^[ \t]/.test(l) || (i === 0 && /^From \S/.test(l)))) return false;
  const names = new Set(lines.map((l) => /^([\w-]+):/.exec(l)?.[1]?.toLowerCase()).filter(Boolean));
  const known = ['from', 'subject', 'date', 'message-id', 'mime-version', 'to', 'received', 'content-type'].filter((n) => names.has(n)).length;
  return known >= 2 && (names.has('from') || names.has('subject') || names.has('message-id'));
}

type Node = LetterparserNode;

const header = (n: Node, name: string): string | undefined => {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(n.headers)) if (k.toLowerCase() === want && v) return v;
  return undefined;
};

const children = (n: Node): Node[] => (Array.isArray(n.body) ? n.body : n.body && typeof n.body === 'object' && !(n.body instanceof Uint8Array) ? [n.body] : []);

interface Collected {
  html?: string;
  text?: string;
  images: Array<DraftImage & { cid?: string }>;
  parts: number;
}

/** Walks the parsed MIME tree: HTML wins over text inside alternatives; every image part is kept. */
function walk(n: Node, acc: Collected, depth: number, input: ParseInput): Result<true, NormalizeError> {
  const maxDepth = Math.min(input.limits.maxDepth, MAX_MIME_DEPTH);
  if (depth > maxDepth) return fail('WIRE_ERR_TOO_DEEP', `input: e-mail MIME parts nested deeper than ${maxDepth}`);
  if (++acc.parts > input.limits.maxItems) return fail('WIRE_ERR_TOO_MANY_ITEMS', `input: e-mail has more than ${input.limits.maxItems} MIME parts, limit ${input.limits.maxItems}`);
  const type = n.contentType.type.toLowerCase();
  if (type.startsWith('multipart/')) {
    if (!n.contentType.parameters.boundary) return fail('WIRE_ERR_MIME_MALFORMED', `email: ${type} without a boundary parameter`);
    const parts = children(n);
    if (type === 'multipart/alternative') {
      // The last alternative is the richest (RFC 2046): the last HTML (or nested multipart) wins.
      const best = [...parts].reverse().find((c) => c.contentType.type === 'text/html' || c.contentType.type.startsWith('multipart/')) ?? parts.find((c) => c.contentType.type === 'text/plain');
      if (best) {
        const r = walk(best, acc, depth + 1, input);
        if (!r.ok) return r;
      }
      for (const c of parts) if (c !== best && c.contentType.type === 'text/plain' && typeof c.body === 'string') acc.text ??= c.body;
      return ok(true);
    }
    for (const c of parts) {
      const r = walk(c, acc, depth + 1, input);
      if (!r.ok) return r;
    }
    return ok(true);
  }
  if (type === 'message/rfc822') {
    for (const c of children(n)) {
      const r = walk(c, acc, depth + 1, input);
      if (!r.ok) return r;
    }
    return ok(true);
  }
  if (type.startsWith('image/')) {
    if (n.body instanceof Uint8Array && n.body.length > 0) {
      const cid = header(n, 'content-id')?.trim().replace(/^<|>$/g, '');
      acc.images.push({ embedded: { contentType: type, base64: Buffer.from(n.body).toString('base64') }, ...(cid ? { cid } : {}) });
    }
    return ok(true);
  }
  if (/^attachment/i.test(header(n, 'content-disposition') ?? '')) return ok(true);
  if (typeof n.body !== 'string') return ok(true);
  if (type === 'text/html') acc.html ??= n.body;
  else if (type === 'text/plain' || type === 'text') acc.text ??= n.body;
  return ok(true);
}

const BOUNDARY_PARAM = /\bboundary\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))/gi;
const DELIMITER_LINE = /^--([^\r\n]*?)[ \t]*\r?$/gm;

/**
 * How many body parts the message's multiparts open: lines that are `--` and a boundary some
 * Content-Type declares. Counted before the MIME parser runs, whose cost grows with the square of
 * the parts, so a message of twenty thousand parts is refused in one pass instead of parsed.
 */
function countParts(text: string): number {
  const boundaries = new Set<string>();
  for (const m of text.matchAll(BOUNDARY_PARAM)) boundaries.add((m[1] ?? m[2] ?? '').trim());
  if (boundaries.size === 0) return 0;
  let parts = 0;
  for (const m of text.matchAll(DELIMITER_LINE)) if (boundaries.has(m[1] ?? '')) parts++;
  return parts;
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A MIME tree too deep for the parser throws; was it depth (many nested multiparts) or damage? */
function parseFailure(text: string, e: unknown): Result<never, NormalizeError> {
  const nested = (text.match(/^content-type:\s*multipart\//gim) ?? []).length;
  if (nested > MAX_MIME_DEPTH) return fail('WIRE_ERR_TOO_DEEP', `input: e-mail MIME parts nested deeper than ${MAX_MIME_DEPTH}`);
  return fail('WIRE_ERR_MIME_MALFORMED', `email: MIME structure could not be read: ${e instanceof Error ? e.message : String(e)}`);
}

/** Parses one e-mail message into one draft story. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('e-mail', () => {
    const size = checkSize(input, 'e-mail');
    if (!size.ok) return size;
    // An mbox "From " separator line is not a header.
    const text = input.text.replace(/^\uFEFF/, '').replace(/^From [^\n]*\n/, '');
    if (!/^[!-9;-~]+:/.test(text)) return fail('WIRE_ERR_MIME_MALFORMED', 'email: no header block before the first blank line');
    const parts = countParts(text);
    if (parts > input.limits.maxItems) return fail('WIRE_ERR_TOO_MANY_ITEMS', `input: e-mail has ${parts} MIME parts, limit ${input.limits.maxItems}`);
    const lines = countLines(text);
    if (parts * lines > MAX_MIME_SCAN) {
      return fail('WIRE_ERR_TOO_LARGE', `input: e-mail of ${parts} MIME parts over ${lines} lines; the MIME parser reads parts × lines, limit ${MAX_MIME_SCAN}`);
    }
    let root: Node;
    try {
      root = parseMime(text);
    } catch (e) {
      return parseFailure(text, e);
    }
    const mail = extract(root);
    const warnings: string[] = [];
    const draft: DraftStory = { format: 'email' };
    const headline = (mail.subject ?? '').replace(/^\s*((re|fwd?|aw|wg|tr|sv)\s*:\s*)+/i, '').trim();
    if (headline) draft.headline = headline;
    const id = header(root, 'message-id');
    if (id) draft.guid = id.trim().replace(/^<|>$/g, '');
    const date = header(root, 'date');
    if (date) {
      const iso = normalizeDate(date.replace(/\s*\([^)]*\)\s*$/, ''));
      if (iso) draft.versionCreated = iso;
      else warnings.push(`Date: unreadable "${date}" (e-mail header)`);
    }
    const lang = header(root, 'content-language');
    if (lang) draft.language = lang.split(',')[0]?.trim();
    const from = mail.from;
    if (from) {
      const name = from.name?.replace(/^"(.*)"$/, '$1').trim();
      if (name) draft.bylines = [from.address ? { name, email: from.address } : name];
      const domain = from.address?.split('@')[1];
      const source = name ?? domain;
      // The sender's address is a person's contact detail (the byline's e-mail), not a link for the source.
      if (source) draft.infoSources = [{ name: source, role: 'source' }];
      // The sender's domain is the feed the message came from.
      const provider = domain ? domainLabel(domain) : undefined;
      if (provider) draft.source = provider;
    }
    const priority = header(root, 'x-priority');
    const p = priority ? Number.parseInt(priority, 10) : Number.NaN;
    if (p >= 1 && p <= 5) draft.urgency = p;
    const acc: Collected = { images: [], parts: 0 };
    const walked = walk(root, acc, 1, input);
    if (!walked.ok) return walked;
    let images: DraftImage[] = [];
    if (acc.html && acc.html.trim()) {
      const cleaned = cleanHtmlBody(acc.html, draft.headline, input.limits);
      draft.bodyHtml = cleaned.html;
      images = [...cleaned.images];
      // In-body pictures: a `cid:` reference is one of the message's own image parts (its alt text
      // is the caption); others are pictures on the web, and video embeds are videos.
      for (const m of acc.html.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']cid:([^"']+)["'][^>]*>/gi)) {
        const part = acc.images.find((i) => i.cid === m[1]);
        const alt = /\balt\s*=\s*["']([^"']*)["']/i.exec(m[0])?.[1]?.trim();
        if (part && alt) part.alt = alt;
      }
      images = mergeImages(images, bodyEmbeds(acc.html));
    } else if (acc.text) {
      // Drop the signature block ("-- " line) and quoted replies.
      const body = acc.text.split(/\r?\n-- ?\r?\n/)[0] ?? '';
      const paras = paragraphs(body.split(/\r?\n/).filter((l) => !l.startsWith('>')).join('\n'));
      if (paras.length > 0) draft.bodyText = paras;
    }
    images.push(...acc.images.map(({ cid: _cid, ...img }) => img));
    if (images.length > 0) draft.images = images;
    // A message whose only content is a picture is a picture item.
    if (images[0] && hasNoText(draft.bodyHtml) && !draft.bodyText?.length) {
      draft.type = images[0].type ?? 'picture';
      draft.images = [{ ...images[0], self: true }, ...images.slice(1)];
      delete draft.bodyHtml;
    }
    if (!draft.headline && draft.type !== 'picture') return fail('WIRE_ERR_NO_HEADLINE', 'headline: missing (e-mail Subject header)');
    if (!draft.headline) draft.metadataOnly = true;
    if (warnings.length > 0) draft.warnings = warnings;
    return ok([draft]);
  });
}
