import { normalizeLanguageTag } from '@wire/schema';
/**
 * Language codes. The pipeline speaks BCP 47 (`en`, `es`, `pt-BR`); Apertium speaks ISO 639-3
 * (`eng`, `spa`, `por`), with regional variants after an underscore (`eng_US`).
 */

const ISO639_1_TO_3: Record<string, string> = {
  af: 'afr', an: 'arg', ar: 'ara', ast: 'ast', be: 'bel', bg: 'bul', br: 'bre', ca: 'cat', cs: 'ces', cy: 'cym',
  da: 'dan', de: 'deu', el: 'ell', en: 'eng', eo: 'epo', es: 'spa', et: 'est', eu: 'eus', fa: 'fas', fi: 'fin',
  fr: 'fra', ga: 'gle', gl: 'glg', he: 'heb', hi: 'hin', hr: 'hrv', hu: 'hun', id: 'ind', is: 'isl', it: 'ita',
  ja: 'jpn', kk: 'kaz', ko: 'kor', lt: 'lit', lv: 'lav', mk: 'mkd', ms: 'msa', mt: 'mlt', nb: 'nob', nl: 'nld',
  nn: 'nno', no: 'nor', oc: 'oci', pl: 'pol', pt: 'por', ro: 'ron', ru: 'rus', sc: 'srd', se: 'sme', sk: 'slk',
  sl: 'slv', sq: 'sqi', sr: 'srp', sv: 'swe', tr: 'tur', uk: 'ukr', ur: 'urd', vi: 'vie', zh: 'zho',
};
const ISO639_3_TO_1: Record<string, string> = Object.fromEntries(Object.entries(ISO639_1_TO_3).map(([a, b]) => [b, a]));

/**
 * Apertium has no pairs for the Norwegian macrolanguage (`nor`): its Norwegian pairs are Bokmål
 * (`nob`) and Nynorsk (`nno`). A story tagged plain `no` is written in Bokmål in all but a few
 * cases, so it is translated as Bokmål.
 */
const APERTIUM_MACROLANGUAGE: Record<string, string> = { no: 'nob' };

/**
 * The primary language subtags this module can map to Apertium codes: the languages a router
 * may try as pivots when no provider translates a pair directly.
 */
export function knownLanguages(): string[] {
  return Object.keys(ISO639_1_TO_3);
}

/**
 * The canonical form of a BCP 47 tag: lower-case language, upper-case region, `_` read as `-`.
 * @example normalizeLanguage('EN_us') // 'en-US'
 */
export function normalizeLanguage(tag: string): string {
  return normalizeLanguageTag(tag);
}

/** The primary language subtag: `pt-BR` → `pt`. */
export function primaryLanguage(tag: string): string {
  return normalizeLanguage(tag).split('-')[0] ?? '';
}

/**
 * BCP 47 → Apertium code: `en` → `eng`, `en-US` → `eng_US`, `no` → `nob`; an unknown language is
 * passed through.
 */
export function toApertiumCode(tag: string): string {
  const [lang = '', region] = normalizeLanguage(tag).split('-');
  const three = APERTIUM_MACROLANGUAGE[lang] ?? ISO639_1_TO_3[lang] ?? lang;
  return region && region.length === 2 ? `${three}_${region}` : three;
}

/** Apertium code → BCP 47: `spa` → `es`, `eng_US` → `en-US`. */
export function fromApertiumCode(code: string): string {
  const [lang = '', region] = code.split('_');
  const two = ISO639_3_TO_1[lang] ?? lang;
  return region ? `${two}-${region.toUpperCase()}` : two;
}

/** `en>es`, the key of a language pair in routes, caches and metrics. */
export function pairKey(from: string, to: string): string {
  return `${primaryLanguage(from)}>${primaryLanguage(to)}`;
}
