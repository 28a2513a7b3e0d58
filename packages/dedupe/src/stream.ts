/**
 * Running a labelled or unlabelled JSONL wire stream (the `wire dedupe` input: `id`, `source`,
 * `guid`, `version`, `receivedAt`, `headline`, `body`) through the engine, in order, and mapping
 * each decision's `of` back to the id of the earlier item it names.
 */
import { createHash } from 'node:crypto';
import { storyFromFields } from '@wire/normalize';
import { CanonicalStory, storyUri, type DecisionKind, type PubStatus } from '@wire/schema';
import type { DedupeEngine } from './engine';

export interface StreamItem {
  id: string;
  source: string;
  guid: string;
  version: number;
  receivedAt?: string;
  headline: string;
  body: string;
  pubStatus?: PubStatus;
  correction?: boolean;
}

export interface StreamOutput {
  id: string;
  decision: DecisionKind;
  of: string | null;
}

/** Turns a stream item into a canonical story. */
export type StoryBuilder = (item: StreamItem) => CanonicalStory;

/**
 * Minimal stand-in for `@wire/normalize`'s `storyFromFields`: paragraphs split on blank lines,
 * whitespace collapsed, content hash over headline and body. Page chrome is left in; the
 * fingerprint drops what looks like chrome on its own.
 */
export function basicStory(item: StreamItem): CanonicalStory {
  const body = item.body
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/[ \t]+/g, ' ').trim())
    .filter((p) => p.length > 0);
  const headline = item.headline.replace(/\s+/g, ' ').trim();
  const contentHash = createHash('sha256').update(`${headline}\n\n${body.join('\n\n')}`).digest('hex');
  return CanonicalStory.parse({
    uri: storyUri(item.source, item.guid),
    source: item.source,
    guid: item.guid,
    version: item.version,
    pubStatus: item.pubStatus ?? 'usable',
    correction: item.correction ?? false,
    headline,
    body,
    contentHash,
    wordCount: body.join(' ').split(/\s+/).filter(Boolean).length,
    versionCreated: item.receivedAt,
  });
}

/**
 * A stream item through `@wire/normalize`'s `storyFromFields` (which strips a scraped page's
 * chrome), as `wire dedupe` does. When normalization refuses the copy, the raw text is used
 * (and `onFallback` hears why) rather than dropping a line of the stream.
 */
export function normalizedStory(item: StreamItem, onFallback?: (item: StreamItem, reason: string) => void): CanonicalStory {
  const r = storyFromFields({
    source: item.source,
    guid: item.guid,
    version: item.version,
    headline: item.headline,
    body: item.body,
    ...(item.receivedAt ? { receivedAt: item.receivedAt } : {}),
    ...(item.pubStatus ? { pubStatus: item.pubStatus } : {}),
  });
  if (r.ok) return item.correction ? { ...r.value, correction: true } : r.value;
  onFallback?.(item, `${r.error.code}: ${r.error.message}`);
  return basicStory(item);
}

/** Decides every item in order (in batches of `batch`), returning one output line per item. */
export async function runStream(
  items: readonly StreamItem[],
  engine: DedupeEngine,
  opts: { build?: StoryBuilder; batch?: number } = {},
): Promise<StreamOutput[]> {
  const build = opts.build ?? basicStory;
  const batch = opts.batch ?? 1;
  const firstId = new Map<string, string>();
  const out: StreamOutput[] = [];
  for (let i = 0; i < items.length; i += batch) {
    const chunk = items.slice(i, i + batch);
    const stories = chunk.map((item) => build(item));
    const decisions = await engine.decideMany(stories.map((story, j) => ({ story, receivedAt: chunk[j]!.receivedAt })));
    chunk.forEach((item, j) => {
      const story = stories[j]!;
      const d = decisions[j]!;
      // Under the version the item is published as (a renumbered kill's), which later decisions name.
      const key = `${story.uri}#${d.version ?? story.version}`;
      if (!firstId.has(key)) firstId.set(key, item.id);
      out.push({ id: item.id, decision: d.kind, of: d.of ? (firstId.get(`${d.of.uri}#${d.of.version}`) ?? null) : null });
    });
  }
  return out;
}
