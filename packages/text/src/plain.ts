import { decodeEntities } from './escape';

/**
 * Plain text: what every field of a story that is not an HTML body holds (headline, byline,
 * caption, names, keywords …). Plain text carries no markup at all — not even markup that only
 * appears once the entities are decoded — so a consumer that forgets to escape it still shows text.
 */

// C0 controls except TAB/LF/CR, DEL, C1 controls, zero-width and bidi marks that only ever appear
// in wire copy as transmission debris or copy-paste artefacts; soft hyphens break search.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g;
// Every Unicode space (NBSP, thin, ideographic …) becomes a plain space.
const SPACES = /[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
/**
 * NFC can only change text holding characters outside Latin (incl. Latin Extended, IPA and
 * spacing modifiers), general punctuation and currency signs: none of those has a canonical
 * decomposition or composes with a neighbour. Typographic quotes and dashes stay on the fast side.
 */
// eslint-disable-next-line no-control-regex
const MAY_NEED_NFC = /[^\u0000-\u02FF\u2010-\u206F\u20A0-\u20CF]/;
// Anything outside printable ASCII, doubled or edge whitespace.
const TIDY_ASCII = /[^\x20-\x7E]|\s\s|^\s|\s$/;

/** Most combining marks kept in a row: the limit of UAX #15's stream-safe text format. */
export const MAX_MARK_RUN = 30;
const LONG_MARK_RUN = new RegExp(`\\p{M}{${MAX_MARK_RUN + 1},}`, 'gu');

/**
 * Unicode NFC in linear time. Canonical reordering sorts each run of combining marks in time
 * quadratic in the run's length, so one letter carrying a few hundred thousand accents of mixed
 * classes would hold a thread for minutes. No script puts more than a few marks on one letter:
 * runs longer than `MAX_MARK_RUN` are cut to it first (UAX #15's stream-safe format bounds them
 * the same way).
 *
 * @example toNfc('e\u0301') // 'é'
 */
export function toNfc(s: string): string {
  if (!MAY_NEED_NFC.test(s)) return s;
  return s.replace(LONG_MARK_RUN, (run) => Array.from(run).slice(0, MAX_MARK_RUN).join('')).normalize('NFC');
}

/**
 * Text hygiene for one run of decoded text: removes control and invisible characters, turns
 * exotic spaces into spaces, collapses whitespace (line breaks included) and trims; Unicode NFC
 * (`toNfc`: runs of more than 30 combining marks are cut to 30).
 * Typographic quotes and dashes are kept. Decodes nothing and strips nothing.
 *
 * @example tidyText('  Kim\u00A0says \u2018hi\u2019\u0007 ') // 'Kim says ‘hi’'
 */
export function tidyText(input: string): string {
  if (input.length === 0 || !TIDY_ASCII.test(input)) return input;
  return toNfc(input.replace(INVISIBLE, '').replace(SPACES, ' ').replace(/\s+/g, ' ').trim());
}

/** What starts markup in HTML: `<` before a letter (a tag), `/` (an end tag), `!` or `?` (comments, CDATA, declarations). */
const MARKUP_START = /<[A-Za-z/!?]/;

/** Elements of HTML (current and obsolete), SVG and MathML: a tag with one of these names is markup. */
const ELEMENTS = new Set(
  (
    'a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink blockquote body br button ' +
    'canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em embed fieldset ' +
    'figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img input ins ' +
    'isindex kbd keygen label legend li link listing main map mark marquee menu menuitem meta meter multicol nav nextid nobr ' +
    'noembed noframes noscript object ol optgroup option output p param picture plaintext portal pre progress q rb rp rt rtc ' +
    'ruby s samp script search section select slot small source spacer span strike strong style sub summary sup table tbody td ' +
    'template textarea tfoot th thead time title tr track tt u ul var video wbr xmp ' +
    'svg animate animatemotion animatetransform circle clippath defs desc discard ellipse feblend fecolormatrix ' +
    'fecomponenttransfer fecomposite feconvolvematrix fediffuselighting fedisplacementmap fedistantlight fedropshadow feflood ' +
    'fefunca fefuncb fefuncg fefuncr fegaussianblur feimage femerge femergenode femorphology feoffset fepointlight ' +
    'fespecularlighting fespotlight fetile feturbulence filter foreignobject g line lineargradient marker mask metadata mpath ' +
    'path pattern polygon polyline radialgradient rect set stop switch symbol text textpath tspan use view ' +
    'math maction annotation annotation-xml menclose merror mfenced mfrac mglyph mi mlabeledtr mmultiscripts mn mo mover ' +
    'mpadded mphantom mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder munderover semantics'
  ).split(' '),
);
/** Elements whose content is code or chrome, never text: removed with their content. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'template', 'svg', 'math', 'object', 'plaintext']);
/** Elements that end a line of text: removing them leaves a space, so words do not run together. */
const BREAKS = new Set(['p', 'br', 'div', 'li', 'dd', 'dt', 'tr', 'td', 'th', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'section', 'article', 'header', 'footer', 'ul', 'ol', 'table', 'caption', 'figcaption']);
/**
 * Angle brackets around words that name no element — an agency's ticker or company (`<UAL>`,
 * `<IBM.N>`, `<EUR=>`, `<Goldman, Sachs and Co>`, `<Guardian-Morton Shulman Precious Metals Inc>`)
 * — are text. In HTML they would be an unknown element whose attributes have no values: inert,
 * with nothing to run, load or reparse. No `=` after the first word, no quote, slash or backquote.
 * A ticker that is also an element's name (`<DD>`, `<NAV>`) cannot be told from markup and goes.
 */
const INERT_TAG = /^[A-Za-z][A-Za-z0-9._:=#+&',-]*(?:\s+[A-Za-z0-9._:#+&'(),-]+)*$/;

/** One pass of `stripMarkup`; `removed` says whether anything was taken out. */
function stripOnce(text: string): { out: string; removed: boolean } {
  let out = '';
  let removed = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, lt);
    const next = text.charCodeAt(lt + 1);
    const isLetter = (next >= 65 && next <= 90) || (next >= 97 && next <= 122);
    if (!isLetter && next !== 47 /* / */ && next !== 33 /* ! */ && next !== 63 /* ? */) {
      out += '<';
      i = lt + 1;
      continue;
    }
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      i = end === -1 ? n : end + 3;
      removed = true;
      continue;
    }
    // A tag runs to its `>`; a `<` before that starts the next candidate (`<b <i>`).
    let end = lt + 1;
    while (end < n && text.charCodeAt(end) !== 62 /* > */ && text.charCodeAt(end) !== 60 /* < */) end++;
    const closed = end < n && text.charCodeAt(end) === 62;
    i = closed ? end + 1 : end;
    if (isLetter) {
      const inner = text.slice(lt + 1, end);
      const name = /^[^\s/>]*/.exec(inner)![0].toLowerCase();
      if (closed && !ELEMENTS.has(name) && INERT_TAG.test(inner)) {
        out += text.slice(lt, i);
        continue;
      }
      if (BREAKS.has(name)) out += ' ';
      if (RAW_TEXT.has(name) && closed) {
        const close = new RegExp(`</${name}(?=[\\s/>]|$)`, 'gi');
        close.lastIndex = i;
        const m = close.exec(text);
        const gt = m ? text.indexOf('>', m.index) : -1;
        i = gt === -1 ? n : gt + 1;
      }
    } else if (BREAKS.has(/^\/([^\s/>]*)/.exec(text.slice(lt + 1, end))?.[1]?.toLowerCase() ?? '')) out += ' ';
    removed = true;
  }
  return { out, removed };
}

/**
 * Removes markup from plain text: comments, declarations, end tags, tags of HTML/SVG/MathML
 * elements or with attributes, and the content of script-like elements (`AT&T <script>x</script>`
 * → `AT&T `). A bare name in angle brackets that is no element (`Chrysler Corp <C>`, an agency's
 * ticker) is text and stays: with no attribute and no known name it is inert in any HTML. Nothing
 * is decoded. Linear in the length of the text; afterwards nothing in the text is markup, even
 * where removing one tag brought the halves of another together (`<<b>script>`).
 *
 * @example stripMarkup('5 < 6 and <b>bold</b> <UAL>') // '5 < 6 and bold <UAL>'
 */
export function stripMarkup(text: string): string {
  if (!MARKUP_START.test(text)) return text;
  const first = stripOnce(text);
  if (!first.removed || !MARKUP_START.test(first.out)) return first.out;
  // Removing markup may have joined `<` and a name that were apart: if a second pass still finds
  // markup, the text was built to smuggle it, and every `<` that could open a tag goes.
  const second = stripOnce(first.out);
  return second.removed ? second.out.replace(/<+(?=[A-Za-z/!?])/g, '') : first.out;
}

/**
 * Plain text from text that may carry HTML (a headline, a byline, a caption from any format):
 * markup removed (`stripMarkup`), entities decoded exactly once (`&amp;lt;` stays the text
 * `&lt;`), markup that decoding revealed (`&lt;script&gt;`) removed too, then tidied (`tidyText`).
 *
 * @example cleanText('Council <script>alert(1)</script> votes') // 'Council votes'
 * @example cleanText('AT&amp;T&nbsp;wins') // 'AT&T wins'
 */
export function cleanText(input: string): string {
  if (input.length === 0) return input;
  const hasMarkup = MARKUP_START.test(input);
  if (!hasMarkup && !input.includes('&')) return tidyText(input);
  return tidyText(stripMarkup(decodeEntities(hasMarkup ? stripMarkup(input) : input)));
}

/**
 * Plain text from text that is already decoded (an engine's translation, a value a parser decoded):
 * markup removed (`stripMarkup`) and tidied, entities left as they are.
 */
export function cleanDecodedText(input: string): string {
  return tidyText(stripMarkup(input));
}
