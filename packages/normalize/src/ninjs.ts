import type { Byline, CanonicalStory, Place, RemoteRendition, StoryImage, Subject } from '@wire/schema';
import { checkUri } from '@wire/text';

export interface NinjsOptions {
  /** Public URL of a stored object key (renditions); without it stored renditions carry no href. */
  hrefFor?: (key: string) => string;
}

type Doc = Record<string, unknown>;

const NINJS_SCHEMA = 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json';
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * CanonicalStory → IPTC ninjs 3.1 (mapping in CONTRACTS.md "ninjs mapping"). The result validates
 * against `ninjs-schema_3.1.json`: values the schema types as `uri`/`date-time` are only emitted
 * when they are allowed links (`checkUri`: absolute http, https or urn) / RFC 3339 times.
 *
 * A picture, graphic or video item carries its own media at the top level (caption in
 * `descriptions`, photographer in `by`, credit in `copyrightHolder`, every rendition in
 * `renditions`); a text's pictures, graphics and videos are `associations`, and so are the items
 * of a package.
 *
 * @example toNinjs(story, { hrefFor: (key) => `https://cdn.example.com/${key}` })
 */
export function toNinjs(story: CanonicalStory, opts: NinjsOptions = {}): Doc {
  const self = story.type !== 'text' && story.type !== 'composite' ? story.images.find((i) => i.self) : undefined;
  const doc: Doc = {
    uri: story.uri,
    standard: { name: 'ninjs', version: '3.1', schema: NINJS_SCHEMA },
    type: story.type,
    version: String(story.version),
  };
  for (const k of ['versionCreated', 'firstCreated', 'contentCreated'] as const) if (isDateTime(story[k])) doc[k] = story[k];
  doc.pubStatus = story.pubStatus;
  if (isDateTime(story.embargoedUntil)) doc.embargoedUntil = story.embargoedUntil;
  if (isDateTime(story.expires)) doc.expires = story.expires;
  if (story.urgency) doc.urgency = story.urgency;
  if (story.language) doc.language = story.language;
  const holder = story.copyrightHolder ?? self?.credit;
  if (holder) doc.copyrightHolder = holder;
  if (story.copyrightNotice) doc.copyrightNotice = story.copyrightNotice;
  if (story.usageTerms) doc.usageTerms = story.usageTerms;
  const notes = [...(story.ednotes ?? [])];
  if (story.correction && !notes.some((n) => /correct/i.test(n))) notes.unshift('Correction');
  if (notes.length > 0) doc.edNote = notes.join('\n');

  if (story.headline) {
    const headlines: Array<{ role: string; value: string }> = [{ role: 'main', value: story.headline }];
    if (story.subheadline) headlines.push({ role: 'sub', value: story.subheadline });
    doc.headlines = headlines;
  }
  if (story.title) doc.title = story.title;
  if (story.slugline) doc.slugline = story.slugline;

  const descriptions: Array<{ role?: string; value: string }> = [...(story.descriptions ?? [])];
  if (self) descriptions.push(...imageDescriptions(self));
  if (story.dateline) descriptions.push({ role: 'dateline', value: story.dateline });
  if (descriptions.length > 0) doc.descriptions = descriptions;

  const by = displayBy(story.bylines) || self?.by;
  if (by) doc.by = by;
  const people = [
    ...story.bylines.map((b) => ({
      name: b.name,
      rel: b.role ?? 'author',
      ...withUri(b.uri),
      ...(b.email ? { contactInfo: [{ type: 'email', value: b.email }] } : {}),
    })),
    ...(self?.by && !story.bylines.some((b) => b.name === self.by) ? [{ name: self.by, rel: self.type === 'video' ? 'camera' : 'photographer' }] : []),
    ...(story.people ?? []).map((p) => ({ ...concept(p), rel: 'subject' })),
  ];
  if (people.length > 0) doc.people = people;
  const organisations = (story.organisations ?? []).map((o) => ({
    ...concept(o),
    ...(o.symbols?.length ? { symbols: o.symbols.map((s) => ({ symbol: s.ticker, ...(s.exchange ? { exchange: s.exchange } : {}) })) } : {}),
  }));
  if (organisations.length > 0) doc.organisations = organisations;
  const places = (story.places ?? []).map(place);
  if (places.length > 0) doc.places = places;
  const located = story.located?.city ? [story.located.city, story.located.country].filter(Boolean).join(', ') : story.dateline;
  if (located) doc.located = located;

  if (story.bodyHtml) {
    doc.bodies = [{ role: 'text', contentType: 'text/html', value: story.bodyHtml, wordCount: story.wordCount, charCount: story.body.reduce((n, p) => n + p.length, 0) }];
  }
  const subjects = [
    ...story.subjects.map(concept),
    ...(story.services ?? []).map((s) => ({ ...concept(s), rel: s.kind })),
    ...story.keywords.map((k) => ({ name: k, rel: 'keyword' })),
  ];
  if (subjects.length > 0) doc.subjects = subjects;
  const genres = (story.genres ?? []).map(concept);
  if (genres.length > 0) doc.genres = genres;
  if (story.infoSources.length > 0) {
    doc.infoSources = story.infoSources.map((s) => ({ name: s.name, role: s.role, ...withUri(s.uri) }));
  }
  const renditions = self ? renditionsOf(self, opts) : [];
  addRemote(renditions, story.sourceRenditions);
  if (renditions.length > 0) doc.renditions = renditions;

  const associations: Doc[] = [];
  let n = 0;
  for (const img of story.images) if (img !== self) associations.push(media(story, img, ++n, opts));
  for (const [i, m] of (story.members ?? []).entries()) {
    associations.push({
      name: m.group ? `${m.group}${i + 1}` : `item${i + 1}`,
      uri: link(m.uri) ?? `${story.uri}:item:${i + 1}`,
      rel: m.group ?? 'item',
      ...(m.type && NINJS_TYPES.has(m.type) ? { type: m.type } : {}),
      ...(m.headline ? { headlines: [{ role: 'main', value: m.headline }] } : {}),
      altIds: [{ role: 'guid', value: m.guid }],
    });
  }
  if (associations.length > 0) doc.associations = associations;
  doc.altIds = [{ role: 'guid', value: story.guid }, ...story.altIds.map((a) => ({ role: a.type, value: a.value }))];
  return doc;
}

const NINJS_TYPES = new Set(['text', 'audio', 'video', 'picture', 'graphic', 'composite', 'component', 'event', 'planning']);

/** A picture, graphic, video or audio association of a text. */
function media(story: CanonicalStory, img: StoryImage, n: number, opts: NinjsOptions): Doc {
  const type = img.type ?? 'picture';
  const a: Doc = {
    name: `${type}${n}`,
    uri: link(img.uri) ?? `${story.uri}:${type}:${n}`,
    type,
    rel: type,
  };
  if (img.headline) a.headlines = [{ role: 'main', value: img.headline }];
  const descriptions = imageDescriptions(img);
  if (descriptions.length > 0) a.descriptions = descriptions;
  if (img.by) a.by = img.by;
  if (img.credit) a.copyrightHolder = img.credit;
  const renditions = renditionsOf(img, opts);
  if (renditions.length > 0) a.renditions = renditions;
  if (img.guid) a.altIds = [{ role: 'guid', value: img.guid }];
  return a;
}

function imageDescriptions(img: StoryImage): Array<{ role: string; value: string }> {
  const out: Array<{ role: string; value: string }> = [];
  if (img.caption) out.push({ role: 'caption', value: img.caption });
  if (img.alt && img.alt !== img.caption && !img.caption?.startsWith(img.alt)) out.push({ role: 'alt', value: img.alt });
  return out;
}

/** Our stored renditions first, then every rendition the source offers (names kept unique). */
function renditionsOf(img: StoryImage, opts: NinjsOptions): Doc[] {
  const out: Doc[] = [];
  for (const r of img.renditions) {
    const href = link(r.href ?? (opts.hrefFor ? opts.hrefFor(r.key) : undefined));
    out.push({
      name: r.name,
      ...(href ? { href } : {}),
      contentType: r.contentType,
      ...(r.width ? { width: r.width } : {}),
      ...(r.height ? { height: r.height } : {}),
      ...(r.sizeInBytes !== undefined ? { sizeInBytes: r.sizeInBytes } : {}),
    });
  }
  if (out.length === 0 && img.key && opts.hrefFor) {
    const href = link(opts.hrefFor(img.key));
    out.push({ name: 'original', ...(href ? { href } : {}), ...(img.contentType ? { contentType: img.contentType } : {}), ...(img.width ? { width: img.width } : {}), ...(img.height ? { height: img.height } : {}) });
  }
  addRemote(out, img.sourceRenditions);
  // Not stored yet and no list of renditions: the source URL is where the picture can be fetched.
  const source = link(img.sourceUrl);
  if (out.length === 0 && source) {
    out.push({ name: 'source', href: source, ...(img.contentType ? { contentType: img.contentType } : {}), ...(img.width ? { width: img.width } : {}), ...(img.height ? { height: img.height } : {}) });
  }
  return out;
}

/** Appends the source's renditions that have an allowed link, names kept unique among `out`. */
function addRemote(out: Doc[], remote: RemoteRendition[] | undefined): void {
  for (const r of remote ?? []) {
    const href = link(r.href);
    if (!href) continue;
    out.push({
      name: out.some((t) => t.name === r.name) ? `source-${r.name}` : r.name,
      href,
      ...(r.contentType ? { contentType: r.contentType } : {}),
      ...(r.width ? { width: r.width } : {}),
      ...(r.height ? { height: r.height } : {}),
      ...(r.sizeInBytes !== undefined ? { sizeInBytes: r.sizeInBytes } : {}),
      ...(r.duration !== undefined ? { duration: r.duration } : {}),
    });
  }
}

/** A concept as ninjs writes it: name, the uri when an allowed link (or the code, when it is one), else the code (with its scheme) as literal. */
function concept(s: Subject): Doc {
  const codeUri = link(s.code);
  return {
    name: s.name,
    ...withUri(link(s.uri) ?? codeUri),
    ...(s.code && !codeUri ? { literal: s.scheme ? `${s.scheme}:${s.code}` : s.code } : {}),
  };
}

function place(p: Place): Doc {
  return { ...concept(p), ...(p.geo ? { geoJSON: { type: 'Point', coordinates: [p.geo.lon, p.geo.lat] } } : {}) };
}

/** `Jane Doe, Associated Press and John Roe`: names, each with the affiliation the source gave. */
function displayBy(all: Byline[]): string {
  // The authors; the photographer, editors and others only when no author is named.
  const authors = all.filter((b) => b.role === undefined || b.role === 'author');
  const bylines = authors.length > 0 ? authors : all;
  const names = bylines.map((b) => (b.affiliation ? `${b.name}, ${b.affiliation}` : b.name));
  if (names.length <= 1) return names[0] ?? '';
  // Several people sharing one affiliation: "A and B, AP".
  const shared = bylines.every((b) => b.affiliation && b.affiliation === bylines[0]!.affiliation) ? bylines[0]!.affiliation : undefined;
  const list = shared ? bylines.map((b) => b.name) : names;
  const joined = `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
  return shared ? `${joined}, ${shared}` : joined;
}

function isDateTime(v: string | undefined): v is string {
  return v !== undefined && DATE_TIME.test(v) && Number.isFinite(Date.parse(v));
}

/** The value as an allowed link, or `undefined`: the story was checked when it was finalized, `hrefFor` was not. */
function link(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const checked = checkUri(s);
  return checked.ok ? checked.uri : undefined;
}

/** `{ uri }` when the value is an allowed link, else nothing. */
function withUri(s: string | undefined): { uri?: string } {
  const uri = link(s);
  return uri ? { uri } : {};
}
