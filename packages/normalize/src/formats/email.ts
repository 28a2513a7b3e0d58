import { ok, type Result } from '@wire/schema';
import iconv from 'iconv-lite';
import type { DraftImage, DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { cleanHtmlBody } from '../xml-html';
import { checkSize, fail, guarded, paragraphs } from './common';
import { normalizeDate } from '../dates';

/**
 * RFC 822 / 5322 e-mail with MIME (RFC 2045–2047): plain text, multipart/alternative (HTML
 * preferred), multipart/mixed and related with pictures, quoted-printable and base64 parts in any
 * charset iconv-lite knows, RFC 2047 encoded words in headers. Subject → headline, From → byline
 * and source, Message-ID → guid, Date → versionCreated.
 *
 * The text arrives decoded by `decode.ts`; 8-bit parts are used as they are, encoded parts are
 * turned back into bytes and decoded with their own charset.
 */

/** Deepest MIME nesting accepted whatever the general depth limit (each level copies its body). */
const MAX_MIME_DEPTH = 16;

interface Part {
  headers: Map<string, string>;
  body: string;
}

interface ContentType {
  type: string;
  params: Record<string, string>;
}

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

/** Splits a header block from its body and unfolds continuation lines. */
function splitPart(raw: string): Part {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
    else {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      // The first occurrence wins (a forwarded block's headers come later).
      if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
      else last = undefined;
    }
  }
  return { headers, body };
}

function contentType(part: Part): ContentType {
  const raw = part.headers.get('content-type') ?? 'text/plain; charset=us-ascii';
  const [type = 'text/plain', ...rest] = raw.split(';');
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const re = /([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/g;
  const tail = rest.join(';');
  for (let m = re.exec(tail); m; m = re.exec(tail)) {
    const key = (m[1] as string).toLowerCase().replace(/\*$/, '');
    let value = m[2] as string;
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    // RFC 2231 extended value: charset'lang'percent-encoded
    if ((m[1] as string).endsWith('*') && /^[\w-]*'[\w-]*'/.test(value)) value = decodeURIComponent(value.replace(/^[\w-]*'[\w-]*'/, ''));
    params[key] = value;
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeQuotedPrintable(s: string): Buffer {
  const noSoft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < noSoft.length; i++) {
    const c = noSoft.charCodeAt(i);
    if (c === 61 /* = */ && /^[0-9A-Fa-f]{2}$/.test(noSoft.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(noSoft.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 128) bytes.push(c);
    else for (const b of Buffer.from(noSoft[i] as string, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes);
}

/** Decodes bytes in a charset; unknown charsets fall back to UTF-8 with a warning. */
function decodeCharset(bytes: Buffer, charset: string | undefined, warnings: string[]): string {
  const cs = (charset ?? 'utf-8').trim().toLowerCase();
  if (iconv.encodingExists(cs)) return iconv.decode(bytes, cs);
  warnings.push(`charset: "${cs}" unknown, read as UTF-8 (e-mail)`);
  return bytes.toString('utf8');
}

/** The text of a leaf part after its transfer encoding and charset. */
function partText(part: Part, warnings: string[]): string {
  const cte = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase().trim();
  const { params } = contentType(part);
  if (cte === 'quoted-printable') return decodeCharset(decodeQuotedPrintable(part.body), params.charset, warnings);
  if (cte === 'base64') return decodeCharset(Buffer.from(part.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'), params.charset, warnings);
  return part.body;
}

/** RFC 2047 encoded words (`=?utf-8?Q?…?=`, `=?iso-8859-1?B?…?=`) in a header value. */
export function decodeHeader(value: string): string {
  // Whitespace between two adjacent encoded words is not part of the text.
  const joined = value.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)/g, '$1');
  return joined.replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (whole, charset: string, enc: string, data: string) => {
    const cs = charset.toLowerCase().replace(/\*.*$/, '');
    if (!iconv.encodingExists(cs)) return whole;
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' '));
    return iconv.decode(bytes, cs);
  });
}

/** `"Jane Roe" <jane@example.com>` → name and address. */
function mailbox(raw: string): { name?: string; email?: string } {
  const value = decodeHeader(raw).trim();
  const angle = /^(.*?)<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (angle) {
    const name = (angle[1] as string).trim().replace(/^"(.*)"$/, '$1').trim();
    return name ? { name, email: angle[2] as string } : { email: angle[2] as string };
  }
  const paren = /^([^\s()]+@[^\s()]+)\s*\(([^)]*)\)$/.exec(value);
  if (paren) return { name: (paren[2] as string).trim() || undefined, email: paren[1] as string };
  if (/^[^\s@]+@[^\s@]+$/.test(value)) return { email: value };
  return value ? { name: value } : {};
}

interface Collected {
  html?: string;
  text?: string;
  images: DraftImage[];
}

/** Walks the MIME tree: HTML wins over text inside alternatives; pictures are collected. */
function walk(part: Part, acc: Collected, depth: number, input: ParseInput, warnings: string[]): Result<true, NormalizeError> {
  // Each level re-splits its body, so deep nesting costs memory: real mail nests a handful of levels.
  const maxDepth = Math.min(input.limits.maxDepth, MAX_MIME_DEPTH);
  if (depth > maxDepth) return fail('WIRE_ERR_TOO_DEEP', `input: e-mail MIME parts nested deeper than ${maxDepth}`);
  const ct = contentType(part);
  const disposition = (part.headers.get('content-disposition') ?? '').toLowerCase();
  if (ct.type.startsWith('multipart/')) {
    const boundary = ct.params.boundary;
    if (!boundary) return fail('WIRE_ERR_MIME_MALFORMED', `email: ${ct.type} without a boundary parameter`);
    const delimiter = `--${boundary}`;
    const chunks = part.body.split(delimiter);
    if (chunks.length < 2) return fail('WIRE_ERR_MIME_MALFORMED', `email: boundary "${boundary}" never appears in the ${ct.type} body`);
    const children: Part[] = [];
    // chunks[0] is the preamble; a chunk starting with "--" is the close delimiter (epilogue after it).
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith('--')) break;
      children.push(splitPart(chunk.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '')));
    }
    if (children.length > input.limits.maxItems) return fail('WIRE_ERR_TOO_MANY_ITEMS', `input: e-mail has ${children.length} MIME parts, limit ${input.limits.maxItems}`);
    if (ct.type === 'multipart/alternative') {
      // The last alternative is the richest (RFC 2046); take the first HTML, else text, from the end.
      const best = [...children].reverse().find((c) => contentType(c).type === 'text/html' || contentType(c).type.startsWith('multipart/')) ?? children.find((c) => contentType(c).type === 'text/plain');
      const rest = children.filter((c) => c !== best && contentType(c).type === 'text/plain');
      if (best) {
        const r = walk(best, acc, depth + 1, input, warnings);
        if (!r.ok) return r;
      }
      if (!acc.text) for (const c of rest) acc.text ??= partText(c, warnings);
      return ok(true);
    }
    for (const c of children) {
      const r = walk(c, acc, depth + 1, input, warnings);
      if (!r.ok) return r;
    }
    return ok(true);
  }
  if (ct.type === 'message/rfc822') return walk(splitPart(part.body), acc, depth + 1, input, warnings);
  if (ct.type.startsWith('image/')) {
    const cte = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
    if (cte === 'base64') {
      acc.images.push({ embedded: { contentType: ct.type, base64: part.body.replace(/[^A-Za-z0-9+/=]/g, '') } });
    }
    return ok(true);
  }
  if (disposition.startsWith('attachment')) return ok(true);
  if (ct.type === 'text/html' && acc.html === undefined) acc.html = partText(part, warnings);
  else if ((ct.type === 'text/plain' || ct.type === 'text') && acc.text === undefined) acc.text = partText(part, warnings);
  return ok(true);
}

/** Parses one e-mail message into one draft story. */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('e-mail', () => {
    const size = checkSize(input, 'e-mail');
    if (!size.ok) return size;
    // An mbox "From " separator line is not a header.
    const text = input.text.replace(/^\uFEFF/, '').replace(/^From [^\n]*\n/, '');
    const msg = splitPart(text);
    if (msg.headers.size === 0) return fail('WIRE_ERR_MIME_MALFORMED', 'email: no header block before the first blank line');
    const warnings: string[] = [];
    const draft: DraftStory = { format: 'email' };
    const subject = msg.headers.get('subject');
    const headline = subject ? decodeHeader(subject).replace(/^\s*((re|fwd?|aw|wg|tr|sv)\s*:\s*)+/i, '').trim() : '';
    if (headline) draft.headline = headline;
    const id = msg.headers.get('message-id');
    if (id) draft.guid = id.trim().replace(/^<|>$/g, '');
    const date = msg.headers.get('date');
    if (date) {
      const iso = normalizeDate(date.replace(/\s*\([^)]*\)\s*$/, ''));
      if (iso) draft.versionCreated = iso;
      else warnings.push(`Date: unreadable "${date}" (e-mail header)`);
    }
    const lang = msg.headers.get('content-language');
    if (lang) draft.language = lang.split(',')[0]?.trim();
    const from = msg.headers.get('from');
    if (from) {
      const mb = mailbox(from);
      if (mb.name) draft.bylines = [mb.email ? { name: mb.name, email: mb.email } : mb.name];
      const domain = mb.email?.split('@')[1];
      const source = mb.name ?? domain;
      if (source) draft.infoSources = [{ name: source, role: 'source', ...(domain ? { uri: `mailto:${mb.email}` } : {}) }];
    }
    const priority = msg.headers.get('x-priority');
    const p = priority ? Number.parseInt(priority, 10) : Number.NaN;
    if (p >= 1 && p <= 5) draft.urgency = p;
    const acc: Collected = { images: [] };
    const walked = walk(msg, acc, 1, input, warnings);
    if (!walked.ok) return walked;
    if (acc.html && acc.html.trim()) {
      const cleaned = cleanHtmlBody(acc.html, draft.headline, input.limits);
      draft.bodyHtml = cleaned.html;
      if (cleaned.images.length) acc.images.unshift(...cleaned.images);
    } else if (acc.text) {
      // Drop the signature block ("-- " line) and quoted replies.
      const body = acc.text.split(/\r?\n-- ?\r?\n/)[0] ?? '';
      draft.bodyText = paragraphs(body.split(/\r?\n/).filter((l) => !l.startsWith('>')).join('\n'));
    }
    if (acc.images.length > 0) draft.images = acc.images;
    if (!draft.headline) return fail('WIRE_ERR_NO_HEADLINE', 'headline: missing (e-mail Subject header)');
    if (warnings.length > 0) draft.warnings = warnings;
    return ok([draft]);
  });
}
