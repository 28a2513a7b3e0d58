import { parse } from 'parse5';

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
