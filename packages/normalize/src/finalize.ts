import { createHash } from 'node:crypto';
import { checkIdentifier, secureStory } from '@wire/text';
import { err, ok, storyUri, type Byline, type CanonicalStory, type InfoSource, type PubStatus, type Result, type StoryImage } from '@wire/schema';
import type { DraftImage, DraftStory } from './draft';
import { htmlToBlocks, renderBlocks, textToBlocks, type Block } from './blocks';
import { cleanText, countWords, escapeText } from './clean';
import { isBylineParagraph, parseByline } from './byline';
import { foldImages, splitCredit } from './credit';
import { extractDateline } from './dateline';
import { normalizeDate } from './dates';
import { normalizeError, type NormalizeError } from './errors';
import { detectLanguage, normalizeLanguage } from './language';
import { dedupeBy, draftBylines, imageExtras, linesAsParagraphs, mergePeople, printedDateline, resolveConcepts, storyExtras, tidyEdges } from './enrich';
import { outletForEmail } from './outlets';
import { providerSlug, providerSource } from './provider';
import { applyPageRules, sameText } from './page-rules';

/** Longest source or guid taken (an agency id is a few dozen characters). */
const MAX_ID_LENGTH = 1024;

/** What the envelope says; it wins over what the document says. */
export interface Envelope {
  source?: string;
  guid?: string;
  version?: number;
  pubStatus?: PubStatus;
  receivedAt?: string;
}

/** Formats that are pages a site printed rather than agency copy: the page rules apply. */
const SCRAPED = new Set(['html', 'text']);

/**
 * DraftStory → CanonicalStory: text hygiene, sanitized HTML (one `<p>` per paragraph), page rules
 * for scraped pages, byline and dateline extraction, caption/credit folding, outlet inference from
 * reporters' e-mail domains, language detection, stable uri and content hash. Last, the safe-output
 * pass (`secureStory`): plain text without markup in every field, the body through the one
 * sanitizer, every URI with an allowed scheme (others dropped, with a warning).
 */
export function finalize(draft: DraftStory, env: Envelope = {}): Result<CanonicalStory, NormalizeError> {
  const warnings = [...(draft.warnings ?? [])];
  const scraped = SCRAPED.has(draft.format);
  let headline = cleanText(draft.headline ?? '');

  const droppedLink = (d: { reason: string }) => warnings.push(`bodyHtml: link dropped (${d.reason})`);
  let blocks: Block[] = draft.bodyHtml ? htmlToBlocks(draft.bodyHtml, droppedLink) : textToBlocks(draft.bodyText ?? []);
  let images: DraftImage[] = [...(draft.images ?? [])];
  if (scraped) {
    const r = applyPageRules(linesAsParagraphs(blocks), headline || undefined);
    blocks = r.blocks;
    images = [...images, ...r.images];
  } else if (headline && blocks[0] && sameText(blocks[0].text, headline)) {
    blocks = blocks.slice(1);
  }

  // Bylines: the document's own, then byline paragraphs at the top or the bottom of the body.
  const bylines: Byline[] = draftBylines(draft.bylines);
  const edges = tidyEdges(blocks);
  blocks = edges.blocks;
  bylines.push(...edges.bylines);
  const edge = (i: number): boolean => i < 2 || i >= blocks.length - 3;
  blocks = blocks.filter((b, i) => {
    if (!edge(i) || !isBylineParagraph(b.text)) return true;
    for (const p of parseByline(b.text, { requireBy: true }) ?? []) {
      const same = bylines.find((x) => x.name.toLowerCase() === p.name.toLowerCase());
      if (same) same.email ??= p.email;
      else bylines.push(p);
    }
    return false;
  });

  // Dateline at the head of the first paragraph.
  let dateline = draft.dateline ? cleanText(draft.dateline) : undefined;
  let located = draft.located ? cleanLocated(draft.located) : undefined;
  const infoSources: InfoSource[] = (draft.infoSources ?? [])
    .map((s) => ({ name: cleanText(s.name), role: s.role ?? 'source', ...(s.uri ? { uri: s.uri } : {}) }))
    .filter((s) => s.name.length > 0);
  const first = blocks[0];
  if (first && first.tag === 'p') {
    const d = extractDateline(first.text);
    if (d) {
      ({ dateline, located } = printedDateline(d, located, warnings));
      if (d.agency && !infoSources.some((s) => s.name.toLowerCase() === d.agency!.toLowerCase())) infoSources.push({ name: d.agency, role: 'originator' });
      const prefix = escapeText(d.text);
      const html = first.html.startsWith(prefix) ? first.html.slice(prefix.length).trim() : escapeText(d.rest);
      blocks[0] = { ...first, text: d.rest, html };
    }
  }
  if (dateline && located) located.text = dateline;

  // The outlet behind the reporter's address, when nothing else names the originator.
  if (!infoSources.some((s) => s.role === 'originator' || s.role === 'source')) {
    for (const b of bylines) {
      const outlet = b.email ? outletForEmail(b.email) : undefined;
      if (outlet) {
        infoSources.push({ name: outlet, role: 'originator' });
        break;
      }
    }
  }

  const folded = foldImages(images);
  const storyImages: StoryImage[] = folded.map((img) => ({
    ...(img.caption ? { caption: img.caption } : {}),
    ...(img.credit ? { credit: img.credit } : {}),
    ...(img.alt ? { alt: img.alt } : {}),
    ...(img.sourceUrl ? { sourceUrl: img.sourceUrl } : {}),
    ...(img.embedded ? { embedded: img.embedded } : {}),
    ...(positiveInt(img.width) ? { width: img.width } : {}),
    ...(positiveInt(img.height) ? { height: img.height } : {}),
    renditions: [],
    ...imageExtras(img),
  }));

  const body = blocks.map((b) => b.text);
  const type = draft.type ?? 'text';
  if (!headline) {
    const fallback = cleanText(draft.slugline ?? '') || cleanText(draft.title ?? '') || splitCredit(storyImages[0]?.caption ?? '').caption || body[0] || '';
    headline = fallback.length > 160 ? `${fallback.slice(0, fallback.lastIndexOf(' ', 157) > 40 ? fallback.lastIndexOf(' ', 157) : 157)}…` : fallback;
    // A metadata-only item (a package, a hop history, a media item's metadata) may have no headline to give.
    if (headline) warnings.push('headline: missing; taken from the slugline, title, caption or first paragraph');
    else if (draft.metadataOnly) warnings.push(`headline: none in the document (metadata-only ${type} item)`);
    else return err(normalizeError('WIRE_ERR_NO_HEADLINE', { reason: `headline: empty after cleaning (${draft.format})`, format: draft.format }));
  }
  if (body.length === 0) {
    if (scraped && type === 'text') return err(normalizeError('WIRE_ERR_NO_BODY', { reason: `body: no paragraphs left after removing page chrome (${draft.format})`, format: draft.format }));
    if (type === 'text' && (draft.pubStatus ?? 'usable') === 'usable' && !draft.metadataOnly) warnings.push('body: empty');
  }

  const hashText = `${headline}\n${body.join('\n')}`;
  const contentHash = createHash('sha256').update(hashText).digest('hex');
  // The feed's provider names the uri namespace, never one item's info source (see provider.ts).
  const source = cleanText(env.source ?? draft.source ?? '') || providerSlug(providerSource(infoSources)?.name) || 'unknown';
  let guid = cleanText(env.guid ?? draft.guid ?? '');
  const guidCheck = checkIdentifier(guid);
  if (!guidCheck.ok) {
    warnings.push(`guid: ${guidCheck.reason}; derived from the content`);
    guid = '';
  } else if (!guid) warnings.push('guid: none in the document; derived from the content');
  guid ||= `sha256:${contentHash.slice(0, 32)}`;
  // Ids name the story everywhere (Kafka keys, job ids, the dedupe index): bounded, like any id.
  for (const [field, value] of [['source', source], ['guid', guid]] as const) {
    if (value.length > MAX_ID_LENGTH) {
      return err(normalizeError('WIRE_ERR_SCHEMA', { reason: `${field}: ${value.length} characters, more than ${MAX_ID_LENGTH} (${draft.format})`, format: draft.format }));
    }
  }
  const version = positiveInt(env.version) ? env.version : positiveInt(draft.version) ? draft.version : 1;

  let language = normalizeLanguage(draft.language);
  if (!language) {
    language = detectLanguage(`${headline}\n${body.slice(0, 6).join('\n')}`);
    if (language) warnings.push(`language: not declared; detected ${language}`);
  }

  const dates = {
    versionCreated: date(draft.versionCreated, 'versionCreated', warnings) ?? normalizeDate(env.receivedAt),
    firstCreated: date(draft.firstCreated, 'firstCreated', warnings),
    embargoedUntil: date(draft.embargoedUntil, 'embargoedUntil', warnings),
  };

  const story: CanonicalStory = {
    uri: storyUri(source, guid),
    source,
    guid,
    version,
    type,
    ...(dates.versionCreated ? { versionCreated: dates.versionCreated } : {}),
    ...(dates.firstCreated ? { firstCreated: dates.firstCreated } : {}),
    pubStatus: env.pubStatus ?? draft.pubStatus ?? 'usable',
    ...(dates.embargoedUntil ? { embargoedUntil: dates.embargoedUntil } : {}),
    ...(draft.urgency && Number.isInteger(draft.urgency) && draft.urgency >= 1 && draft.urgency <= 9 ? { urgency: draft.urgency } : {}),
    correction: draft.correction ?? false,
    ...(language ? { language } : {}),
    headline,
    ...(cleanText(draft.subheadline ?? '') ? { subheadline: cleanText(draft.subheadline ?? '') } : {}),
    ...(cleanText(draft.slugline ?? '') ? { slugline: cleanText(draft.slugline ?? '') } : {}),
    ...storyExtras(draft, { language, source, warnings }),
    bylines: mergePeople(bylines),
    ...(dateline ? { dateline } : {}),
    ...(located ? { located } : {}),
    body,
    bodyHtml: renderBlocks(blocks),
    images: storyImages,
    subjects: resolveConcepts(draft.subjects, language),
    keywords: [...new Set((draft.keywords ?? []).map(cleanText).filter(Boolean))],
    infoSources: dedupeBy(infoSources, (s) => `${s.name.toLowerCase()}|${s.role}`),
    altIds: dedupeBy(
      (draft.altIds ?? []).filter((a) => a.type && a.value),
      (a) => `${a.type}|${a.value}`,
    ),
    contentHash,
    wordCount: body.reduce((n, p) => n + countWords(p), 0),
    format: draft.format,
    warnings,
  };
  return ok(secureStory(story));
}

/** The location's parts as plain text; parts left empty are dropped. */
function cleanLocated(l: NonNullable<DraftStory['located']>): CanonicalStory['located'] {
  const city = l.city ? cleanText(l.city) : '';
  const country = l.country ? cleanText(l.country) : '';
  const text = l.text ? cleanText(l.text) : '';
  return city || country || text ? { ...(city ? { city } : {}), ...(country ? { country } : {}), ...(text ? { text } : {}) } : undefined;
}

function date(v: string | undefined, field: string, warnings: string[]): string | undefined {
  if (!v) return undefined;
  const d = normalizeDate(v);
  if (!d) warnings.push(`${field}: "${v.slice(0, 40)}" is not a date; dropped`);
  return d;
}

const positiveInt = (n: number | undefined): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;



