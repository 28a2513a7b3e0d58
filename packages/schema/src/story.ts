import { z } from 'zod';

/** How a story may be used (IPTC pubStatus). */
export const PubStatus = z.enum(['usable', 'withheld', 'canceled']);
export type PubStatus = z.infer<typeof PubStatus>;

export const Byline = z.object({
  name: z.string().min(1),
  role: z.string().optional(),
  email: z.string().optional(),
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

export const StoryImage = z.object({
  /** Caption, once (doubled alt text/figcaption folded). */
  caption: z.string().optional(),
  /** Credit split off the caption, e.g. `YONHAP`, `AP/YONHAP`. */
  credit: z.string().optional(),
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
});
export type StoryImage = z.infer<typeof StoryImage>;

export const Subject = z.object({
  code: z.string().optional(),
  name: z.string(),
  scheme: z.string().optional(),
});
export type Subject = z.infer<typeof Subject>;

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
  type: z.enum(['text', 'picture', 'video', 'audio', 'composite']).default('text'),
  versionCreated: z.string().optional(),
  firstCreated: z.string().optional(),
  pubStatus: PubStatus.default('usable'),
  embargoedUntil: z.string().optional(),
  /** IPTC urgency, 1 (most urgent) to 9. */
  urgency: z.number().int().min(1).max(9).optional(),
  /** True when the source marked this version as a correction. */
  correction: z.boolean().default(false),
  language: z.string().optional(),
  headline: z.string(),
  subheadline: z.string().optional(),
  slugline: z.string().optional(),
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

/** The stable uri of a story from its source and guid. */
export function storyUri(source: string, guid: string): string {
  return `urn:wire:${encodeURIComponent(source)}:${encodeURIComponent(guid)}`;
}
