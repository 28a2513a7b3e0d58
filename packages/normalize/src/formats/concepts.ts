import type { DraftStory } from '../draft';

/**
 * What the format parsers share about concepts and item kinds: which bucket of the story a
 * concept goes to (subjects, places, organisations, people), the kind of an item from the many
 * spellings feeds use, and a name picked in the story's language.
 */

export type ConceptKind = 'subject' | 'place' | 'organisation' | 'person';

const PLACE = /geo|place|location|poi|city|country|region|state|area|nation|continent/i;
const ORGANISATION = /organi[sz]ation|company|companies|corporation|business|\borg\b|party|team|club|institution/i;
const PERSON = /person|people|athlete|politician|figure/i;

/**
 * The bucket a concept belongs in, from its declared type (NewsML-G2 `cpnat:geoArea`,
 * `cpnat:organisation`, `cpnat:person`; ninjs collection names) or its scheme's name (an AP
 * `apgeography:` / `apcompany:` / `apperson:` qcode). Anything else is a subject.
 *
 * @example conceptKind('cpnat:geoArea') // 'place'
 * @example conceptKind(undefined, 'apcompany') // 'organisation'
 */
export function conceptKind(type: string | undefined, scheme?: string): ConceptKind {
  for (const hint of [type, scheme]) {
    if (!hint) continue;
    const h = hint.includes(':') ? hint.slice(hint.lastIndexOf(':') + 1) : hint;
    if (/^(?:abstract|event|object|concept)$/i.test(h)) return 'subject';
    if (PERSON.test(h)) return 'person';
    if (ORGANISATION.test(h)) return 'organisation';
    if (PLACE.test(h)) return 'place';
  }
  return 'subject';
}

/** The item kinds ninjs knows, and the other spellings feeds send for them. */
const TYPES: Record<string, NonNullable<DraftStory['type']>> = {
  text: 'text',
  article: 'text',
  story: 'text',
  news: 'text',
  textual: 'text',
  document: 'text',
  picture: 'picture',
  photo: 'picture',
  photograph: 'picture',
  image: 'picture',
  still: 'picture',
  graphic: 'graphic',
  graphics: 'graphic',
  infographic: 'graphic',
  chart: 'graphic',
  illustration: 'graphic',
  cartoon: 'graphic',
  video: 'video',
  videoclip: 'video',
  clip: 'video',
  movie: 'video',
  audio: 'audio',
  sound: 'audio',
  podcast: 'audio',
  audioclip: 'audio',
  composite: 'composite',
  package: 'composite',
  collection: 'composite',
  gallery: 'composite',
  slideshow: 'composite',
  bundle: 'composite',
};

/**
 * An item kind from a feed's `type` (or NewsML-G2 `itemClass` / `ninat:` qcode): the standard
 * ninjs values, and the non-standard ones systems send (`article`, `photo`, `image`, `graphics`,
 * `package` …). Undefined for what cannot be told.
 *
 * @example itemType('ninat:picture') // 'picture'
 * @example itemType('Photo') // 'picture'
 */
export function itemType(raw: string | undefined): DraftStory['type'] {
  if (!raw) return undefined;
  const t = raw.trim().toLowerCase();
  const code = t.includes(':') ? t.slice(t.lastIndexOf(':') + 1) : t.includes('/') ? t.slice(t.lastIndexOf('/') + 1) : t;
  return TYPES[code.replace(/[\s_-]+/g, '')];
}

/**
 * Of several names of one concept (`<name xml:lang="de">`), the one in the story's language,
 * else English, else the first.
 */
export function nameIn(names: Array<{ lang?: string; value: string }>, language: string | undefined): string | undefined {
  const primary = (l: string | undefined): string | undefined => l?.split('-')[0]?.toLowerCase();
  const want = primary(language);
  return (want ? names.find((n) => primary(n.lang) === want) : undefined)?.value ?? names.find((n) => primary(n.lang) === 'en')?.value ?? names[0]?.value;
}

/** A concept's scheme and code from a qcode (`medtop:20000523` → `medtop`, `20000523`). */
export function splitQcode(qcode: string | undefined): { scheme?: string; code?: string } {
  if (!qcode) return {};
  const colon = qcode.indexOf(':');
  return colon > 0 ? { scheme: qcode.slice(0, colon), code: qcode.slice(colon + 1) } : { code: qcode };
}
