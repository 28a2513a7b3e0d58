/**
 * What a chaos run sends and to whom, fixed by the seed: the 20 partners (filters, languages,
 * translations, behaviours), the story families (first versions, re-sends, another agency's copy,
 * updates, corrections, kills, pictures) and the faults of each trial.
 */
import { fmix32 } from '@wire/dedupe';
import { storyUri } from '@wire/schema';
import { rng } from '../bench/dedupe-corpus';
import { wireText } from '../bench/wire-text';

/** How a partner answers (each request decided on arrival). */
interface Behaviour {
  /** Answer after a delay drawn from [min, max] ms. */
  slowMs?: [number, number];
  /** Share of requests answered 503. */
  fail5xx?: number;
  /** Share of requests held past the webhook timeout (then dropped). */
  timeout?: number;
  /** Answers 2xx to this many requests, then 410 Gone to every one. */
  goneAfter?: number;
  /** Answers 422 to deliveries whose webhook-id hashes to 0 modulo this (the same ones on every retry). */
  rejectOneIn?: number;
}

/** A partner as registered through the ops API, and how its endpoint behaves. */
export interface PartnerSpec {
  id: string;
  filters?: { sources?: string[]; languages?: string[]; subjects?: string[] };
  translateTo?: string[];
  allCopies?: boolean;
  behaviour: Behaviour;
}

/**
 * Twenty partners. Filters and languages give each story a known subset; three take Spanish
 * translations (one beside the original, two instead of it); two take every agency's copy; one
 * closes its endpoint (410) after a few deliveries; one refuses some stories for good (422).
 */
export const PARTNERS: readonly PartnerSpec[] = [
  { id: 'p01-all', behaviour: {} },
  { id: 'p02-english', filters: { languages: ['en'] }, behaviour: {} },
  { id: 'p03-spanish', filters: { languages: ['es'] }, behaviour: { fail5xx: 0.1 } },
  { id: 'p04-yonhap-slow', filters: { sources: ['yonhap'] }, behaviour: { slowMs: [300, 1200] } },
  { id: 'p05-ap-afp-flaky', filters: { sources: ['ap', 'afp'] }, behaviour: { fail5xx: 0.2 } },
  { id: 'p06-economy-timeouts', filters: { subjects: ['economy'] }, behaviour: { timeout: 0.08 } },
  { id: 'p07-politics-sports', filters: { subjects: ['politics', 'sports'] }, behaviour: { slowMs: [100, 800], fail5xx: 0.1 } },
  { id: 'p08-en-plus-es', filters: { languages: ['en'], subjects: ['economy', 'tech'] }, translateTo: ['es'], behaviour: { fail5xx: 0.05 } },
  { id: 'p09-es-translated', filters: { languages: ['es'] }, translateTo: ['es'], behaviour: { slowMs: [50, 400] } },
  { id: 'p10-sports-es', filters: { subjects: ['sports', 'culture'] }, translateTo: ['es'], behaviour: { timeout: 0.05 } },
  { id: 'p11-all-copies', allCopies: true, behaviour: {} },
  { id: 'p12-en-copies', filters: { languages: ['en'] }, allCopies: true, behaviour: { fail5xx: 0.15 } },
  { id: 'p13-gone', filters: { subjects: ['politics', 'economy'] }, behaviour: { goneAfter: 12 } },
  { id: 'p14-picky', filters: { languages: ['en'] }, behaviour: { rejectOneIn: 10 } },
  { id: 'p15-afp-slow', filters: { sources: ['afp'] }, behaviour: { slowMs: [500, 1500] } },
  { id: 'p16-tech-flaky', filters: { subjects: ['tech'] }, behaviour: { fail5xx: 0.3 } },
  { id: 'p17-en-yonhap-ap', filters: { languages: ['en'], sources: ['yonhap', 'ap'] }, behaviour: {} },
  { id: 'p18-culture-timeouts', filters: { subjects: ['culture'] }, behaviour: { timeout: 0.05, slowMs: [0, 300] } },
  { id: 'p19-es-afp-yonhap', filters: { languages: ['es'], sources: ['afp', 'yonhap'] }, behaviour: {} },
  { id: 'p20-all-slow', behaviour: { slowMs: [50, 400] } },
];

/** The agency whose exact copies of other agencies' stories arrive as cross-agency duplicates. */
const COPY_SOURCE = 'reuters';
const SUBJECTS = ['politics', 'economy', 'sports', 'tech', 'culture'] as const;

export type MessageKind = 'new' | 'resend' | 'copy' | 'update' | 'correction' | 'kill';

/** One message of the wire stream, with what it is (the expectations are computed from this). */
export interface StoryMessage {
  family: number;
  kind: MessageKind;
  source: string;
  guid: string;
  uri: string;
  version: number;
  language: 'en' | 'es';
  subject: string;
  headline: string;
  paragraphs: string[];
  /** Index of the picture it carries (served by the image server), if any. */
  image?: number;
  correction?: boolean;
  canceled?: boolean;
  /** Kafka partition (a story and its copy share one, so their order is kept). */
  partition: number;
  /** When it is due, ms after the run's start. */
  dueMs: number;
}

/** Number of distinct pictures the image server serves. */
export const PICTURES = 8;

/** A generator seeded from (seed, salt): unrelated salts give unrelated sequences. */
export function seededFor(seed: number, salt: number): () => number {
  return rng(fmix32((seed >>> 0) ^ fmix32(salt + 0x9e3779b9)));
}

const between = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
function pickWeighted<T>(r: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let u = r() * total;
  for (const [item, w] of items) if ((u -= w) < 0) return item;
  return items[items.length - 1]![0];
}

const sentence = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}.`;

/**
 * The messages of story family `f` (deterministic for the seed), due from `startMs` on: a first
 * version, then perhaps a re-send, another agency's exact copy, an update, a correction, a kill.
 */
export function storyFamily(seed: number, f: number, startMs: number, partitions: number): StoryMessage[] {
  const r = seededFor(seed, f);
  const source = pickWeighted(r, [['yonhap', 45], ['ap', 30], ['afp', 25]] as const);
  const language = r() < 0.75 ? 'en' : 'es';
  const subject = SUBJECTS[Math.floor(r() * SUBJECTS.length)]!;
  const guid = `chaos-${seed}-${f}`;
  const textSeed = fmix32(seed ^ fmix32(f * 7919 + 1));
  const headline = `${sentence(wireText(textSeed, 8)).slice(0, -1)} (${f})`;
  const paragraphs = [1, 2, 3, 4].map((i) => sentence(wireText(textSeed + i, 22)));
  const partition = fmix32(f + 17) % partitions;
  const base = { family: f, source, guid, uri: storyUri(source, guid), language, subject, partition } as const;
  const out: StoryMessage[] = [];
  let at = startMs;
  let version = 1;
  let text = paragraphs;
  const willKill = r() < 0.15;
  out.push({ ...base, kind: 'new', version, headline, paragraphs: text, image: r() < 0.4 ? between(r, 0, PICTURES - 1) : undefined, dueMs: at });
  const first = out[0]!;
  if (r() < 0.25) out.push({ ...first, kind: 'resend', dueMs: (at += between(r, 1000, 4000)) });
  if (!willKill && r() < 0.2) {
    const copyGuid = `copy-${seed}-${f}`;
    out.push({ ...first, kind: 'copy', source: COPY_SOURCE, guid: copyGuid, uri: storyUri(COPY_SOURCE, copyGuid), dueMs: (at += between(r, 1000, 5000)) });
  }
  if (r() < 0.5) {
    text = [...text, sentence(wireText(textSeed + 10, 18))];
    out.push({ ...base, kind: 'update', version: ++version, headline, paragraphs: text, image: r() < 0.3 ? between(r, 0, PICTURES - 1) : undefined, dueMs: (at += between(r, 2000, 8000)) });
  }
  if (r() < 0.2) {
    text = [text[0]!, sentence(wireText(textSeed + 20, 22)), ...text.slice(2)];
    out.push({ ...base, kind: 'correction', version: ++version, headline, paragraphs: text, correction: true, dueMs: (at += between(r, 2000, 8000)) });
  }
  if (willKill) out.push({ ...base, kind: 'kill', version: ++version, headline, paragraphs: text, canceled: true, dueMs: (at += between(r, 2000, 8000)) });
  return out;
}

/** The NITF document of a message (declared language, subject, picture, correction flag). */
export function nitfDocument(m: StoryMessage, imageUrl: (index: number) => string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const picture =
    m.image === undefined
      ? ''
      : `<media media-type="image"><media-reference source="${esc(imageUrl(m.image))}" width="320" height="240" mime-type="image/jpeg"/><media-caption>${esc(m.headline)}</media-caption><media-producer>${esc(m.source.toUpperCase())}</media-producer></media>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<nitf baselang="${m.language}"><head><title>${esc(m.headline)}</title><tobject tobject.type="news"><tobject.subject tobject.subject.matter="${m.subject}"/></tobject>
<docdata><doc-id id-string="${esc(m.guid)}"/>${m.correction ? '<correction info="corrected"/>' : ''}</docdata></head>
<body><body.head><hedline><hl1>${esc(m.headline)}</hl1></hedline></body.head>
<body.content>${m.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}${picture}</body.content></body></nitf>`;
}

/** The kinds of fault a trial injects (the JSON's `faults` counts them by these names). */
export const FAULT_KINDS = ['replicaKill', 'kafkaRestart', 'redisRestart', 's3Outage', 'partnerOutage'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The replicas a kill picks from: two each of ingest, webhooks and translator. */
const REPLICAS = ['ingest-1', 'ingest-2', 'webhooks-1', 'webhooks-2', 'translator-1', 'translator-2'] as const;
export type ReplicaName = (typeof REPLICAS)[number];

export type FaultPlan =
  | { kind: 'replicaKill'; replica: ReplicaName; restartAfterMs: number }
  | { kind: 'kafkaRestart'; downMs: number }
  | { kind: 'redisRestart'; downMs: number }
  | { kind: 's3Outage'; downMs: number }
  | { kind: 'partnerOutage'; partner: string; downMs: number };

export interface TrialPlan {
  /** Quiet time before the fault, ms. */
  gapMs: number;
  fault: FaultPlan;
}

/**
 * The trials of a run: the first ones cover every allowed kind once (in a seeded order), later
 * ones draw kill -9 more often than the rest. Outages last up to `maxOutageMs`.
 */
export function planTrials(seed: number, trials: number, kinds: readonly FaultKind[], opts: { maxOutageMs: number; maxGapMs: number }): TrialPlan[] {
  const r = seededFor(seed, 0x7a11);
  const order = [...kinds];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const outage = (min: number) => between(r, Math.min(min, opts.maxOutageMs), opts.maxOutageMs);
  const partners = PARTNERS.filter((p) => p.behaviour.goneAfter === undefined).map((p) => p.id);
  const out: TrialPlan[] = [];
  for (let i = 0; i < trials; i++) {
    const kind = i < order.length ? order[i]! : pickWeighted(r, kinds.map((k) => [k, k === 'replicaKill' ? 3 : 1] as const));
    const gapMs = between(r, Math.min(2000, opts.maxGapMs), opts.maxGapMs);
    let fault: FaultPlan;
    switch (kind) {
      case 'replicaKill':
        fault = { kind, replica: REPLICAS[Math.floor(r() * REPLICAS.length)]!, restartAfterMs: between(r, 1000, 15_000) };
        break;
      case 'kafkaRestart':
      case 'redisRestart':
        fault = { kind, downMs: between(r, 0, Math.min(10_000, opts.maxOutageMs)) };
        break;
      case 's3Outage':
        fault = { kind, downMs: outage(10_000) };
        break;
      case 'partnerOutage':
        fault = { kind, partner: partners[Math.floor(r() * partners.length)]!, downMs: outage(5_000) };
        break;
    }
    out.push({ gapMs, fault });
  }
  return out;
}
