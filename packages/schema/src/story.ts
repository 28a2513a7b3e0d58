import { z } from 'zod';

/** How a story may be used (IPTC pubStatus). */
export const PubStatus = z.enum(['usable', 'withheld', 'canceled']);
export type PubStatus = z.infer<typeof PubStatus>;

/** A person credited with the content: author, photographer, editor … (`role`). */
export const Byline = z.object({
  name: z.string().min(1),
  /** `author` when unsaid; else what the source calls the role (`photographer`, `editor`, `camera` …). */
  role: z.string().optional(),
  email: z.string().optional(),
  /** The organisation the person writes for, from "Name, Affiliation" or a structured author list. */
  affiliation: z.string().optional(),
  /** A job title the source gives (`AP Economics Writer`). */
  title: z.string().optional(),
  /** An absolute uri identifying the person, when the source gives one. */
  uri: z.string().optional(),
});
export type Byline = z.infer<typeof Byline>;

export const Rendition = z.object({
  name: z.string(),
  key: z.string(),
  href: z.string().optional(),
  contentType: z.string(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  sizeInBytes: z.number().int().nonnegative().optional(),
});
export type Rendition = z.infer<typeof Rendition>;

/** A rendition as the source offers it (not stored by us): where to fetch it and what it is. */
export const RemoteRendition = z.object({
  name: z.string(),
  href: z.string(),
  contentType: z.string().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  sizeInBytes: z.number().int().nonnegative().optional(),
  /** Seconds, for video and audio. */
  duration: z.number().nonnegative().optional(),
});
export type RemoteRendition = z.infer<typeof RemoteRendition>;

/** What kind of media an image entry is (ninjs association `type`). */
export const MediaType = z.enum(['picture', 'graphic', 'video', 'audio']);
export type MediaType = z.infer<typeof MediaType>;

/**
 * A picture (or graphic, video, audio) of the story. With `self` it is the item itself (a picture
 * item's own photo): ninjs puts its caption, renditions and credit at the top level, not in an
 * association.
 */
export const StoryImage = z.object({
  /** `picture` when unsaid. */
  type: MediaType.optional(),
  /** The item itself (a picture, graphic or video item), not an association of a text. */
  self: z.boolean().optional(),
  /** The source's own uri of the media object, when it is a link (http, https, urn). */
  uri: z.string().optional(),
  /** The source's own id of the media object, when it is not a link (an agency's item id). */
  guid: z.string().optional(),
  /** A title the source gives the media object. */
  headline: z.string().optional(),
  /** Caption, once (doubled alt text/figcaption folded). */
  caption: z.string().optional(),
  /** Credit split off the caption, e.g. `YONHAP`, `AP/YONHAP`. */
  credit: z.string().optional(),
  /** The photographer / camera operator. */
  by: z.string().optional(),
  alt: z.string().optional(),
  /** Where the original can be fetched, when the source gave a URL. */
  sourceUrl: z.string().optional(),
  /** Embedded bytes (base64 or data URI) when the source carried the image inline. */
  embedded: z.object({ contentType: z.string().optional(), base64: z.string() }).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** Set once stored: `media/{sha256}.{ext}`. */
  key: z.string().optional(),
  sha256: z.string().optional(),
  contentType: z.string().optional(),
  renditions: z.array(Rendition).default([]),
  /** Every rendition the source offers (remote hrefs), kept beside the ones we store. */
  sourceRenditions: z.array(RemoteRendition).optional(),
});
export type StoryImage = z.infer<typeof StoryImage>;

/**
 * A concept from a vocabulary: `scheme` names the vocabulary (`iptc-subjectcode`, `medtop`, an
 * agency's own such as `apsubject`), `code` the concept in it; `uri` when the source gives one.
 */
export const Subject = z.object({
  code: z.string().optional(),
  name: z.string(),
  scheme: z.string().optional(),
  uri: z.string().optional(),
});
export type Subject = z.infer<typeof Subject>;

/**
 * A genre (IPTC genre NewsCodes or an agency's own), e.g. `Interview`, `Analysis`.
 * @alias Subject
 */
export const Genre = Subject;
export type Genre = Subject;

/** A place the story is about, with its geographic point when the source gives one. */
export const Place = Subject.extend({
  geo: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
});
export type Place = z.infer<typeof Place>;

/** An organisation or company the story is about; `symbols` are its stock tickers (`XETRA:VOW3`). */
export const Organisation = Subject.extend({
  symbols: z.array(z.object({ ticker: z.string(), exchange: z.string().optional() })).optional(),
});
export type Organisation = z.infer<typeof Organisation>;

/** A service or product the item is delivered under (NewsML-G2 `service`, AP products). */
export const Service = Subject.extend({ kind: z.enum(['service', 'product']).default('service') });
export type Service = z.infer<typeof Service>;

/** A description of the item: an abstract or summary of a text, the dateline as printed. */
export const Description = z.object({ role: z.string().optional(), value: z.string().min(1) });
export type Description = z.infer<typeof Description>;

/** An item of a package (NewsML-G2 packageItem, a ninjs composite): its structure kept. */
export const PackageMember = z.object({
  /** The member's guid as the package names it; `uri` is its story uri once known. */
  guid: z.string().min(1),
  uri: z.string().optional(),
  type: z.string().optional(),
  headline: z.string().optional(),
  /** The group of the package the member sits in (NewsML-G2 `groupRef` role, e.g. `main`). */
  group: z.string().optional(),
});
export type PackageMember = z.infer<typeof PackageMember>;

export const InfoSource = z.object({
  name: z.string(),
  role: z.enum(['originator', 'publisher', 'distributor', 'source']).default('source'),
  uri: z.string().optional(),
});
export type InfoSource = z.infer<typeof InfoSource>;

export const AltId = z.object({ type: z.string(), value: z.string() });

export const Located = z.object({
  city: z.string().optional(),
  country: z.string().optional(),
  /** The dateline as printed, e.g. `SEOUL, Sept. 13 (Yonhap) --`. */
  text: z.string().optional(),
});

/**
 * The canonical story: one shape for every input format, every service and every partner.
 * `uri` is stable per (source, guid); `version` grows with each version of that story.
 */
export const CanonicalStory = z.object({
  uri: z.string().min(1),
  source: z.string().min(1),
  guid: z.string().min(1),
  version: z.number().int().positive(),
  type: z.enum(['text', 'picture', 'graphic', 'video', 'audio', 'composite']).default('text'),
  versionCreated: z.string().optional(),
  firstCreated: z.string().optional(),
  /** When the content itself was made (the photo taken, the text written), if the source says. */
  contentCreated: z.string().optional(),
  /** After this time the item is no longer editorially relevant. */
  expires: z.string().optional(),
  pubStatus: PubStatus.default('usable'),
  embargoedUntil: z.string().optional(),
  /** IPTC urgency, 1 (most urgent) to 9. */
  urgency: z.number().int().min(1).max(9).optional(),
  /** True when the source marked this version as a correction. */
  correction: z.boolean().default(false),
  language: z.string().optional(),
  /** Empty only for items that carry no headline at all (metadata-only items, a package). */
  headline: z.string(),
  subheadline: z.string().optional(),
  slugline: z.string().optional(),
  /** A short name for the item as metadata (ninjs `title`, NewsML-G2 `itemMeta/title`). */
  title: z.string().optional(),
  /** Abstract, summary, and the printed dateline (`role: dateline`). */
  descriptions: z.array(Description).optional(),
  copyrightHolder: z.string().optional(),
  copyrightNotice: z.string().optional(),
  usageTerms: z.string().optional(),
  /** Notes from the agency to the receiving desk (editor's notes, not copy). */
  ednotes: z.array(z.string()).optional(),
  genres: z.array(Genre).optional(),
  places: z.array(Place).optional(),
  organisations: z.array(Organisation).optional(),
  /** People the story is about (its authors are in `bylines`). */
  people: z.array(Subject).optional(),
  services: z.array(Service).optional(),
  /** The item's own renditions as the source offers them (a text sent only by reference keeps its link). */
  sourceRenditions: z.array(RemoteRendition).optional(),
  /** The items of a package, in package order. */
  members: z.array(PackageMember).optional(),
  bylines: z.array(Byline).default([]),
  dateline: z.string().optional(),
  located: Located.optional(),
  /** Plain-text paragraphs, cleaned. */
  body: z.array(z.string()).default([]),
  /** Sanitized HTML, one `<p>` per paragraph (plus lists, links and emphasis kept). */
  bodyHtml: z.string().default(''),
  images: z.array(StoryImage).default([]),
  subjects: z.array(Subject).default([]),
  keywords: z.array(z.string()).default([]),
  infoSources: z.array(InfoSource).default([]),
  altIds: z.array(AltId).default([]),
  /** sha256 of the normalized text (headline + body), hex. */
  contentHash: z.string(),
  wordCount: z.number().int().nonnegative(),
  /** The format the story was parsed from, e.g. `ninjs-2`, `newsml-g2`, `html`. */
  format: z.string().optional(),
  /** Set when this story is a translation of another. */
  translationOf: z.object({ uri: z.string(), version: z.number().int(), language: z.string().optional() }).optional(),
  /** Things the normalizer fixed or could not do, for ops. */
  warnings: z.array(z.string()).default([]),
});
export type CanonicalStory = z.infer<typeof CanonicalStory>;
export type CanonicalStoryInput = z.input<typeof CanonicalStory>;

/**
 * The stable uri of a story from its source and guid. The apostrophe, which `encodeURIComponent`
 * leaves, is encoded too: a uri the pipeline mints must pass its own link check (`checkUri`).
 */
export function storyUri(source: string, guid: string): string {
  const part = (s: string): string => encodeURIComponent(s).replace(/'/g, '%27');
  return `urn:wire:${part(source)}:${part(guid)}`;
}
