/**
 * The dedupe and versioning engine: for each incoming story version, one `Decision`.
 *
 * Versioning by uri (source + guid) comes first: a kill (pubStatus canceled) applies to every
 * version; a higher version is an update (a correction when marked so); an older or equal version
 * after a newer one is stale; the exact same copy re-sent is a duplicate. Only a story whose uri
 * is unknown goes through content fingerprinting: new, or a duplicate of the earliest story of
 * the cluster it matches. Each decision is recorded with the delivery it came from, so a crash
 * re-run of the same delivery repeats it.
 *
 * A kill is a new version of the story: one that does not carry a version above the latest (a
 * feed without versions, or the agency re-using the version it cancels) is published as
 * latest + 1 (`Decision.version`), so every partner's "older than delivered" check lets it in.
 */
import type { CanonicalStory, Decision } from '@wire/schema';
import { DEFAULT_MATCH, compare, indexIncoming, type Comparison, type MatchThresholds } from './compare';
import { dedupeError } from './errors';
import { anchorsOf, fingerprintStory, queryAnchorsOf, storedSignature, type StoryFingerprint } from './fingerprint';
import { hashString } from './hash';
import { uriKeys, type StoryRecord } from './record';
import type { LookupResult, StoredStory } from './record-index';
import type { DedupeStore } from './store';

export interface DedupeEngineOptions {
  store: DedupeStore;
  /** Days a story stays findable for duplicates (default: the store's window). */
  windowDays?: number;
  /** Overrides of the match thresholds. */
  thresholds?: Partial<MatchThresholds>;
  /** Clock for stories without a receivedAt (ms since epoch). */
  now?: () => number;
  /** Decide-and-append rounds before giving up under contention (default 20). */
  maxRounds?: number;
}

export interface DecideOptions {
  /** When the envelope was received (ISO 8601): sets the window day and identifies the delivery. */
  receivedAt?: string;
}

export type DecideItem = {
  story: CanonicalStory;
  /**
   * `fingerprintStory(story)`, when the caller computed it ahead — for instance while the
   * previous batch was at the store, so that CPU and store work overlap.
   */
  fingerprint?: StoryFingerprint;
} & DecideOptions;

interface Pending {
  story: CanonicalStory;
  fp: StoryFingerprint;
  /** Anchors this story is indexed under. */
  anchors: number[];
  /** Anchors its lookup reads. */
  query: number[];
  day: number;
  deliveryKey: number;
  uriKey: number;
  uriCheck: number;
}

/** The story a decision names: a record id (its uri comes from the store) or a known uri. */
type OfRef = { id: number; version: number } | { uri: string; version: number };

interface Planned {
  decision: Omit<Decision, 'of'>;
  of: OfRef | null;
  /** null: nothing to write (a replay of a recorded decision). */
  record: StoryRecord | null;
}

const DAY_MS = 86_400_000;

export class DedupeEngine {
  readonly store: DedupeStore;
  readonly windowDays: number;
  private readonly thresholds: MatchThresholds;
  private readonly now: () => number;
  private readonly maxRounds: number;

  constructor(opts: DedupeEngineOptions) {
    this.store = opts.store;
    this.windowDays = opts.windowDays ?? opts.store.windowDays;
    this.thresholds = { ...DEFAULT_MATCH, ...opts.thresholds };
    this.now = opts.now ?? Date.now;
    this.maxRounds = opts.maxRounds ?? 20;
  }

  /**
   * Loads the store's index (a shared store's replica reads the live records: about 2 s for a
   * million), so that the first decision does not wait for it. Optional: the first decision
   * loads it otherwise.
   */
  async warm(): Promise<void> {
    await this.store.exclusive(async () => undefined);
  }

  /**
   * The version register of `uri` as the store holds it now — the latest version published (a
   * renumbered kill's included) and whether the story is killed — or null when the store holds
   * no record of it. A shared store first reads what other writers appended since its replica
   * last looked. For readers that must not act on an outdated version (media-retry).
   */
  async latestOf(uri: string): Promise<{ version: number; killed: boolean } | null> {
    return this.store.exclusive(async () => {
      await this.store.refresh?.();
      const { uriKey, uriCheck } = uriKeys(uri);
      // Whatever the story's age: the window decides whether a new delivery continues a story,
      // not where a story already published stands.
      const reg = this.store.index.lookup(uriKey, uriCheck, Number.NEGATIVE_INFINITY, []).register;
      return reg ? { version: reg.latest, killed: reg.killed } : null;
    });
  }

  /** Decides one story. */
  async decide(story: CanonicalStory, opts: DecideOptions = {}): Promise<Decision> {
    const [d] = await this.decideMany([{ story, ...opts }]);
    return d!;
  }

  /**
   * Decides a batch in order, exactly as one by one: each story looks up in the index in
   * process, its record is staged there (so later stories of the batch see it), and the batch's
   * records are appended to the store in one step. When another writer appended something since
   * that touches one of the batch's stories, the store reports a conflict and the batch is
   * decided again against the index brought up to date.
   */
  async decideMany(items: readonly DecideItem[]): Promise<Decision[]> {
    // Fingerprints first, outside the index's turn: pure CPU that needs no view of the index.
    // A batch mostly shares one delivery time: parse and hash it once per distinct value.
    let lastAt: string | undefined;
    let lastDay = 0;
    let lastKey = 0;
    const pending: Pending[] = items.map((item) => {
      const fp = item.fingerprint ?? fingerprintStory(item.story);
      if (item.receivedAt === undefined || item.receivedAt !== lastAt) {
        const ms = item.receivedAt ? Date.parse(item.receivedAt) : Number.NaN;
        lastDay = Math.floor((Number.isFinite(ms) ? ms : this.now()) / DAY_MS);
        lastKey = hashString(item.receivedAt ?? '');
        lastAt = item.receivedAt;
      }
      const keys = uriKeys(item.story.uri);
      return {
        story: item.story,
        fp,
        anchors: anchorsOf(fp),
        query: queryAnchorsOf(fp),
        day: lastDay,
        deliveryKey: lastKey,
        uriKey: keys.uriKey,
        uriCheck: keys.uriCheck,
      };
    });
    if (pending.length === 0) return [];
    return this.store.exclusive(async () => {
      const index = this.store.index;
      for (let round = 0; round < this.maxRounds; round++) {
        const snapshot = index.seq;
        const plans: Planned[] = [];
        /** Uris of the records staged in this round, by their id. */
        const stagedUris = new Map<number, string>();
        const touched: number[] = [];
        try {
          for (const p of pending) {
            const plan = this.plan(p, index.lookup(p.uriKey, p.uriCheck, p.day, p.query));
            plans.push(plan);
            if (plan.record) {
              stagedUris.set(index.stage(plan.record), p.story.uri);
              touched.push(p.uriKey, ...p.query);
            }
          }
        } catch (e) {
          // Never leave a half-planned batch staged in the index.
          index.rollbackStaged();
          throw e;
        }
        const names = new Set<number>();
        for (const plan of plans) if (plan.of && 'id' in plan.of && plan.of.id <= snapshot) names.add(plan.of.id);
        if (stagedUris.size === 0 && names.size === 0) return plans.map((plan) => ({ ...plan.decision, of: plan.of && 'uri' in plan.of ? plan.of : null }));
        const res = await this.store.append({ uris: [...stagedUris.values()], touched, names: [...names] });
        if (!res.ok) continue;
        return plans.map((plan) => ({ ...plan.decision, of: resolve(plan.of, stagedUris, res.names) }));
      }
      throw dedupeError('WIRE_ERR_DEDUPE_CONTENTION', `${pending.length} stories still conflicting after ${this.maxRounds} rounds`, {
        uris: pending.map((p) => p.story.uri),
      });
    });
  }

  private plan(p: Pending, l: LookupResult): Planned {
    const { story, fp } = p;
    const reg = l.register;
    const ref = (id: number): OfRef | null => {
      const s = l.stories.get(id);
      return s ? { id, version: s.record.version } : null;
    };
    const rootOf = (s: StoredStory): number => s.record.rootId || s.id;
    const signature = storedSignature(fp);
    const record = (kind: StoryRecord['kind'], ofId: number, rootId: number, latest: number, killed: boolean, indexed: boolean): StoryRecord => ({
      contentKey: fp.contentKey,
      deliveryKey: p.deliveryKey,
      version: story.version,
      kind,
      indexed,
      ofId,
      rootId,
      day: p.day,
      signature,
      uriKey: p.uriKey,
      uriCheck: p.uriCheck,
      latest,
      killed,
      anchors: indexed ? p.anchors : [],
    });

    // 1. The same (uri, version, content) seen before: a crash re-run or a re-send.
    if (reg) {
      for (const e of reg.entries) {
        if (e.version !== story.version) continue;
        const s = l.stories.get(e.id);
        if (!s || s.record.contentKey !== fp.contentKey) continue;
        if (s.record.deliveryKey === p.deliveryKey) {
          // A kill published under another version than its own kept that version as `latest`.
          const renumbered = s.record.kind === 'kill' && s.record.latest !== s.record.version ? { version: s.record.latest } : {};
          return {
            decision: { kind: s.record.kind, ...renumbered, scores: {}, reasons: ['replayed: this delivery was decided before'] },
            of: s.record.ofId ? ref(s.record.ofId) : null,
            record: null,
          };
        }
        if (story.pubStatus !== 'canceled' && s.record.kind !== 'kill' && !reg.killed) {
          const root = rootOf(s);
          return {
            decision: { kind: 'duplicate', scores: { containment: 1 }, reasons: ['re-sent: same source, guid, version and content'] },
            of: ref(root),
            record: record('duplicate', root, root, reg.latest, reg.killed, false),
          };
        }
      }
    }

    const latestEntry = reg ? [...reg.entries].reverse().find((e) => e.version === reg.latest) : undefined;
    const latestStory = latestEntry ? l.stories.get(latestEntry.id) : undefined;
    const latestRef: OfRef | null = latestStory ? ref(latestStory.id) : reg ? { uri: story.uri, version: reg.latest } : null;
    const latestId = latestStory?.id ?? 0;
    const latestRoot = latestStory ? rootOf(latestStory) : 0;

    // 2. Kill: applies to every version of the story. A kill is a new version of the story: one
    // at or below the latest version (no version given, or the one it cancels) is published as
    // latest + 1, so that partners holding the latest take it and the (uri, version) is new; its
    // record keeps its own version (a replay finds it by that) and the published one as `latest`.
    // Once killed, a kill at or below the latest has nothing left to deliver.
    if (story.pubStatus === 'canceled') {
      if (reg && story.version <= reg.latest) {
        if (reg.killed) {
          return {
            decision: { kind: 'stale', scores: {}, reasons: [`stale: already killed (version ${story.version}, latest ${reg.latest})`] },
            of: latestRef,
            record: record('stale', latestId, latestRoot, reg.latest, true, false),
          };
        }
        const published = reg.latest + 1;
        return {
          decision: { kind: 'kill', version: published, scores: {}, reasons: [`kill: every version up to ${reg.latest}, published as version ${published} (its own: ${story.version})`] },
          of: latestRef,
          record: record('kill', latestId, latestRoot, published, true, false),
        };
      }
      return {
        decision: { kind: 'kill', scores: {}, reasons: [reg ? `kill: every version up to ${reg.latest}` : 'kill: story not seen before'] },
        of: latestRef,
        record: record('kill', latestId, latestRoot, story.version, true, false),
      };
    }

    if (reg) {
      if (reg.killed) {
        return {
          decision: { kind: 'stale', scores: {}, reasons: ['stale: the story was killed'] },
          of: latestRef,
          record: record('stale', latestId, latestRoot, reg.latest, true, false),
        };
      }
      if (story.version > reg.latest) {
        const kind = story.correction ? 'correction' : 'update';
        return {
          decision: { kind, scores: {}, reasons: [`${kind}: version ${story.version} after ${reg.latest}`] },
          of: latestRef,
          record: record(kind, latestId, latestRoot, story.version, false, true),
        };
      }
      return {
        decision: { kind: 'stale', scores: {}, reasons: [`stale: version ${story.version} after ${reg.latest}`] },
        of: latestRef,
        record: record('stale', latestId, latestRoot, reg.latest, false, false),
      };
    }

    // 3. Unknown uri: content fingerprinting.
    const incoming = l.candidates.length > 0 ? indexIncoming(fp) : null;
    let best: { s: StoredStory; c: Comparison } | null = null;
    let bestVeto: { s: StoredStory; c: Comparison } | null = null;
    for (const id of l.candidates) {
      const s = l.stories.get(id);
      if (!s || !s.record.indexed || !incoming) continue;
      const c = compare(incoming, s.record.signature, this.thresholds);
      if (c.match) {
        if (!best || c.containment > best.c.containment || (c.containment === best.c.containment && rootOf(s) < rootOf(best.s))) best = { s, c };
      } else if (c.vetoed && (!bestVeto || c.containment > bestVeto.c.containment)) {
        bestVeto = { s, c };
      }
    }
    if (best) {
      const root = rootOf(best.s);
      const { c } = best;
      const exact = c.containment === 1 && best.s.record.contentKey === fp.contentKey;
      return {
        decision: {
          kind: 'duplicate',
          scores: scoresOf(c),
          reasons: [
            exact
              ? 'identical content'
              : `containment ${c.containment.toFixed(2)} (jaccard ${c.jaccard.toFixed(2)}), figures/names agree ${c.figuresCompared - c.figuresDiffer} of ${c.figuresCompared}`,
          ],
        },
        of: ref(root),
        // An identical copy adds nothing to the index.
        record: record('duplicate', root, root, story.version, false, !exact),
      };
    }
    const reasons: string[] = [];
    const scores: Record<string, number> = {};
    if (bestVeto) {
      const { c } = bestVeto;
      reasons.push(`vetoed: figures/names differ ${c.figuresDiffer} of ${c.figuresCompared} (containment ${c.containment.toFixed(2)})`);
      Object.assign(scores, scoresOf(c));
    } else {
      reasons.push(l.candidates.length > 0 ? `no match among ${l.candidates.length} candidates` : 'no candidate');
    }
    return { decision: { kind: 'new', scores, reasons }, of: null, record: record('new', 0, 0, story.version, false, true) };
  }
}

/** The uri and version a decision names, once the store has told the uris of committed ids. */
function resolve(of: OfRef | null, stagedUris: ReadonlyMap<number, string>, names: ReadonlyMap<number, string>): Decision['of'] {
  if (!of) return null;
  if ('uri' in of) return of;
  const uri = stagedUris.get(of.id) ?? names.get(of.id);
  return uri === undefined ? null : { uri, version: of.version };
}

function scoresOf(c: Comparison): Record<string, number> {
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    containment: r(c.containment),
    jaccard: r(c.jaccard),
    sharedSketch: c.shared,
    figuresCompared: c.figuresCompared,
    figuresDiffer: c.figuresDiffer,
  };
}
