import type { DraftImage } from './draft';
import { cleanDecodedText } from '@wire/text';
import { cleanText } from './clean';

// "… Wednesday. [YONHAP]", "[AP/YONHAP]", "[JOONGANG PHOTO]" — capitals only, so "[sic]" and
// "[kim.sarah@joongang.co.kr]" are not credits.
const BRACKET_CREDIT = /\s*\[\s*([\p{Lu}\d][\p{Lu}\d .,&'’/-]{0,58}[\p{Lu}\d.])\s*\]\s*$/u;
// "(AP Photo/Ahn Young-joon)", "(Photo: Reuters)", "(Yonhap Photo)"
const PAREN_CREDIT = /\s*\(\s*((?:[\p{L}.&]+\s)?(?:Photo|Picture|Image|Foto)s?(?:\s*[/:]\s*|\s+by\s+|\s+courtesy\s+of\s+)[^()]{2,60}|[\p{L}.&]+\sPhoto|[^()]{1,40}\/(?:AP|AFP|Reuters|Getty Images|EPA|Yonhap|YONHAP|Xinhua|Bloomberg|dpa)[^()]{0,20})\s*\)\s*$/u;
// "… on Tuesday. Photo: Lee Jung-ho" / "Photo by Jane Doe"
const TRAILING_CREDIT = /\s+(?:Photos?|Pictures?|Images?|Credit)\s*(?::|by)\s*([^.:]{2,60})\.?\s*$/u;
// "… arrive. EXAMPLE/Ann Lee", "… Tuesday. REUTERS/Kim Hong-ji" (agency/photographer after the last sentence)
const AGENCY_SLASH_CREDIT = /(?<=[.!?"”])\s+(\p{Lu}{2,}[\p{Lu}.&-]*(?:\s\p{Lu}{2,}[\p{Lu}.&-]*)*\/\p{Lu}[\p{L}.'’-]*(?:\s\p{Lu}[\p{L}.'’-]*){0,3})$/u;

export function looksLikeBracketCredit(text: string): boolean {
  if (!text.endsWith(']')) return false;
  const m = BRACKET_CREDIT.exec(text.slice(-72));
  return m !== null && (/\p{Lu}{2}/u.test(m[1] ?? '') || m[1]!.includes('/'));
}

/**
 * Splits a credit suffix off a caption. The caption is plain text, already decoded (finalize
 * cleans a draft's caption once before it gets here): nothing in it is decoded again.
 *
 * @example splitCredit('Kim Jong-un steps down … Wednesday. [YONHAP]')
 * // { caption: 'Kim Jong-un steps down … Wednesday.', credit: 'YONHAP' }
 */
export function splitCredit(caption: string): { caption: string; credit?: string } {
  const text = cleanDecodedText(caption);
  // Credits sit at the end: match on the tail only (the patterns are anchored at the end and
  // would otherwise be tried from every position of a long caption), and only the patterns the
  // last character or a keyword allows.
  const offset = Math.max(0, text.length - 110);
  const tail = offset > 0 ? text.slice(offset) : text;
  const last = text[text.length - 1];
  const candidates = [
    last === ']' ? BRACKET_CREDIT : undefined,
    last === ')' ? PAREN_CREDIT : undefined,
    /Photo|Picture|Image|Credit/.test(tail) ? TRAILING_CREDIT : undefined,
    tail.includes('/') ? AGENCY_SLASH_CREDIT : undefined,
  ];
  for (const re of candidates) {
    if (!re) continue;
    const m = re.exec(tail);
    if (m?.[1] && offset + m.index > 0) {
      if (re === BRACKET_CREDIT && !/\p{Lu}{2}/u.test(m[1]) && !m[1].includes('/')) continue;
      return { caption: text.slice(0, offset + m.index).trim(), credit: m[1].trim() };
    }
  }
  return { caption: text };
}

/**
 * Of two credits for one picture, the more specific one: `AP/YONHAP` names the photographer's
 * agency and the distributor, so it wins over `YONHAP`; otherwise the one carrying more parts,
 * then the longer one, then the first.
 */
export function moreSpecificCredit(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b || a === b) return a;
  const pa = a.split('/').map((x) => x.trim().toLowerCase());
  const pb = b.split('/').map((x) => x.trim().toLowerCase());
  if (pa.length !== pb.length) return pa.length > pb.length ? a : b;
  return b.length > a.length ? b : a;
}

const key = (caption: string | undefined): string => (caption ?? '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * Cleans captions, splits credits and folds copies of one picture into one image: a scraped page
 * prints each caption twice (alt text and figcaption), sometimes with different credits; images
 * with the same caption (or the same source URL) become one, keeping the longer caption, the more
 * specific credit, the first source URL and the known dimensions.
 */
export function foldImages(images: DraftImage[]): DraftImage[] {
  const out: DraftImage[] = [];
  const keys: string[] = [];
  for (const raw of images) {
    const img = normalizeImage(raw);
    const k = key(img.caption);
    const at = out.findIndex((o, i) => {
      if (img.sourceUrl && o.sourceUrl === img.sourceUrl) return true;
      const ok = keys[i]!;
      return k.length > 0 && (ok === k || (k.length > 40 && ok.length > 40 && (ok.startsWith(k) || k.startsWith(ok))));
    });
    const twin = out[at];
    if (!twin) {
      out.push(img);
      keys.push(k);
      continue;
    }
    if ((img.caption?.length ?? 0) > (twin.caption?.length ?? 0)) {
      twin.caption = img.caption;
      keys[at] = k;
    }
    const credit = moreSpecificCredit(twin.credit, img.credit);
    if (credit) twin.credit = credit;
    twin.sourceUrl ??= img.sourceUrl;
    twin.embedded ??= img.embedded;
    twin.width ??= img.width;
    twin.height ??= img.height;
    twin.alt ??= img.alt;
  }
  return out;
}

function normalizeImage(raw: DraftImage): DraftImage {
  const img: DraftImage = { ...raw };
  let credit = raw.credit ? cleanText(raw.credit) : undefined;
  if (raw.caption) {
    const s = splitCredit(cleanText(raw.caption));
    img.caption = s.caption || undefined;
    credit = moreSpecificCredit(credit, s.credit);
  }
  let alt = raw.alt ? cleanText(raw.alt) : undefined;
  if (alt) {
    const s = splitCredit(alt);
    alt = s.caption;
    // The alt text is often the caption printed again, sometimes with its own credit.
    if (!img.caption && alt.length > 30) img.caption = alt;
    if (img.caption && key(alt) === key(img.caption)) credit = moreSpecificCredit(credit, s.credit);
  }
  if (alt) img.alt = alt;
  else delete img.alt;
  if (credit) img.credit = credit;
  else delete img.credit;
  if (!img.caption) delete img.caption;
  return img;
}
