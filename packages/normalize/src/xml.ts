import { err, ok, type Result } from '@wire/schema';
import type { NormalizeLimits } from './draft';
import { normalizeError, type NormalizeError } from './errors';
import { overByteLimit } from './formats/common';
import type { XmlElement } from './xml-dom';

/**
 * The one safe XML entry point every XML wire format goes through.
 *
 * Why a small tokenizer of our own instead of a general XML library: wire XML needs exactly three
 * things a general parser does not give in one pass — refusing DTDs and entity declarations
 * before anything could expand them, a nesting-depth limit that holds on hostile input, and
 * errors that name the line. Nothing here ever expands an entity beyond the five predefined ones
 * and numeric character references, never reads a DTD and never touches the network, so XXE and
 * billion-laughs inputs are refused with a typed error, not defused after the fact.
 *
 * Leniency where real feeds are sloppy: namespace prefixes are resolved by local name only (a
 * missing namespace declaration is not an error), unknown named entities such as `&nbsp;` stay
 * literal in the text (the cleaning step decodes HTML entities), several root elements are kept,
 * and attributes without quotes or without value are accepted. Strictness where it matters:
 * mismatched or unclosed tags, DOCTYPEs and entity declarations are errors.
 */

export interface XmlParseOptions {
  /** Names the format in error messages, e.g. `NITF`. */
  label: string;
  limits: NormalizeLimits;
}

/** A parsed document: its top-level elements in document order (usually exactly one). */
export interface XmlDocument {
  roots: XmlElement[];
}

/**
 * Most elements one document may hold. Every element costs a few hundred bytes of heap, so a 5 MB
 * flood of `<a/>` would cost far more memory than its size; real wire documents hold a few thousand.
 */
export const MAX_ELEMENTS = 200_000;

/** Shared by every element without attributes (never mutated). */
const NO_ATTRS: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY_RE = /&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,9}|amp|lt|gt|quot|apos);/g;

/** Decodes the five predefined XML entities and numeric character references; nothing else. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY_RE, (whole, ref: string) => {
    if (ref.charCodeAt(0) !== 35 /* # */) return PREDEFINED[ref] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    // XML forbids NUL and surrogates as character references; keep the text readable instead.
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(code);
  });
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function isNameStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 58 || code > 127;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * Refuses a DOCTYPE: an entity declaration anywhere in it (internal subset) is an entity attack
 * (billion laughs, XXE via SYSTEM entities) and gets `WIRE_ERR_XML_ENTITY`; any other DOCTYPE
 * with an internal subset or an external DTD reference gets `WIRE_ERR_XML_DTD`. A bare
 * `<!DOCTYPE name>` declares nothing and is skipped. Returns the offset after the DOCTYPE.
 */
function scanDoctype(text: string, start: number, opts: XmlParseOptions): Result<number, NormalizeError> {
  const where = `${opts.label} line ${lineOf(text, start)}`;
  // The DOCTYPE ends at the first '>' outside quotes and outside the [...] internal subset.
  let i = start + 9;
  let depth = 0;
  let quote = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 91 /* [ */) depth++;
    else if (c === 93 /* ] */) depth--;
    else if (c === 62 /* > */ && depth <= 0) break;
  }
  const decl = text.slice(start, i + 1);
  if (/<!ENTITY/i.test(decl)) {
    return err(normalizeError('WIRE_ERR_XML_ENTITY', { reason: 'xml: DOCTYPE declares entities (entity expansion / XXE refused)', where }));
  }
  // An internal subset is where declarations (and so expansion attacks) live: refused. A bare
  // reference to an external DTD (`<!DOCTYPE nitf SYSTEM "nitf-3-2.dtd">`, common in real NITF
  // and NewsML 1.2 feeds) is only a name: it is never fetched nor read, so it is passed over.
  if (decl.includes('[')) {
    return err(normalizeError('WIRE_ERR_XML_DTD', { reason: 'xml: DOCTYPE with an internal subset refused', where }));
  }
  if (i >= text.length) return err(normalizeError('WIRE_ERR_XML_MALFORMED', { reason: 'xml: unterminated DOCTYPE', where }));
  return ok(i + 1);
}

/**
 * Parses wire XML safely. Never throws; every failure is a typed `NormalizeError`:
 * `WIRE_ERR_TOO_LARGE` (bytes over `limits.maxBytes`), `WIRE_ERR_XML_ENTITY` / `WIRE_ERR_XML_DTD`
 * (refused before anything is expanded), `WIRE_ERR_TOO_DEEP` (elements nested deeper than
 * `limits.maxDepth`), `WIRE_ERR_XML_MALFORMED` (with the line).
 *
 * @example
 * const doc = parseXml(text, { label: 'NITF', limits: DEFAULT_LIMITS });
 * if (doc.ok) findIn(doc.value.roots, 'nitf'); // from ./xml-dom
 */
export function parseXml(text: string, opts: XmlParseOptions): Result<XmlDocument, NormalizeError> {
  const { limits, label } = opts;
  if (overByteLimit(text, limits.maxBytes)) {
    return err(normalizeError('WIRE_ERR_TOO_LARGE', { reason: `input: ${label} document larger than ${limits.maxBytes} bytes`, limit: limits.maxBytes }));
  }
  const malformed = (reason: string, pos: number): Result<never, NormalizeError> =>
    err(normalizeError('WIRE_ERR_XML_MALFORMED', { reason: `xml: ${reason}`, where: `${label} line ${lineOf(text, pos)}` }));

  const roots: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let count = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const addText = (raw: string, pos: number): Result<never, NormalizeError> | undefined => {
    if (raw.length === 0) return undefined;
    const top = stack[stack.length - 1];
    if (!top) {
      if (raw.trim().length > 0) return malformed('text outside the root element', pos);
      return undefined;
    }
    top.children.push(decodeXmlEntities(raw));
    return undefined;
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt === -1) {
      const bad = addText(text.slice(i), i);
      if (bad) return bad;
      break;
    }
    if (lt > i) {
      const bad = addText(text.slice(i, lt), i);
      if (bad) return bad;
    }
    const c1 = text.charCodeAt(lt + 1);
    if (c1 === 63 /* ? */) {
      const end = text.indexOf('?>', lt + 2);
      if (end === -1) return malformed('unterminated processing instruction', lt);
      i = end + 2;
      continue;
    }
    if (c1 === 33 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt + 4);
        if (end === -1) return malformed('unterminated comment', lt);
        i = end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        if (end === -1) return malformed('unterminated CDATA section', lt);
        const top = stack[stack.length - 1];
        if (!top) return malformed('CDATA outside the root element', lt);
        top.children.push({ cdata: text.slice(lt + 9, end) });
        i = end + 3;
        continue;
      }
      const word = text.slice(lt + 2, lt + 9).toUpperCase();
      if (word === 'DOCTYPE') {
        const after = scanDoctype(text, lt, opts);
        if (!after.ok) return after;
        i = after.value;
        continue;
      }
      if (word.startsWith('ENTITY')) {
        return err(normalizeError('WIRE_ERR_XML_ENTITY', { reason: 'xml: entity declaration refused', where: `${label} line ${lineOf(text, lt)}` }));
      }
      return malformed(`unexpected markup declaration <!${text.slice(lt + 2, lt + 12)}`, lt);
    }
    if (c1 === 47 /* / */) {
      const end = text.indexOf('>', lt + 2);
      if (end === -1) return malformed('unterminated end tag', lt);
      const name = text.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (!top) return malformed(`end tag </${name}> without a start tag`, lt);
      if (top.name !== name) {
        return malformed(`expected </${top.name}> (opened line ${lineOf(text, top.pos)}) but found </${name}>`, lt);
      }
      i = end + 1;
      continue;
    }
    // Start tag.
    if (!isNameStart(c1)) return malformed(`'<' not followed by a tag name`, lt);
    let j = lt + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (isSpace(c) || c === 47 || c === 62) break;
      j++;
    }
    const name = text.slice(lt + 1, j);
    if (++count > MAX_ELEMENTS) {
      return err(normalizeError('WIRE_ERR_TOO_LARGE', { reason: `input: ${label} holds more than ${MAX_ELEMENTS} elements`, where: `${label} line ${lineOf(text, lt)}` }));
    }
    let attrs = NO_ATTRS;
    let selfClosing = false;
    let closed = false;
    while (j < n) {
      let c = text.charCodeAt(j);
      if (isSpace(c)) {
        j++;
        continue;
      }
      if (c === 62 /* > */) {
        j++;
        closed = true;
        break;
      }
      if (c === 47 /* / */ && text.charCodeAt(j + 1) === 62) {
        j += 2;
        selfClosing = true;
        closed = true;
        break;
      }
      if (c === 60 /* < */) return malformed(`unterminated start tag <${name}>`, lt);
      const an = j;
      while (j < n) {
        c = text.charCodeAt(j);
        if (isSpace(c) || c === 61 || c === 62 || (c === 47 && text.charCodeAt(j + 1) === 62)) break;
        j++;
      }
      const attrName = text.slice(an, j);
      if (attrName.length === 0) {
        j++;
        continue;
      }
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (attrs === NO_ATTRS) attrs = Object.create(null) as Record<string, string>;
      if (text.charCodeAt(j) !== 61 /* = */) {
        attrs[attrName] = ''; // lenient: HTML-style boolean attribute
        continue;
      }
      j++;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const q = text.charCodeAt(j);
      if (q === 34 || q === 39) {
        const end = text.indexOf(q === 34 ? '"' : "'", j + 1);
        if (end === -1) return malformed(`unterminated value of attribute ${attrName} in <${name}>`, lt);
        attrs[attrName] = decodeXmlEntities(text.slice(j + 1, end));
        j = end + 1;
      } else {
        // Lenient: unquoted attribute value up to whitespace or the end of the tag.
        const vs = j;
        while (j < n) {
          c = text.charCodeAt(j);
          if (isSpace(c) || c === 62 || (c === 47 && text.charCodeAt(j + 1) === 62)) break;
          j++;
        }
        attrs[attrName] = decodeXmlEntities(text.slice(vs, j));
      }
    }
    if (!closed) return malformed(`unterminated start tag <${name}>`, lt);
    const el: XmlElement = { name, local: localName(name), attrs, children: [], pos: lt };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else roots.push(el);
    // An element's depth is its ancestors plus itself, whether or not it is self-closing.
    if (stack.length + 1 > limits.maxDepth) {
      return err(
        normalizeError('WIRE_ERR_TOO_DEEP', {
          reason: `input: ${label} elements nested deeper than ${limits.maxDepth}`,
          where: `${label} line ${lineOf(text, lt)}`,
          limit: limits.maxDepth,
        }),
      );
    }
    if (!selfClosing) stack.push(el);
    i = j;
  }
  const open = stack[stack.length - 1];
  if (open) return malformed(`<${open.name}> is never closed`, open.pos);
  if (roots.length === 0) return malformed('no root element', 0);
  return ok({ roots });
}
