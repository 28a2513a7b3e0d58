import type { DraftImage } from './draft';
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
  return BRACKET_CREDIT.test(text) && (/\p{Lu}{2}/u.test(BRACKET_CREDIT.exec(text)?.[1] ?? '') || /\//.test(text));
}

/**
 * Splits a credit suffix off a caption.
 *
 * @example splitCredit('Kim Jong-un steps down … Wednesday. [YONHAP]')
 * // { caption: 'Kim Jong-un steps down … Wednesday.', credit: 'YONHAP' }
 */
export function splitCredit(caption: string): { caption: string; credit?: string } {
  const text = cleanText(caption);
  for (const re of [BRACKET_CREDIT, PAREN_CREDIT, TRAILING_CREDIT, AGENCY_SLASH_CREDIT]) {
    const m = re.exec(text);
    if (m?.[1] && m.index > 0) {
      if (re === BRACKET_CREDIT && !/\p{Lu}{2}/u.test(m[1]) && !m[1].includes('/')) continue;
      return { caption: text.slice(0, m.index).trim(), credit: m[1].trim() };
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
  for (const raw of images) {
    const img = normalizeImage(raw);
    const k = key(img.caption);
    const twin = out.find(
      (o) =>
        (img.sourceUrl && o.sourceUrl === img.sourceUrl) ||
        (k.length > 0 && (key(o.caption) === k || (k.length > 40 && (key(o.caption).startsWith(k) || k.startsWith(key(o.caption)))))),
    );
    if (!twin) {
      out.push(img);
      continue;
    }
    if ((img.caption?.length ?? 0) > (twin.caption?.length ?? 0)) twin.caption = img.caption;
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
    const s = splitCredit(raw.caption);
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
