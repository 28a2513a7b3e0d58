/**
 * Protecting names and terms from the engine: each protected span is swapped for a placeholder
 * token the engines pass through untouched (an unknown word such as `Zxq3`), then swapped back.
 * Apertium, for one, would otherwise turn `Moon Jae-in` into `Luna Jae-en`.
 */
import { decodeEntities, escapeText } from '@wire/text';
import type { TextFormat } from './translator';

/** A glossary entry: kept as written, or replaced by a fixed translation per target language. */
export interface GlossaryEntry {
  term: string;
  /** Fixed renderings by BCP 47 primary language, e.g. `{ es: 'Asamblea Nacional' }`. */
  translations?: Record<string, string>;
}

/** A span to protect: the exact text, and what it becomes in the target language. */
export interface ProtectedTerm {
  term: string;
  replacement?: string;
}

// Words that start sentences or titles, or that engines translate well (places, institutions): a
// capitalised run made only of these is not a name, and they are trimmed off a name's ends.
const NOT_NAME_WORDS = new Set(
  (
    'The A An In On At As By For From To Of And But Or Nor So Yet If When While After Before Since Until Although Though ' +
    'He She It They We You I His Her Its Their Our This That These Those There Here Then Also Meanwhile However Still ' +
    'Former Late Acting Deputy Senior Opposition Rival Minority Majority Floor Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Prof Prof. Sir President Vice Prime Minister Foreign Defense Defence Unification Finance ' +
    'Secretary General Chairman Chief Leader Rep. Sen. Gov. Gen. Lt. Col. Capt. King Queen Prince Pope Ambassador Spokesman Spokeswoman ' +
    'North South East West Northern Southern Eastern Western Central Korea Korean Koreas Japan Japanese China Chinese United States ' +
    'America American Russia Russian European Europe Union Nations Asia Asian Pacific Republic Democratic People People\'s Party ' +
    'National Assembly Ministry Department Office Council Committee Court Supreme Government Army Navy Air Force Forces Bank ' +
    'House Senate Congress University Institute Center Centre Agency News Service Company Group Corp. Inc. Co. Ltd. ' +
    'State States Federal Far Economic Forum Security Natural Resources Ecology Environment Affairs Trade Industry Energy ' +
    'Health Education Justice Interior Labor Labour Workers Workers’ Station Region Administration Province City County ' +
    'International World Global Summit Conference Olympic Olympics Games Cup League Association Federation Organization ' +
    'Organisation Commission Board Authority Police Prosecutors Prosecution Office Presidential Cabinet Parliament ' +
    'Republican Democrat Democrats Liberal Conservative Labour Socialist Communist Islamic Catholic Christian Muslim ' +
    'Covid-19 COVID-19 UN U.N. U.S. US EU NATO ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September ' +
    'October November December Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sept. Sep. Oct. Nov. Dec. Photo'
  ).split(/\s+/),
);

const CAP_WORD = String.raw`\p{Lu}[\p{L}\p{M}'’.]*(?:-\p{L}[\p{L}\p{M}]*)*`;
const NAME_RUN = new RegExp(`${CAP_WORD}(?:\\s+${CAP_WORD})+`, 'gu');

/**
 * Person-like names in plain text: runs of two or more capitalised words (`Kim Jong-un`,
 * `Lee Jae-myung`), with titles and sentence-start words trimmed off, and runs made only of
 * common words (`North Korea`, `National Assembly`) left to the engine.
 */
export function findNames(texts: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(NAME_RUN)) {
      // Titles and common words split a run: `Former President Moon Jae-in` → `Moon Jae-in`.
      let run: string[] = [];
      const flush = () => {
        if (run.length >= 2) found.add(run.join(' '));
        run = [];
      };
      for (const raw of m[0].split(/\s+/)) {
        // A trailing possessive or a full stop belongs to the sentence, not the name, and ends it
        // (an initial such as `J.` keeps its dot).
        const w = /^\p{Lu}\.$/u.test(raw) ? raw : raw.replace(/['’]s$/, '').replace(/[.!?;:]+$/, '');
        if (NOT_NAME_WORDS.has(w) || NOT_NAME_WORDS.has(raw)) {
          flush();
          continue;
        }
        run.push(w);
        if (w !== raw) flush();
      }
      flush();
    }
  }
  return [...found];
}

/**
 * The terms to protect for a story: glossary entries, names the normalizer found (bylines,
 * agencies), names found in the text, and the single words of people's names (a later `Moon said`
 * must survive as well as the first `Moon Jae-in`). Longest first, so the longest match wins.
 */
export function buildProtectedTerms(input: {
  glossary?: readonly GlossaryEntry[];
  /** People: protected whole and word by word. */
  names?: readonly string[];
  /** Agencies and outlets: protected whole only (`JoongAng Daily` must not freeze every `Daily`). */
  organisations?: readonly string[];
  targetLanguage: string;
}): ProtectedTerm[] {
  const lang = input.targetLanguage.split('-')[0]!.toLowerCase();
  const terms = new Map<string, ProtectedTerm>();
  for (const g of input.glossary ?? []) {
    if (g.term.trim()) terms.set(g.term, { term: g.term, replacement: g.translations?.[lang] ?? g.translations?.[input.targetLanguage] });
  }
  for (const raw of input.organisations ?? []) {
    const name = raw.trim();
    if (name.length >= 2 && !terms.has(name)) terms.set(name, { term: name });
  }
  for (const raw of input.names ?? []) {
    const name = raw.trim();
    if (name.length < 2 || terms.has(name)) continue;
    terms.set(name, { term: name });
    for (const w of name.split(/\s+/)) {
      if (w.length >= 3 && /^\p{Lu}/u.test(w) && !NOT_NAME_WORDS.has(w) && !terms.has(w)) terms.set(w, { term: w });
    }
  }
  return [...terms.values()].sort((a, b) => b.term.length - a.term.length);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Placeholders, and the text each one stands for, shared by every segment of one story. */
export class Protector {
  private readonly pattern: RegExp | undefined;
  private readonly byTerm: Map<string, ProtectedTerm>;
  /** Placeholder index → text to put back. */
  readonly restores: string[] = [];
  private readonly prefix: string;

  constructor(terms: readonly ProtectedTerm[], sample = '') {
    this.byTerm = new Map(terms.map((t) => [t.term, t]));
    // An unusual letter run engines treat as an unknown word; pick one the text does not contain.
    // `Zxq_3` rather than `Zxq3`: with the underscore Apertium does not capitalise the next word.
    this.prefix = ['Zxq', 'Qzx', 'Xzq', 'Zqx'].find((p) => !sample.includes(`${p}_`)) ?? 'Zxqj';
    if (terms.length > 0) {
      const alts = terms.flatMap((t) => [escapeRe(t.term), escapeRe(escapeText(t.term))]);
      this.pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...new Set(alts)].join('|')})(?![\\p{L}\\p{N}])`, 'gu');
    }
  }

  /** Swap protected spans for placeholders (in HTML, in text between tags only). */
  protect(text: string, format: TextFormat): string {
    if (!this.pattern) return text;
    const swap = (s: string) =>
      s.replace(this.pattern!, (m) => {
        const plain = format === 'html' ? decodeEntities(m) : m;
        const term = this.byTerm.get(plain) ?? this.byTerm.get(m);
        const out = term?.replacement ?? plain;
        this.restores.push(format === 'html' ? escapeText(out) : out);
        return `${this.prefix}_${this.restores.length - 1}`;
      });
    if (format === 'text') return swap(text);
    return text
      .split(/(<[^>]*>)/)
      .map((part, i) => (i % 2 === 1 ? part : swap(part)))
      .join('');
  }

  /** Placeholders in a protected text, by index. */
  placeholdersIn(text: string): number[] {
    return [...text.matchAll(new RegExp(`${this.prefix}_(\\d+)`, 'g'))].map((m) => Number(m[1]));
  }

  /**
   * Put the protected spans back. `missing` lists placeholders of `expected` that the engine lost:
   * their names did not come back, and the caller records it.
   */
  restore(text: string, expected: readonly number[]): { text: string; missing: string[] } {
    const seen = new Set<number>();
    const out = text.replace(new RegExp(`${this.prefix}_(\\d+)`, 'g'), (m, n: string) => {
      const i = Number(n);
      seen.add(i);
      return this.restores[i] ?? m;
    });
    const missing = expected.filter((i) => !seen.has(i)).map((i) => this.restores[i]!);
    return { text: out, missing };
  }
}
