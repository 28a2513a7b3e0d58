import { cleanDecodedText, stripMarkup } from './plain';
import { sanitizeHtml } from './sanitize';
import { checkEmail, checkIdentifier, checkUri, effectiveScheme } from './uri';

/**
 * The last pass over a finished story, wherever one is made (normalize's finalize step, the
 * translator's variants): every string is what its field says it is. The field decides, by its
 * name, so a field added to the story later is covered without a change here:
 *
 * - `…Html` (`bodyHtml`): the one sanitizer;
 * - `uri`, `url`, `href`, `…Uri`, `…Url`, `…Href` (`sourceUrl`): an allowed link (`checkUri`);
 * - `email`, `…Email`: an e-mail address; `contactInfo[].value`/`uri` with a scheme: a contact URI;
 * - `guid`, `altIds[].value`: an identifier (`checkIdentifier`);
 * - `contentHash`, `sha256`, `base64`: opaque, left alone;
 * - every other string (headline, names, captions, keywords, body paragraphs, codes, warnings):
 *   plain text, markup removed (`stripMarkup`; nothing is decoded again).
 *
 * A value that fails its check is dropped (an entry named by an identifier — an alternative id, a
 * package member, a media object —, a contact entry, and a source's rendition without its href
 * (`sourceRenditions[]`) go whole) and
 * the story's `warnings` say which field and why — never the value itself, which may be hostile.
 */

type Kind = 'html' | 'link' | 'contact' | 'email' | 'id' | 'opaque' | 'text';

const OPAQUE = new Set(['contentHash', 'sha256', 'base64']);
const LINK_KEY = /^(?:uri|url|href)$|(?:Uri|Url|Href)$/;

function kindOf(key: string, parent: string | undefined): Kind {
  if (OPAQUE.has(key)) return 'opaque';
  if (key === 'html' || key.endsWith('Html')) return 'html';
  if (key === 'email' || key.endsWith('Email')) return 'email';
  if (parent === 'contactInfo' && (key === 'value' || key === 'uri' || key === 'href')) return 'contact';
  if (key === 'guid' || (parent === 'altIds' && key === 'value')) return 'id';
  if (LINK_KEY.test(key)) return 'link';
  return 'text';
}

/** What a check made of one value: keep it (possibly rewritten) or drop it. */
type Verdict = { keep: true; value: string } | { keep: false };

/**
 * Makes every field of a story safe to emit, in place, and appends a warning per value dropped or
 * rewritten. Returns the story.
 *
 * @example secureStory({ headline: 'Hi <script>x</script>', infoSources: [{ name: 'A', uri: 'javascript:x' }], warnings: [] })
 * // { headline: 'Hi', infoSources: [{ name: 'A' }], warnings: ['infoSources[0].uri: scheme "javascript" is not allowed; dropped'] }
 */
export function secureStory<T extends { warnings: string[] }>(story: T): T {
  const notes: string[] = [];
  const check = (kind: Kind, value: string, path: string): Verdict => {
    switch (kind) {
      case 'opaque':
        return { keep: true, value };
      case 'html':
        return { keep: true, value: sanitizeHtml(value, (d) => notes.push(`${path}: link dropped (${d.reason})`)) };
      case 'email': {
        const email = checkEmail(value);
        if (email) return { keep: true, value: email };
        notes.push(`${path}: not an e-mail address; dropped`);
        return { keep: false };
      }
      case 'contact':
      case 'link': {
        // A contact value that is no URI reference (a phone number, a postal address) is plain text.
        if (kind === 'contact' && effectiveScheme(value) === undefined && !/^\s*[/\\]/.test(value)) return check('text', value, path);
        const r = checkUri(value, kind);
        if (r.ok) return { keep: true, value: r.uri };
        notes.push(`${path}: ${r.reason}; dropped`);
        return { keep: false };
      }
      case 'id': {
        const r = checkIdentifier(value);
        if (r.ok) return check('text', value, path);
        notes.push(`${path}: ${r.reason}; dropped`);
        return { keep: false };
      }
      case 'text': {
        const clean = stripMarkup(value);
        if (clean === value) return { keep: true, value };
        // Warnings are plain text too; cleaning them needs no note of its own.
        if (!path.startsWith('warnings[')) notes.push(`${path}: markup removed`);
        return { keep: true, value: cleanDecodedText(clean) };
      }
    }
  };

  /**
   * Walks one object (every field, even after one failed); `false` when its id or contact value
   * failed and the object must go. The story itself cannot go: its own guid was checked when it
   * was made, and a failing one is removed like any other value.
   */
  const walkObject = (o: Record<string, unknown>, path: string, parent: string | undefined): boolean => {
    let keep = true;
    for (const key of Object.keys(o)) {
      const v = o[key];
      const at = path ? `${path}.${key}` : key;
      if (typeof v === 'string') {
        const kind = kindOf(key, parent);
        const r = check(kind, v, at);
        if (r.keep) o[key] = r.value;
        else {
          delete o[key];
          // An entry without its id, its contact value or (a source's rendition) its href means nothing: the entry goes.
          if (kind === 'id' || kind === 'contact' || (kind === 'link' && parent === 'sourceRenditions')) keep = false;
        }
      } else if (Array.isArray(v)) walkArray(v, at, key);
      else if (v !== null && typeof v === 'object') walkObject(v as Record<string, unknown>, at, key);
    }
    return keep;
  };

  const walkArray = (a: unknown[], path: string, key: string): void => {
    let w = 0;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      const at = `${path}[${i}]`;
      let keep = true;
      if (typeof v === 'string') {
        const r = check(kindOf(key, undefined), v, at);
        if (r.keep) a[i] = r.value;
        else keep = false;
      } else if (Array.isArray(v)) walkArray(v, at, key);
      else if (v !== null && typeof v === 'object') keep = walkObject(v as Record<string, unknown>, at, key);
      if (keep) a[w++] = a[i];
    }
    a.length = w;
  };

  walkObject(story as unknown as Record<string, unknown>, '', undefined);
  for (const note of notes) story.warnings.push(note);
  return story;
}
