import { parse } from 'parse5';
import { sanitizeHtml } from './sanitize';

/**
 * Test-only: what a browser builds from a string put into a page, read with parse5 (the WHATWG
 * HTML parsing algorithm, tree construction included, so mXSS tricks that depend on how a
 * browser nests `<svg>`, `<math>`, `<noscript>` or tables are judged as a browser would).
 */

interface Built {
  elements: Array<{ name: string; attributes: Array<[string, string]> }>;
  comments: number;
}

type P5Node = { nodeName: string; tagName?: string; attrs?: Array<{ name: string; value: string }>; childNodes?: P5Node[]; content?: P5Node };

function build(fragment: string): Built {
  const doc = parse(`<!DOCTYPE html><html><head></head><body><div>${fragment}</div></body></html>`) as unknown as P5Node;
  const out: Built = { elements: [], comments: 0 };
  const walk = (node: P5Node, inBody: boolean): void => {
    for (const c of [...(node.childNodes ?? []), ...(node.content ? [node.content] : [])]) {
      if (c.nodeName === '#comment') out.comments++;
      if (c.tagName === undefined) {
        walk(c, inBody);
        continue;
      }
      // The page skeleton the fragment was put into is not what the fragment built.
      const skeleton = c.tagName === 'html' || c.tagName === 'head' || c.tagName === 'body';
      if (!skeleton && inBody) out.elements.push({ name: c.tagName, attributes: (c.attrs ?? []).map((a) => [a.name, a.value]) });
      walk(c, inBody || c.tagName === 'body' || c.tagName === 'head');
    }
  };
  walk(doc, false);
  // The wrapper div.
  out.elements.shift();
  return out;
}

const ALLOWED_BODY_ELEMENTS = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'blockquote', 'pre', 'tr', 'td', 'th', 'dd', 'dt', 'br', 'hr', 'a', 'b', 'strong', 'i', 'em',
  'u', 'sub', 'sup', 'q', 'cite', 'abbr', 'code', 'small', 's', 'ul', 'ol', 'table', 'thead', 'tbody', 'dl',
]);
const ALLOWED_LINK = /^(?:https?:\/\/[^\s]+|urn:[a-z0-9][a-z0-9-]*:\S+)$/i;

/** What a browser would build from `html` as a story body that is outside the allowed subset (elements, attributes, links, comments). */
export function bodyProblems(html: string): string[] {
  const built = build(html);
  const problems: string[] = [];
  if (built.comments > 0) problems.push(`${built.comments} comment(s)`);
  for (const e of built.elements) {
    if (!ALLOWED_BODY_ELEMENTS.has(e.name)) problems.push(`element <${e.name}>`);
    for (const [name, value] of e.attributes) {
      if (e.name !== 'a' || name !== 'href') problems.push(`attribute ${name} on <${e.name}>`);
      else if (!ALLOWED_LINK.test(value)) problems.push(`href ${JSON.stringify(value)}`);
    }
  }
  return problems;
}

/** What a browser would build from `text` put into a page unescaped: any element or comment at all. */
export function textProblems(text: string): string[] {
  const built = build(text);
  const problems: string[] = [];
  if (built.comments > 0) problems.push(`${built.comments} comment(s)`);
  for (const e of built.elements) problems.push(`element <${e.name}${e.attributes.map(([n, v]) => ` ${n}="${v}"`).join('')}>`);
  return problems;
}

/** Link fields by name, as the canonical story and ninjs name them (`uri`, `href`, `sourceUrl`, `…Uri`). */
const LINK_KEY = /^(?:uri|url|href)$|(?:Uri|Url|Href)$/;
const CONTACT_LINK = /^mailto:[^\s<>"]+$/i;
/** Strings that are not text for a reader: hashes, base64, ids of stored objects. */
const OPAQUE = new Set(['contentHash', 'sha256', 'base64', 'key']);
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * True when every `<` of `html` opens a bare tag of the body subset (a link only with an allowed
 * href): a browser builds nothing else from it (no attribute, no comment, no other element), so
 * the full parse — slow on the megabytes a flood leaves — cannot find a problem there.
 */
function plainSubset(html: string): boolean {
  let tags = 0;
  for (const m of html.matchAll(/<[^<>]*>/g)) {
    const bare = /^<\/?([a-z][a-z0-9]*)>$/i.exec(m[0]);
    const href = bare ? undefined : /^<a href="([^"<>]*)">$/.exec(m[0])?.[1];
    if (bare ? !ALLOWED_BODY_ELEMENTS.has((bare[1] ?? '').toLowerCase()) : href === undefined || !ALLOWED_LINK.test(href)) return false;
    tags++;
  }
  let opens = 0;
  for (let i = html.indexOf('<'); i !== -1; i = html.indexOf('<', i + 1)) opens++;
  return opens === tags;
}

/**
 * Problems of every string in a document (a canonical story, a translated variant, their ninjs),
 * judged by its key as a consumer would use it: `bodyHtml` and ninjs bodies with an HTML content
 * type by `bodyProblems` and must not change when sanitized again; link fields (`uri`, `href`,
 * `sourceUrl`, `…Uri`/`…Url`/`…Href`) absolute http(s) or urn URIs (contact details also
 * `mailto:`); every other string by `textProblems`; none with a control character but tab and line
 * breaks. Hashes, base64 and storage keys are opaque.
 */
export function outputProblems(doc: unknown): string[] {
  const out: string[] = [];
  const visit = (value: unknown, path: string, key: string, parent: Record<string, unknown> | undefined): void => {
    if (typeof value === 'string') {
      if (OPAQUE.has(key)) return;
      if (CONTROLS.test(value)) out.push(`${path}: control character`);
      const html = key === 'bodyHtml' || (key === 'value' && typeof parent?.contentType === 'string' && /html/.test(parent.contentType));
      if (html) {
        if (!plainSubset(value)) out.push(...bodyProblems(value).map((p) => `${path}: ${p}`));
        if (sanitizeHtml(value) !== value) out.push(`${path}: changes when sanitized again`);
        return;
      }
      if (LINK_KEY.test(key)) {
        const contact = path.includes('contactInfo');
        if (!ALLOWED_LINK.test(value) && !(contact && CONTACT_LINK.test(value))) out.push(`${path}: link ${JSON.stringify(value.slice(0, 80))}`);
        return;
      }
      // Without a "<" a browser builds no element and no comment from text.
      if (value.includes('<')) out.push(...textProblems(value).map((p) => `${path}: ${p}`));
    } else if (Array.isArray(value)) {
      value.forEach((x, i) => visit(x, `${path}[${i}]`, key, parent));
    } else if (value && typeof value === 'object') {
      for (const [k, x] of Object.entries(value)) visit(x, path ? `${path}.${k}` : k, k, value as Record<string, unknown>);
    }
  };
  visit(doc, '', '', undefined);
  return out;
}

/**
 * The promise for plain text that may hold an agency's ticker (`<UAL>`): whatever a browser builds
 * from it is an unknown element whose attributes have no value — nothing runs, loads or reparses.
 */
export function inertTextProblems(text: string): string[] {
  const built = build(text);
  const problems: string[] = [];
  if (built.comments > 0) problems.push(`${built.comments} comment(s)`);
  for (const e of built.elements) {
    if (KNOWN.has(e.name)) problems.push(`element <${e.name}>`);
    for (const [n, v] of e.attributes) if (v !== '' || /^on/i.test(n)) problems.push(`attribute ${n}="${v}" on <${e.name}>`);
  }
  return problems;
}

const KNOWN = new Set(
  (
    'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col colgroup data datalist ' +
    'dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe ' +
    'image img input ins kbd label legend li link main map mark marquee menu meta meter nav noembed noframes noscript object ol optgroup ' +
    'option output p param picture plaintext pre progress q rp rt ruby s samp script section select slot small source span strong style ' +
    'sub summary sup svg math table tbody td template textarea tfoot th thead time title tr track u ul var video wbr xmp animate set use ' +
    'foreignobject mglyph mtext mi'
  ).split(' '),
);

/** Script and mXSS vectors, as the text of a field (a format's own syntax escapes them around it). */
export const HOSTILE_TEXT: readonly string[] = [
  'Council <script>alert(1)</script> votes',
  '<img src=x onerror=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<svg/onload=alert(1)>',
  '<svg><style><img src=x onerror=alert(1)></style></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<!--<img src=x onerror=alert(1)>-->',
  '<!--><img src=x onerror=alert(1)>-->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '<p>open <b>bold <i>both</p> after</b> tail',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '<<script>script>alert(1)<</script>/script>',
  '<scr<script>ipt>alert(1)</script>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&lt;img src=x onerror=alert(1)&gt;',
  '<a href="javascript:alert(1)">click</a>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<b onmouseover=alert(1)>hover</b>',
  '<details open ontoggle=alert(1)>',
  '<style>@import "javascript:alert(1)";</style>',
  '<template><img src=x onerror=alert(1)></template>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<textarea><img src=x onerror=alert(1)></textarea>',
  '<title><img src=x onerror=alert(1)></title>',
  '<div><style><!--</style><img src=x onerror=alert(1)>--></style></div>',
  '<svg><foreignObject><p><img src=x onerror=alert(1)></p></foreignObject></svg>',
  '<img src=x onerror=alert(1)',
  '<input autofocus onfocus=alert(1)>',
];

/** Links no story may carry: other schemes, schemes hidden behind entities, controls and spaces, relative references. */
export const HOSTILE_LINKS: readonly string[] = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'javascript&#x3a;alert(1)',
  'javascript&colon;alert(1)',
  '&#106;avascript:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  ' \u0001javascript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  '//evil.example/x',
  '/relative/path',
  'about:blank',
];
