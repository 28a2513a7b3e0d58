import { err, ok, type Result } from '@wire/schema';
import type { DraftStory, ParseInput } from '../draft';
import { cleanDecodedText } from '@wire/text';
import { normalizeError, type NormalizeError } from '../errors';
import { isChromeLine, isTerminalLine, sameText } from '../page-rules';

/** Options for pages whose headline is known from elsewhere (a JSONL line, an envelope). */
export interface TextPageOptions {
  headline?: string;
}

/**
 * A plain-text page as a site printed it (the seed): a weather/place/date header, the headline,
 * chrome lines, the copy with doubled captions, a byline, then lists of other stories. Each line
 * is a paragraph unless the text is hard-wrapped (then blank lines separate paragraphs). The page
 * rules in `finalize` remove the chrome and captions; here we find the headline and paragraphs.
 */
export function parse(input: ParseInput, opts: TextPageOptions = {}): Result<DraftStory[], NormalizeError> {
  const draft = parseTextPage(input.text, opts);
  if (!draft.headline) return err(normalizeError('WIRE_ERR_NO_HEADLINE', { reason: 'headline: no headline line found in the plain-text page (text)' }));
  return ok([draft]);
}

export function parseTextPage(text: string, opts: TextPageOptions = {}): DraftStory {
  const paragraphs = splitParagraphs(text);
  // Tidied but not decoded: finalize decodes every field once.
  let headline = opts.headline ? cleanDecodedText(opts.headline) : undefined;
  let start = 0;
  if (!headline) {
    // The headline is the first line that is not page chrome and reads like a headline.
    for (; start < paragraphs.length && start < 12; start++) {
      const p = paragraphs[start]!;
      if (isChromeLine(p) || isTerminalLine(p) || isPlaceLine(p, paragraphs, start)) continue;
      if (p.length <= 250) {
        headline = p;
        start++;
      }
      break;
    }
    if (!headline) start = 0;
  } else {
    const i = paragraphs.findIndex((p, k) => k < 12 && sameText(p, headline!));
    if (i >= 0) start = i + 1;
  }
  // Header lines above the headline (weather, city, page date) are chrome by position.
  const bodyText = paragraphs.slice(start);
  return { format: 'text', ...(headline ? { headline } : {}), bodyText };
}

/** A lone place name in the page header, next to the weather or the page date ("Los Angeles"). */
function isPlaceLine(p: string, all: string[], i: number): boolean {
  if (p.length > 40 || !/^[\p{Lu}][\p{L}.'-]*(?: [\p{Lu}][\p{L}.'-]*){0,3}$/u.test(p)) return false;
  const prev = all[i - 1];
  const next = all[i + 1];
  return (prev !== undefined && isChromeLine(prev)) || (next !== undefined && isChromeLine(next));
}

function splitParagraphs(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  // Hard-wrapped text: most lines of multi-line blocks end near one width. Then blank lines
  // separate paragraphs; otherwise every line is one.
  let wrappedVotes = 0;
  let lineVotes = 0;
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i]!.trimEnd();
    const b = lines[i + 1]!.trim();
    if (!a || !b) continue;
    if (a.length >= 50 && a.length <= 80 && !/[.!?:"”’)\]]$/.test(a)) wrappedVotes++;
    else lineVotes++;
  }
  // Every line is a paragraph unless the text is hard-wrapped (no spread: a hostile page has millions of lines).
  let out: string[] = lines;
  if (wrappedVotes > lineVotes * 2) {
    out = [];
    let cur = '';
    for (const l of lines) {
      if (!l.trim()) {
        if (cur) out.push(cur);
        cur = '';
      } else cur += (cur ? ' ' : '') + l.trim();
    }
    if (cur) out.push(cur);
  }
  return out.map(cleanDecodedText).filter(Boolean);
}
