import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawWireMessageInput } from '@wire/queues';
import { REPO_ROOT } from '../supervisor';

/** Where the bundled sample feed lives (see its SOURCES.md). */
const FEED_DIR = join(REPO_ROOT, 'tests', 'fixtures', 'demo');

/** What the demo expects the pipeline to do with one sample item. */
interface FeedExpectation {
  /** Decision kinds that count as right for this item (`duplicate` for a re-send, …). */
  decisions: string[];
  /** Partner ids that must receive a webhook for this item (by story and version). */
  deliveredTo: string[];
  /** Partner ids that must receive it translated, with the language. */
  translatedFor?: Array<{ partner: string; language: string }>;
  /** Partner ids for which ops must show the translation as skipped: `{ partner, pair: 'sv→es' }`. */
  untranslatedFor?: Array<{ partner: string; pair: string }>;
}

export interface FeedItem {
  /** Short label shown in the progress and summary. */
  label: string;
  file: string;
  envelope: Omit<RawWireMessageInput, 'payload' | 'receivedAt'>;
  expect: FeedExpectation;
}

/** The two sample partners the demo runs and registers. */
export const DEMO_PARTNERS = {
  all: 'demo-all',
  spanish: 'demo-es',
} as const;

const SEED_GUID = 'joongang-2023-09-13-kim-russia';
const ALL = DEMO_PARTNERS.all;
const ES = DEMO_PARTNERS.spanish;

/**
 * The bundled sample feed, in publish order: the seed, a re-send of it, five IPTC fixtures in four
 * formats and three languages, an update of the seed, then its kill. The Spanish partner takes
 * Spanish only (`filters.languages: ["es"]`, `translateTo: ["es"]`): it expects the English copy
 * translated, and nothing of the Swedish and Norwegian copy — no Apertium pair or pivot leads from
 * the Scandinavian languages to Spanish, so ops shows "no translator for sv→es" and the partner,
 * whose language filter excludes Swedish, gets nothing.
 */
export const FEED: FeedItem[] = [
  {
    label: 'seed (JoongAng via LA site, scraped page)',
    file: 'seed-kim-russia.txt',
    envelope: { source: 'joongang', guid: SEED_GUID, version: 1, contentType: 'text/html', filename: 'seed-kim-russia.txt' },
    expect: { decisions: ['new'], deliveredTo: [ALL], translatedFor: [{ partner: ES, language: 'es' }] },
  },
  {
    label: 're-send of the seed',
    file: 'seed-kim-russia.txt',
    envelope: { source: 'joongang', guid: SEED_GUID, version: 1, contentType: 'text/html', filename: 'seed-kim-russia.txt' },
    expect: { decisions: ['duplicate', 'stale'], deliveredTo: [] },
  },
  {
    label: 'AP text (ninjs 1.4)',
    file: 'ninjsExSimpleText1.json',
    envelope: { source: 'ap', contentType: 'application/json', filename: 'ninjsExSimpleText1.json' },
    expect: { decisions: ['new'], deliveredTo: [ALL], translatedFor: [{ partner: ES, language: 'es' }] },
  },
  {
    label: 'AP picture (ninjs 2.1)',
    file: 'ap_image.json',
    envelope: { source: 'ap', contentType: 'application/json', filename: 'ap_image.json' },
    expect: { decisions: ['new'], deliveredTo: [ALL] },
  },
  {
    label: 'TT text + image (ninjs 3.0, Swedish)',
    file: 'tt_text_image_3.json',
    envelope: { source: 'tt', contentType: 'application/json', filename: 'tt_text_image_3.json' },
    expect: { decisions: ['new'], deliveredTo: [ALL], untranslatedFor: [{ partner: ES, pair: 'sv→es' }] },
  },
  {
    label: 'NTB article (NITF, Norwegian)',
    file: 'NTB_nitf_sample.xml',
    envelope: { source: 'ntb', contentType: 'application/xml', filename: 'NTB_nitf_sample.xml' },
    expect: { decisions: ['new'], deliveredTo: [ALL], untranslatedFor: [{ partner: ES, pair: 'nb→es' }] },
  },
  {
    label: 'IPTC news item (NewsML-G2)',
    file: 'LISTING_1_A_NewsML-G2_News_Item.xml',
    envelope: { source: 'iptc', contentType: 'application/xml', filename: 'LISTING_1_A_NewsML-G2_News_Item.xml' },
    expect: { decisions: ['new'], deliveredTo: [ALL] },
  },
  {
    label: 'update of the seed (v2)',
    file: 'seed-kim-russia-update.txt',
    envelope: { source: 'joongang', guid: SEED_GUID, version: 2, contentType: 'text/html', filename: 'seed-kim-russia-update.txt' },
    expect: { decisions: ['update', 'correction'], deliveredTo: [ALL], translatedFor: [{ partner: ES, language: 'es' }] },
  },
  {
    label: 'kill of the seed',
    file: 'seed-kim-russia-update.txt',
    envelope: {
      source: 'joongang',
      guid: SEED_GUID,
      version: 3,
      pubStatus: 'canceled',
      contentType: 'text/html',
      filename: 'seed-kim-russia-update.txt',
    },
    // The Spanish partner holds only the Spanish variant: it gets that variant's kill, not the original's.
    expect: { decisions: ['kill'], deliveredTo: [ALL, ES], translatedFor: [{ partner: ES, language: 'es' }] },
  },
];

/** The feed item's document, as text. */
export function readFeedItem(item: FeedItem, dir = FEED_DIR): string {
  return readFileSync(join(dir, item.file), 'utf8');
}
