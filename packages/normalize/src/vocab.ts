import { readFileSync } from 'node:fs';
import type { Subject } from '@wire/schema';

/**
 * The IPTC vocabularies the normalizer names concepts from (data and sources in `./vocab`):
 * Subject Codes (`iptc-subjectcode`) and Media Topics (`medtop`). Names are picked in the story's
 * language when the vocabulary has it, else English.
 */

interface Vocabulary {
  scheme: string;
  uri: string;
  concepts: Record<string, Record<string, string>>;
}

const VOCABULARY_FILES = ['iptc-subjectcode.json', 'iptc-mediatopic.json'];
let byScheme: Map<string, Vocabulary> | undefined;

/**
 * The vocabularies by scheme, read from `./vocab` at first use (data files beside the code, in
 * the source tree and in the build alike; read, not imported, so no work happens at import time).
 */
function vocabularies(): Map<string, Vocabulary> {
  byScheme ??= new Map(
    VOCABULARY_FILES.map((file) => JSON.parse(readFileSync(new URL(`./vocab/${file}`, import.meta.url), 'utf8')) as Vocabulary).map((v) => [v.scheme, v]),
  );
  return byScheme;
}

/** Scheme aliases as documents spell them (qcode prefixes, vocabulary names, cv.iptc.org paths). */
const ALIASES: Record<string, string> = {
  subj: 'iptc-subjectcode',
  subject: 'iptc-subjectcode',
  subjectcode: 'iptc-subjectcode',
  'iptc-subjectcode': 'iptc-subjectcode',
  'iptc-subject': 'iptc-subjectcode',
  iptc: 'iptc-subjectcode',
  medtop: 'medtop',
  mediatopic: 'medtop',
  'iptc-mediatopic': 'medtop',
};

/**
 * The canonical scheme of an IPTC vocabulary from a qcode prefix, a vocabulary name or a
 * `cv.iptc.org/newscodes/…` uri; undefined for anything else (an agency's own scheme).
 *
 * @example iptcScheme('subj') // 'iptc-subjectcode'
 */
function iptcScheme(scheme: string | undefined): string | undefined {
  if (!scheme) return undefined;
  const s = scheme.trim().toLowerCase();
  const path = /cv\.iptc\.org\/newscodes\/([a-z-]+)/.exec(s)?.[1];
  return ALIASES[path ?? s];
}

/** A concept id out of an IPTC uri (`http://cv.iptc.org/newscodes/mediatopic/20000523` → scheme and code). */
function fromIptcUri(uri: string | undefined): { scheme: string; code: string } | undefined {
  const m = uri ? /cv\.iptc\.org\/newscodes\/([a-z-]+)\/([\w-]+)\/?$/i.exec(uri) : null;
  const scheme = m ? iptcScheme(m[1]) : undefined;
  return scheme && m?.[2] ? { scheme, code: m[2] } : undefined;
}

/** Primary language subtag, with Norwegian Bokmål/Nynorsk read as Norwegian (the vocabularies' `no`). */
function primary(language: string | undefined): string | undefined {
  const p = language?.split('-')[0]?.toLowerCase();
  return p === 'nb' || p === 'nn' ? 'no' : p;
}

/** The name of an IPTC concept in `language` (else English), or undefined when not in our data. */
function iptcName(scheme: string, code: string, language?: string): string | undefined {
  const names = vocabularies().get(scheme)?.concepts[code];
  if (!names) return undefined;
  const lang = primary(language);
  return (lang ? names[lang] : undefined) ?? names.en;
}

/** The cv.iptc.org uri of an IPTC concept. */
function iptcUri(scheme: string, code: string): string | undefined {
  const v = vocabularies().get(scheme);
  return v ? `${v.uri}${code}` : undefined;
}

/**
 * A subject with its IPTC scheme spelled one way, its uri, and its name from the vocabulary when
 * the document gave none (or only the code). Agency schemes are left as they are.
 */
export function resolveSubject(s: Subject, language: string | undefined): Subject {
  const fromUri = fromIptcUri(s.uri);
  const scheme = iptcScheme(s.scheme) ?? fromUri?.scheme;
  const code = s.code ?? fromUri?.code;
  if (!scheme || !code) return s;
  const unnamed = !s.name || s.name === code || s.name === `${s.scheme}:${code}` || s.name === s.uri;
  const name = unnamed ? (iptcName(scheme, code, language) ?? s.name) : s.name;
  return { ...s, name, code, scheme, uri: s.uri ?? iptcUri(scheme, code) };
}
