import type { PubStatus } from '@wire/schema';

/**
 * What a format parser extracts from one item, before the shared cleaning steps (text hygiene,
 * HTML sanitizing, byline/credit/dateline extraction, language detection, hashing) turn it into
 * a `CanonicalStory`. Every field is optional: parsers fill what their format carries.
 */
export interface DraftImage {
  caption?: string;
  credit?: string;
  alt?: string;
  sourceUrl?: string;
  embedded?: { contentType?: string; base64: string };
  width?: number;
  height?: number;
}

export interface DraftStory {
  /** Format id, e.g. `ninjs-3`, `newsml-g2`, `nitf`, `newsml-1.2`, `iptc7901`, `anpa1312`, `rss`, `atom`, `email`, `ap-media-api`, `html`, `text`. */
  format: string;
  /** Provider id the document names (e.g. a NewsML-G2 `provider` qcode, an AP `signals` source); the envelope's `source` wins. */
  source?: string;
  guid?: string;
  version?: number;
  type?: 'text' | 'picture' | 'video' | 'audio' | 'composite';
  versionCreated?: string;
  firstCreated?: string;
  pubStatus?: PubStatus;
  embargoedUntil?: string;
  urgency?: number;
  correction?: boolean;
  language?: string;
  headline?: string;
  subheadline?: string;
  slugline?: string;
  /** Display bylines as the source gave them (e.g. `BY SARAH KIM [kim.sarah@joongang.co.kr]`) or structured. */
  bylines?: Array<string | { name: string; role?: string; email?: string }>;
  dateline?: string;
  located?: { city?: string; country?: string; text?: string };
  /** Body as HTML (preferred when the source has markup) … */
  bodyHtml?: string;
  /** … or as plain-text paragraphs. */
  bodyText?: string[];
  images?: DraftImage[];
  subjects?: Array<{ code?: string; name: string; scheme?: string }>;
  keywords?: string[];
  /** Agency / outlet names found in the document. */
  infoSources?: Array<{ name: string; role?: 'originator' | 'publisher' | 'distributor' | 'source'; uri?: string }>;
  altIds?: Array<{ type: string; value: string }>;
  warnings?: string[];
}

/** Limits every parser honours (configurable; defaults in `DEFAULT_LIMITS`). */
export interface NormalizeLimits {
  /** Largest input in bytes. */
  maxBytes: number;
  /** Deepest element / object nesting. */
  maxDepth: number;
  /** Most items one input may hold. */
  maxItems: number;
}

export const DEFAULT_LIMITS: NormalizeLimits = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, maxItems: 1000 };

/** What a parser receives: the decoded text of the input plus what the envelope said. */
export interface ParseInput {
  text: string;
  contentType?: string;
  filename?: string;
  limits: NormalizeLimits;
}
