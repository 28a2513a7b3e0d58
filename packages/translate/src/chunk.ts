import pMap from 'p-map';
import type { ProviderLimits, Segment, TextFormat } from './translator';

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * Split `text` into pieces of at most `maxChars` (and `maxBytes` UTF-8 bytes when given), at
 * sentence ends where possible, else at spaces, else hard. In HTML only where no element is open,
 * so each piece stays well-formed. Pieces drop the whitespace they were split at; join with ' '.
 */
export function splitLongText(text: string, format: TextFormat, maxChars: number, maxBytes = Infinity): string[] {
  const fits = (s: string) => s.length <= maxChars && utf8Length(s) <= maxBytes;
  if (fits(text)) return [text];
  // Candidate cut points: after sentence punctuation + space (preferred) or any space, at depth 0.
  const sentenceCuts: number[] = [];
  const spaceCuts: number[] = [];
  let depth = 0;
  let inTag = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (format === 'html') {
      if (c === '<') {
        inTag = true;
        const closing = text[i + 1] === '/';
        const end = text.indexOf('>', i);
        const selfClosing = end > 0 && (text[end - 1] === '/' || /^<(br|img|hr|wbr|input|meta|link)\b/i.test(text.slice(i, end)));
        if (closing) depth = Math.max(0, depth - 1);
        else if (!selfClosing && text[i + 1] !== '!') depth++;
        continue;
      }
      if (c === '>') {
        inTag = false;
        continue;
      }
      if (inTag || depth > 0) continue;
    }
    if (/\s/.test(c)) {
      spaceCuts.push(i);
      if (i > 0 && /[.!?;:…"”’)]/.test(text[i - 1]!)) sentenceCuts.push(i);
    }
  }
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    const rest = text.slice(start);
    if (fits(rest)) {
      pieces.push(rest);
      break;
    }
    const pick = (cuts: number[]) => {
      let best = -1;
      for (const c of cuts) if (c > start && fits(text.slice(start, c))) best = c;
      return best;
    };
    let cut = pick(sentenceCuts);
    if (cut < 0) cut = pick(spaceCuts);
    if (cut < 0) {
      // No usable space: cut hard at the largest prefix that fits (a very long token or element).
      let end = start + Math.min(maxChars, rest.length);
      while (end > start + 1 && !fits(text.slice(start, end))) end--;
      pieces.push(text.slice(start, end));
      start = end;
      continue;
    }
    pieces.push(text.slice(start, cut));
    start = cut;
    while (start < text.length && /\s/.test(text[start]!)) start++;
  }
  return pieces.filter((p) => p.length > 0);
}

/** One provider request: texts of one format (or mixed, see `ProviderLimits.mixedFormats`), with where each belongs. */
export interface Batch {
  format: TextFormat;
  texts: string[];
  /** Each text's own format (all equal to `format` unless the provider mixes formats). */
  formats: TextFormat[];
  /** For each text, the segment index it belongs to. */
  owners: number[];
}

/**
 * Pack segments into requests within `limits`: same-format texts together, at most
 * `maxTextsPerRequest` texts and `maxCharsPerRequest` characters (and bytes) per request, long
 * segments split first. Empty segments are left out (they translate to '').
 */
export function planBatches(segments: readonly Segment[], limits: ProviderLimits): Batch[] {
  const maxBytes = limits.maxBytesPerRequest ?? Infinity;
  const batches: Batch[] = [];
  const open = new Map<string, { batch: Batch; chars: number; bytes: number }>();
  segments.forEach((seg, index) => {
    if (seg.text.trim() === '') return;
    const lane = limits.mixedFormats ? 'any' : seg.format;
    for (const piece of splitLongText(seg.text, seg.format, limits.maxCharsPerRequest, maxBytes)) {
      const bytes = maxBytes === Infinity ? 0 : utf8Length(piece);
      let cur = open.get(lane);
      if (
        !cur ||
        cur.batch.texts.length >= limits.maxTextsPerRequest ||
        cur.chars + piece.length > limits.maxCharsPerRequest ||
        cur.bytes + bytes > maxBytes
      ) {
        cur = { batch: { format: seg.format, texts: [], formats: [], owners: [] }, chars: 0, bytes: 0 };
        open.set(lane, cur);
        batches.push(cur.batch);
      }
      cur.batch.texts.push(piece);
      cur.batch.formats.push(seg.format);
      cur.batch.owners.push(index);
      cur.chars += piece.length;
      cur.bytes += bytes;
    }
  });
  return batches;
}

/**
 * Translate segments through `send` (one provider request per batch, `concurrency` in flight) and
 * reassemble one output per segment, pieces of a split segment joined with a space.
 */
export async function translateInBatches(
  segments: readonly Segment[],
  limits: ProviderLimits,
  concurrency: number,
  send: (texts: string[], format: TextFormat, formats: TextFormat[]) => Promise<string[]>,
): Promise<string[]> {
  const batches = planBatches(segments, limits);
  const results = await pMap(batches, (b) => send(b.texts, b.format, b.formats), { concurrency });
  const parts: string[][] = segments.map(() => []);
  batches.forEach((b, bi) => b.owners.forEach((owner, ti) => parts[owner]!.push(results[bi]![ti] ?? '')));
  return parts.map((p) => p.join(' '));
}
