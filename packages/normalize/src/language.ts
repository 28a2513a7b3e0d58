import { franc } from 'franc-min';

// ISO 639-3 codes franc-min can return → BCP 47 primary tags.
const TO_BCP47: Record<string, string> = {
  eng: 'en', spa: 'es', fra: 'fr', deu: 'de', por: 'pt', ita: 'it', nld: 'nl', swe: 'sv', pol: 'pl',
  rus: 'ru', ukr: 'uk', bel: 'be', bul: 'bg', ces: 'cs', hrv: 'hr', srp: 'sr', bos: 'bs', hun: 'hu',
  ron: 'ro', tur: 'tr', arb: 'ar', pes: 'fa', urd: 'ur', hin: 'hi', mar: 'mr', npi: 'ne', ben: 'bn',
  ind: 'id', zlm: 'ms', vie: 'vi', tgl: 'tl', jav: 'jv', sun: 'su', ceb: 'ceb', swh: 'sw', hau: 'ha',
  yor: 'yo', ibo: 'ig', zul: 'zu', som: 'so', kin: 'rw', run: 'rn', nya: 'ny', lin: 'ln', kaz: 'kk',
  uzn: 'uz', azj: 'az', ckb: 'ckb', pbu: 'ps', cmn: 'zh', jpn: 'ja', kor: 'ko', tha: 'th', ell: 'el',
  heb: 'he', kat: 'ka', hye: 'hy', tam: 'ta', tel: 'te', kan: 'kn', mal: 'ml', guj: 'gu', pan: 'pa',
  khm: 'km', lao: 'lo', mya: 'my', sin: 'si', amh: 'am', plt: 'mg', ilo: 'ilo', mai: 'mai', bho: 'bho',
  mag: 'mag', skr: 'skr', qug: 'qug', fuv: 'fuv', koi: 'koi', hms: 'hms', hnj: 'hnj', lic: 'lic', zyb: 'zyb',
  ari: 'ari', bic: 'bic', mad: 'mad', tin: 'tin',
};

/**
 * Detects the language of a story's text (headline and the first paragraphs) as a BCP 47 tag.
 * Returns `undefined` for text too short to tell.
 */
export function detectLanguage(text: string): string | undefined {
  const sample = text.length > 1200 ? text.slice(0, 1200) : text;
  if (sample.replace(/\s+/g, '').length < 20) return undefined;
  const code = franc(sample, { minLength: 20 });
  if (code === 'und') return undefined;
  return TO_BCP47[code] ?? code;
}

/** Normalizes a declared language tag: `EN_us` → `en-US`, `eng` → `en`. */
export function normalizeLanguage(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const t = tag.trim().replace(/_/g, '-');
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(t)) return undefined;
  const [primary = '', ...rest] = t.split('-');
  const p = primary.toLowerCase();
  const base = p.length === 3 && TO_BCP47[p] ? TO_BCP47[p] : p;
  return [base, ...rest.map((r) => (r.length === 2 ? r.toUpperCase() : r.length === 4 ? r[0]!.toUpperCase() + r.slice(1).toLowerCase() : r))].join('-');
}
