import type { CanonicalStory, StoryImage } from '@wire/schema';
import { checkUri } from '@wire/text';

export interface NinjsOptions {
  /** Public URL of a stored object key (renditions); without it stored renditions carry no href. */
  hrefFor?: (key: string) => string;
}

const NINJS_SCHEMA = 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json';

/**
 * CanonicalStory → IPTC ninjs 3.1 (mapping in CONTRACTS.md "ninjs mapping"). The result validates
 * against `ninjs-schema_3.1.json`: values the schema types as `uri`/`date-time` are only emitted
 * when they are allowed links (`checkUri`: absolute http, https or urn) / RFC 3339 times.
 *
 * @example toNinjs(story, { hrefFor: (key) => `https://cdn.example.com/${key}` })
 */
export function toNinjs(story: CanonicalStory, opts: NinjsOptions = {}): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    uri: story.uri,
    standard: { name: 'ninjs', version: '3.1', schema: NINJS_SCHEMA },
    type: story.type,
    version: String(story.version),
  };
  if (story.versionCreated) doc.versionCreated = story.versionCreated;
  if (story.firstCreated) doc.firstCreated = story.firstCreated;
  doc.pubStatus = story.pubStatus;
  if (story.embargoedUntil) doc.embargoedUntil = story.embargoedUntil;
  if (story.urgency) doc.urgency = story.urgency;
  if (story.language) doc.language = story.language;
  const headlines: Array<{ role: string; value: string }> = [{ role: 'main', value: story.headline }];
  if (story.subheadline) headlines.push({ role: 'sub', value: story.subheadline });
  doc.headlines = headlines;
  if (story.slugline) doc.slugline = story.slugline;
  if (story.bylines.length > 0) {
    doc.by = joinNames(story.bylines.map((b) => b.name));
    doc.people = story.bylines.map((b) => ({
      name: b.name,
      rel: b.role ?? 'author',
      ...(b.email ? { contactInfo: [{ type: 'email', value: b.email }] } : {}),
    }));
  }
  if (story.located?.city || story.dateline) doc.located = story.located?.city ?? story.dateline;
  if (story.bodyHtml) {
    doc.bodies = [{ role: 'text', contentType: 'text/html', value: story.bodyHtml, wordCount: story.wordCount, charCount: story.body.reduce((n, p) => n + p.length, 0) }];
  }
  const subjects = [
    ...story.subjects.map((s) => ({
      name: s.name,
      ...(s.code && link(s.code) ? { uri: link(s.code) } : s.code ? { literal: s.scheme ? `${s.scheme}:${s.code}` : s.code } : {}),
    })),
    ...story.keywords.map((k) => ({ name: k, rel: 'keyword' })),
  ];
  if (subjects.length > 0) doc.subjects = subjects;
  if (story.infoSources.length > 0) {
    doc.infoSources = story.infoSources.map((s) => ({ name: s.name, role: s.role, ...(link(s.uri) ? { uri: link(s.uri) } : {}) }));
  }
  const associations = story.images.map((img, i) => picture(story, img, i, opts));
  if (associations.length > 0) doc.associations = associations;
  doc.altIds = [{ role: 'guid', value: story.guid }, ...story.altIds.map((a) => ({ role: a.type, value: a.value }))];
  if (story.correction) doc.edNote = 'Correction';
  return doc;
}

function picture(story: CanonicalStory, img: StoryImage, i: number, opts: NinjsOptions): Record<string, unknown> {
  const a: Record<string, unknown> = {
    name: `picture${i + 1}`,
    uri: `${story.uri}:picture:${i + 1}`,
    type: 'picture',
    rel: 'picture',
  };
  const descriptions: Array<{ role: string; value: string }> = [];
  if (img.caption) descriptions.push({ role: 'caption', value: img.caption });
  if (img.alt && img.alt !== img.caption && !img.caption?.startsWith(img.alt)) descriptions.push({ role: 'alt', value: img.alt });
  if (descriptions.length > 0) a.descriptions = descriptions;
  if (img.credit) a.copyrightHolder = img.credit;
  const renditions: Array<Record<string, unknown>> = [];
  for (const r of img.renditions) {
    const href = link(r.href ?? (opts.hrefFor ? opts.hrefFor(r.key) : undefined));
    renditions.push({
      name: r.name,
      ...(href ? { href } : {}),
      contentType: r.contentType,
      ...(r.width ? { width: r.width } : {}),
      ...(r.height ? { height: r.height } : {}),
      ...(r.sizeInBytes !== undefined ? { sizeInBytes: r.sizeInBytes } : {}),
    });
  }
  if (renditions.length === 0 && img.key && opts.hrefFor) {
    const href = link(opts.hrefFor(img.key));
    renditions.push({ name: 'original', ...(href ? { href } : {}), ...(img.contentType ? { contentType: img.contentType } : {}), ...(img.width ? { width: img.width } : {}), ...(img.height ? { height: img.height } : {}) });
  }
  // Not stored yet: the source URL is where the picture can be fetched.
  const source = link(img.sourceUrl);
  if (renditions.length === 0 && source) {
    renditions.push({ name: 'source', href: source, ...(img.contentType ? { contentType: img.contentType } : {}), ...(img.width ? { width: img.width } : {}), ...(img.height ? { height: img.height } : {}) });
  }
  if (renditions.length > 0) a.renditions = renditions;
  return a;
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The value as an allowed link, or `undefined`: the story was checked when it was finalized, `hrefFor` was not. */
function link(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const checked = checkUri(s);
  return checked.ok ? checked.uri : undefined;
}
