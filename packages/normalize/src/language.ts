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

// The languages wire copy comes in, for franc to choose among: comparing against every language
// franc-min knows costs three times as much and picks rare neighbours of short texts.
const FRANC_ONLY = ['eng', 'spa', 'fra', 'deu', 'por', 'ita', 'nld', 'swe', 'pol', 'rus', 'ukr', 'bel', 'bul', 'srp', 'hrv', 'ces', 'hun', 'ron', 'tur', 'arb', 'pes', 'urd', 'hin', 'ben', 'ind', 'zlm', 'vie', 'tgl', 'swh', 'cmn', 'jpn', 'kor', 'tha', 'ell', 'heb', 'kaz', 'uzn', 'azj'];

/** Fewest words of Latin-script text a language is guessed from. */
const MIN_WORDS = 12;

/**
 * Detects the language of a story's text (headline and the first paragraphs) as a BCP 47 tag.
 * Returns `undefined` for text too short to tell (fewer than a dozen words of Latin script).
 */
export function detectLanguage(text: string): string | undefined {
  const sample = text.length > 1200 ? text.slice(0, 1200) : text;
  if (sample.replace(/\s+/g, '').length < 20) return undefined;
  // A few words cannot tell related languages apart (a headline alone is as often Danish as
  // Norwegian): too short is unknown, never a wrong code. Scripts without spaces between words
  // (Chinese, Japanese, Thai) and other alphabets are told by their script.
  if (/^[\p{Script=Latin}\p{N}\p{P}\p{S}\s]*$/u.test(sample) && (sample.match(/\p{L}{2,}/gu) ?? []).length < MIN_WORDS) return undefined;
  const quick = byStopwords(sample);
  if (quick) return quick;
  const code = franc(sample.slice(0, 400), { minLength: 20, only: FRANC_ONLY });
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

// Function words of the Latin-script languages most wire copy is in. Counting them settles
// news text in microseconds (franc's trigram distances cost about a millisecond a story, which
// the ingest budget cannot pay), and covers Norwegian and Danish, which franc-min lacks.
const STOPWORDS: Record<string, string[]> = {
  en: ['the', 'of', 'and', 'to', 'in', 'a', 'is', 'that', 'for', 'on', 'said', 'with', 'was', 'by', 'it', 'as', 'at', 'from', 'he', 'has', 'have', 'be', 'are', 'will', 'its', 'his', 'their', 'which', 'would', 'this', 'an'],
  es: ['de', 'la', 'que', 'el', 'en', 'los', 'del', 'las', 'por', 'un', 'una', 'con', 'para', 'se', 'al', 'es', 'su', 'lo', 'más', 'como', 'pero', 'dijo', 'fue', 'este', 'esta'],
  fr: ['le', 'la', 'les', 'de', 'des', 'et', 'en', 'un', 'une', 'du', 'est', 'que', 'qui', 'dans', 'pour', 'par', 'au', 'sur', 'pas', 'il', 'ne', 'aux', 'a', 'été', 'cette', 'avec'],
  de: ['der', 'die', 'und', 'das', 'den', 'von', 'zu', 'mit', 'ist', 'im', 'des', 'nicht', 'ein', 'eine', 'auf', 'für', 'sich', 'dem', 'auch', 'es', 'sie', 'wird', 'wurde', 'bei', 'nach', 'hat'],
  pt: ['de', 'que', 'o', 'a', 'do', 'da', 'em', 'os', 'para', 'com', 'não', 'uma', 'um', 'no', 'na', 'as', 'dos', 'se', 'por', 'mais', 'ao', 'é', 'foi', 'pelo', 'pela', 'disse'],
  it: ['di', 'il', 'la', 'che', 'e', 'per', 'un', 'del', 'della', 'in', 'è', 'non', 'una', 'le', 'con', 'si', 'da', 'sono', 'al', 'dei', 'gli', 'nel', 'alla', 'ha', 'anche'],
  nl: ['de', 'het', 'een', 'van', 'en', 'in', 'is', 'op', 'te', 'dat', 'die', 'voor', 'met', 'zijn', 'niet', 'aan', 'er', 'ook', 'om', 'bij', 'wordt', 'werd', 'naar', 'heeft'],
  sv: ['och', 'att', 'det', 'i', 'som', 'en', 'på', 'är', 'av', 'för', 'med', 'till', 'den', 'har', 'de', 'inte', 'om', 'ett', 'var', 'sig', 'vid', 'från', 'under', 'efter', 'också'],
  nb: ['og', 'i', 'det', 'som', 'en', 'på', 'er', 'av', 'for', 'med', 'til', 'den', 'har', 'ikke', 'at', 'de', 'om', 'et', 'var', 'seg', 'ble', 'fra', 'etter', 'også', 'sier'],
  da: ['og', 'i', 'det', 'at', 'en', 'på', 'er', 'af', 'for', 'med', 'til', 'den', 'har', 'ikke', 'de', 'om', 'et', 'som', 'var', 'sig', 'blev', 'fra', 'efter', 'også', 'siger'],
  pl: ['i', 'w', 'na', 'z', 'się', 'nie', 'do', 'że', 'to', 'jest', 'o', 'jak', 'po', 'od', 'za', 'przez', 'oraz', 'jego', 'już', 'był'],
  fi: ['ja', 'on', 'ei', 'se', 'että', 'oli', 'hän', 'ovat', 'mutta', 'kun', 'myös', 'joka', 'tai', 'sen', 'kuin', 'ole', 'mukaan', 'vuonna'],
};
const WORD_LANGS = new Map<string, string[]>();
for (const [lang, words] of Object.entries(STOPWORDS)) for (const w of words) WORD_LANGS.set(w, [...(WORD_LANGS.get(w) ?? []), lang]);

function byStopwords(sample: string): string | undefined {
  // Latin script only; other scripts go to franc, which decides most of them by script alone.
  let latin = 0;
  let other = 0;
  const end = Math.min(sample.length, 900);
  for (let i = 0; i < end; i++) {
    const c = sample.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f)) latin++;
    else if (c >= 0x370 && !(c >= 0x2000 && c <= 0x2bff) && c < 0xfe00) other++;
  }
  if (latin === 0 || other > latin * 0.1) return undefined;
  const words = sample.slice(0, end).toLowerCase().split(/[^a-z\u00c0-\u024f]+/);
  const n = Math.min(words.length, 150);
  if (n < 8) return undefined;
  const score = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const langs = WORD_LANGS.get(words[i]!);
    if (langs) for (const l of langs) score.set(l, (score.get(l) ?? 0) + 1);
  }
  const ranked = [...score.entries()].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best || best[1] < n * 0.2) return undefined;
  if (second && best[1] < second[1] * 1.25) return undefined;
  return best[0];
}
