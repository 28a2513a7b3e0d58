import type { Block } from './blocks';
import type { DraftImage } from './draft';
import { escapeText } from '@wire/text';
import { looksLikeBracketCredit, splitCredit } from './credit';

/**
 * Rules for pages a republishing site printed (scraped HTML and plain-text pages): what is site
 * chrome, where the story ends, which paragraphs are picture captions.
 */

// Whole lines that are never copy.
const CHROME_LINES: RegExp[] = [
  /^[-–—•*\s]*advert[iy]?s[ei]?ment[-–—•*\s]*$/i,
  /^(sponsored( content| post)?|promoted( content)?|paid (content|post)|partner content)$/i,
  /^story continues below( this)?( advertisement)?$/i,
  /^(must read|editor'?s picks?|don'?t miss|breaking news|just in|live updates?)$/i,
  /^(read|see|watch) (more|next|also)\b.{0,120}$/i,
  /^(also read|related|more)\s*:.{0,160}$/i,
  /^(share|share (this|on|via)\b.{0,40}|tweet|e-?mail|print|facebook|twitter|x|whatsapp|linkedin|reddit|pinterest|telegram|copy link|copy|save|bookmark|comments?|\d+ comments?|leave a comment|listen( to (this )?(article|story))?|reprints?( (and|&) permissions)?|font size|a\+?|a-)$/i,
  /^(sign up|subscribe|join|get) (now|today|for|to|our)\b.{0,100}$/i,
  /^(newsletter|subscribe|log ?in|sign ?in|register|menu|search|home|close|skip to (main )?content|toggle navigation|back to top)$/i,
  /^(copyright|©|\(c\))\s*.{0,160}$/i,
  /^.{0,120}all rights reserved\.?$/i,
  /^(follow us|follow .{1,40} on (twitter|facebook|x|instagram|linkedin|google news)).{0,80}$/i,
  /^-?\d{1,3}\s?°\s?[FC]?$|^-?\d{1,3}\s?°?\s?[FC]$/,
  /^(mon|tues|wednes|thurs|fri|satur|sun)day,?\s+(\d{1,2}\s+)?[A-Z][a-z]+\.?\s+(\d{1,2},?\s+)?\d{4}$/i,
  /^(updated|published|posted|last updated)\s*:?\s.{0,60}\d{4}.{0,20}$/i,
  /^(photo|image|video) (gallery|credit)s?$/i,
  /^tags?\s*:.{0,200}$/i,
];

// A line after which nothing is copy any more (lists of other stories, comments, footers).
const TERMINAL = /^(related( articles| stories| news| content| posts| coverage| links)?|more (on|about) this( story| topic)?|most (read|popular|viewed|shared|commented)|trending( now| stories| news)?|you (may|might) (also )?like|recommended( for you| stories| reading)?|more from .{1,40}|more stories|latest( news| stories| headlines)|popular (posts|stories|now)|top stories|what to read next|read next|leave a (comment|reply)|comments|join the conversation|about the author|in other news)\s*:?$/i;

export function isChromeLine(text: string): boolean {
  if (text.length > 200 || (text.length > 60 && !/(reserved|copyright|©|advert|sponsor|read|share|sign|subscri|follow|join|get|updated|published|posted|tags?:|related|more)/i.test(text))) return false;
  for (const re of CHROME_LINES) if (re.test(text)) return true;
  return false;
}

export function isTerminalLine(text: string): boolean {
  return text.length <= 60 && TERMINAL.test(text);
}

const loose = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** True when two texts are the same words (case, punctuation and spacing aside). */
export function sameText(a: string, b: string): boolean {
  // Punctuation and spacing rarely differ by much: unequal lengths settle most pairs at once.
  if (Math.abs(a.length - b.length) > 12 + (a.length >> 4)) return false;
  return loose(a) === loose(b);
}

/**
 * Applies the page rules to a scraped body: drops chrome lines and the headline printed again,
 * cuts at the first "Related Articles"-style line once copy has started, and moves captions —
 * paragraphs ending in a capitals credit (`[YONHAP]`) or printed twice in a row (alt text and
 * figcaption) — into images, in the order they appear.
 */
export function applyPageRules(blocks: Block[], headline?: string): { blocks: Block[]; images: DraftImage[] } {
  const kept: Block[] = [];
  const images: DraftImage[] = [];
  // A paragraph's text is decoded; as a draft image's caption it is escaped again, since finalize
  // decodes every draft text once.
  const caption = (text: string): DraftImage => ({ caption: escapeText(text) });
  let copyStarted = false;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const t = b.text;
    if (isTerminalLine(t)) {
      if (copyStarted) break;
      continue;
    }
    if (isChromeLine(t)) continue;
    if (headline && sameText(t, headline)) continue;
    const next = blocks[i + 1];
    // Cheap checks first: copies of one caption have about the same length and the same start.
    const doubled =
      next !== undefined && t.length >= 30 && Math.abs(t.length - next.text.length) <= 40 && t.slice(0, 24) === next.text.slice(0, 24) && sameText(splitCredit(t).caption, splitCredit(next.text).caption);
    if (doubled) {
      images.push(caption(t), caption(next.text));
      i++;
      continue;
    }
    if (t.length >= 30 && looksLikeBracketCredit(t) && !/^by\s/i.test(t)) {
      images.push(caption(t));
      continue;
    }
    kept.push(b);
    // Copy has started after a real paragraph or a few short lines (tables of figures).
    if (t.length > 60 || kept.length >= 3) copyStarted = true;
  }
  return { blocks: kept, images };
}
