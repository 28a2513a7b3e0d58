import type { Description, Genre, MediaType, Organisation, PackageMember, Place, PubStatus, RemoteRendition, Service, Subject } from '@wire/schema';

/**
 * What a format parser extracts from one item, before the shared cleaning steps (text hygiene,
 * HTML sanitizing, byline/credit/dateline extraction, language detection, hashing) turn it into
 * a `CanonicalStory`. Every field is optional: parsers fill what their format carries.
 */
export interface DraftImage {
  /** `picture` when unsaid. */
  type?: MediaType;
  /** The item itself (a picture, graphic or video item), not an association of a text. */
  self?: boolean;
  uri?: string;
  headline?: string;
  caption?: string;
  credit?: string;
  /** Photographer / camera operator. */
  by?: string;
  /** Every rendition the source offers (the widest image one is also `sourceUrl`). */
  renditions?: RemoteRendition[];
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
  type?: 'text' | 'picture' | 'graphic' | 'video' | 'audio' | 'composite';
  versionCreated?: string;
  firstCreated?: string;
  contentCreated?: string;
  expires?: string;
  pubStatus?: PubStatus;
  embargoedUntil?: string;
  urgency?: number;
  correction?: boolean;
  language?: string;
  headline?: string;
  subheadline?: string;
  slugline?: string;
  title?: string;
  /** Display bylines as the source gave them (e.g. `BY SARAH KIM [kim.sarah@joongang.co.kr]`) or structured. */
  bylines?: Array<string | DraftPerson>;
  descriptions?: Description[];
  copyrightHolder?: string;
  copyrightNotice?: string;
  usageTerms?: string;
  ednotes?: string[];
  genres?: Genre[];
  places?: Place[];
  organisations?: Organisation[];
  /** People the story is about (not its authors). */
  people?: Subject[];
  services?: Service[];
  members?: PackageMember[];
  /** The item's own renditions (a text's NITF or HTML by reference; media items keep theirs on their image). */
  renditions?: RemoteRendition[];
  dateline?: string;
  located?: { city?: string; country?: string; text?: string };
  /** Body as HTML (preferred when the source has markup) … */
  bodyHtml?: string;
  /** … or as plain-text paragraphs. */
  bodyText?: string[];
  images?: DraftImage[];
  /** Subjects; a `name` may be left as the code when the vocabulary names it (resolved in finalize). */
  subjects?: Subject[];
  keywords?: string[];
  /** Agency / outlet names found in the document. */
  infoSources?: Array<{ name: string; role?: 'originator' | 'publisher' | 'distributor' | 'source'; uri?: string }>;
  altIds?: Array<{ type: string; value: string }>;
  /**
   * The item carries only metadata (a package, a hop history, a media item's metadata): it may
   * have no headline and no body, and is converted all the same.
   */
  metadataOnly?: boolean;
  warnings?: string[];
}

/** A structured author: name, role and what else the source says about the person. */
export interface DraftPerson {
  name: string;
  role?: string;
  email?: string;
  affiliation?: string;
  title?: string;
  uri?: string;
}

/** Limits every parser honours (configurable; defaults in `DEFAULT_LIMITS`). */
export interface NormalizeLimits {
  /** Largest input in bytes. */
  maxBytes: number;
  /** Deepest element / object nesting. */
  maxDepth: number;
  /** Most items one input may hold. */
  maxItems: number;
  /**
   * Most pictures, graphics, videos and audio one item keeps; the rest are dropped with a warning
   * (folding copies of one picture together compares every pair, so the count is bounded first).
   */
  maxImages: number;
}

export const DEFAULT_LIMITS: NormalizeLimits = { maxBytes: 5 * 1024 * 1024, maxDepth: 64, maxItems: 1000, maxImages: 500 };

/** What a parser receives: the decoded text of the input plus what the envelope said. */
export interface ParseInput {
  text: string;
  contentType?: string;
  filename?: string;
  limits: NormalizeLimits;
}
