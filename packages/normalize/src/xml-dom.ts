import { escapeAttribute, escapeTextKeepingEntities } from '@wire/text';

/**
 * The small read-only tree `parseXml` builds, and the lookups the format parsers share. Every
 * lookup matches by local name, so `<nitf:p>`, `<p>` and `<x:p>` are the same element: real feeds
 * drop or invent namespace prefixes, and no two wire formats here reuse a local name for
 * different things within the same parent.
 */

/** An element. `attrs` has no prototype, so any attribute name is safe as a key. */
export interface XmlElement {
  /** Qualified name as written, e.g. `nitf:p`. */
  name: string;
  /** Local name, e.g. `p`. */
  local: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Offset of the start tag in the source (for error messages). */
  pos: number;
}

/** A CDATA section (kept apart: real feeds ship HTML bodies inside CDATA). */
interface XmlCdata {
  cdata: string;
}

/** Text (entities decoded), CDATA or an element. */
export type XmlNode = string | XmlCdata | XmlElement;

const isElement = (n: XmlNode): n is XmlElement => typeof n !== 'string' && 'local' in n;
const isCdata = (n: XmlNode): n is XmlCdata => typeof n !== 'string' && 'cdata' in n;

/** Direct child elements, optionally only those with one of the given local names. */
export function elements(el: XmlElement | undefined, ...locals: string[]): XmlElement[] {
  if (!el) return [];
  const out: XmlElement[] = [];
  for (const c of el.children) if (isElement(c) && (locals.length === 0 || locals.includes(c.local))) out.push(c);
  return out;
}

/** The first direct child with the given local name; with several names, a path (`child(a, 'b', 'c')` = a/b/c). */
export function child(el: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = el;
  for (const local of path) {
    if (!cur) return undefined;
    let next: XmlElement | undefined;
    for (const c of cur.children) {
      if (isElement(c) && c.local === local) {
        next = c;
        break;
      }
    }
    cur = next;
  }
  return cur;
}

/** The first descendant (depth first, document order) with one of the given local names. */
export function find(el: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  return el ? findDeep(el, locals) : undefined;
}

function findDeep(el: XmlElement, locals: string[]): XmlElement | undefined {
  for (const c of el.children) {
    if (typeof c === 'string' || !('local' in c)) continue;
    if (locals.includes(c.local)) return c;
    const deep = findDeep(c, locals);
    if (deep) return deep;
  }
  return undefined;
}

/** Every descendant with one of the given local names, in document order (not inside matches). */
export function findAll(el: XmlElement | undefined, ...locals: string[]): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (typeof c === 'string' || !('local' in c)) continue;
      if (locals.includes(c.local)) out.push(c);
      else walk(c);
    }
  };
  if (el) walk(el);
  return out;
}

/** The first element among `roots` (or their descendants) with the given local name. */
export function findIn(roots: XmlElement[], ...locals: string[]): XmlElement | undefined {
  for (const r of roots) {
    if (locals.includes(r.local)) return r;
    const deep = findDeep(r, locals);
    if (deep) return deep;
  }
  return undefined;
}

/** An attribute by local name (`attr(el, 'lang')` finds `xml:lang` too). */
export function attr(el: XmlElement | undefined, local: string): string | undefined {
  if (!el) return undefined;
  const direct = el.attrs[local];
  if (direct !== undefined) return direct;
  for (const k in el.attrs) {
    const colon = k.indexOf(':');
    if (colon !== -1 && k.slice(colon + 1) === local && !k.startsWith('xmlns')) return el.attrs[k];
  }
  return undefined;
}

/** All text inside an element (text and CDATA), whitespace collapsed and trimmed. */
export function text(el: XmlElement | undefined): string {
  if (!el) return '';
  return collapse(rawText(el));
}

/** All text inside an element, as written (entities decoded), without collapsing whitespace. */
export function rawText(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (typeof c === 'string') out += c;
    else if (isCdata(c)) out += c.cdata;
    else out += rawText(c);
  }
  return out;
}

/** Collapses runs of whitespace to one space and trims. */
function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Text of the first direct child with that local name, or `undefined` when missing or empty. */
export function childText(el: XmlElement | undefined, ...path: string[]): string | undefined {
  const t = text(child(el, ...path));
  return t.length > 0 ? t : undefined;
}

const VOID = new Set(['br', 'hr', 'img', 'meta', 'link', 'input', 'area', 'base', 'col', 'embed', 'source', 'track', 'wbr']);


/**
 * How `toHtml` maps one element: a new tag name, `'unwrap'` (keep the children, drop the tag),
 * `'drop'` (drop it with its content) or `undefined` (keep as is, local name).
 */
export type HtmlMapper = (el: XmlElement) => string | 'unwrap' | 'drop' | undefined;

/**
 * Serializes the children of an element as an HTML string: local names, no namespace
 * declarations or prefixed attributes, text re-escaped. Unknown named entities that the XML left
 * literal (`&nbsp;`) stay entities. CDATA is emitted as is, because feeds that wrap a body in CDATA
 * wrap HTML. The output still goes through the shared sanitizer; this only keeps the markup.
 */
export function toHtml(nodes: XmlNode[], map?: HtmlMapper): string {
  let out = '';
  for (const c of nodes) {
    if (typeof c === 'string') out += escapeTextKeepingEntities(c);
    else if (isCdata(c)) out += c.cdata;
    else {
      const mapped = map ? map(c) : undefined;
      if (mapped === 'drop') continue;
      if (mapped === 'unwrap') {
        out += toHtml(c.children, map);
        continue;
      }
      const tag = mapped ?? c.local;
      let attrs = '';
      for (const k in c.attrs) {
        if (k === 'xmlns' || k.includes(':')) continue;
        attrs += ` ${k}="${escapeAttribute(c.attrs[k] ?? '')}"`;
      }
      if (VOID.has(tag)) out += `<${tag}${attrs}>`;
      else out += `<${tag}${attrs}>${toHtml(c.children, map)}</${tag}>`;
    }
  }
  return out;
}
