/**
 * The dedupe and versioning engine: for each incoming story version, one `Decision`.
 *
 * Versioning by uri (source + guid) comes first: a kill (pubStatus canceled) applies to every
 * version; a higher version is an update (a correction when marked so); an older or equal version
 * after a newer one is stale; the exact same copy re-sent is a duplicate. Only a story whose uri
 * is unknown goes through content fingerprinting: new, or a duplicate of the earliest story of
 * the cluster it matches. Each decision is recorded with the delivery it came from, so a crash
 * re-run of the same delivery repeats it.
 */
import type { CanonicalStory, Decision } from '@wire/schema';
import { DEFAULT_MATCH, compare, indexIncoming, type Comparison, type MatchThresholds } from './compare';
import { dedupeError } from './errors';
import { anchorsOf, fingerprintStory, queryAnchorsOf, storedSignature, type StoryFingerprint } from './fingerprint';
import { hashString } from './hash';
import type { StoryRecord } from './record';
import type { CommitRequest, DedupeStore, LookupRequest, LookupResult, StoredStory } from './store';

export interface DedupeEngineOptions {
  store: DedupeStore;
  /** Days a story stays findable for duplicates (default: the store's window). */
  windowDays?: number;
  /** Overrides of the match thresholds. */
  thresholds?: Partial<MatchThresholds>;
  /** Clock for stories without a receivedAt (ms since epoch). */
  now?: () => number;
  /** Lookup/commit rounds before giving up under contention (default 20). */
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
  index: number;
  story: CanonicalStory;
  fp: StoryFingerprint;
  /** Anchors this story is indexed under. */
  anchors: number[];
  /** Anchors its lookup reads. */
  query: number[];
  day: number;
  deliveryKey: number;
}

interface Planned {
  decision: Decision;
  /** null: nothing to write (a replay of a recorded decision). */
  commit: Omit<CommitRequest, 'snapshot' | 'expectedRegister'> | null;
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

  /** Decides one story. */
  async decide(story: CanonicalStory, opts: DecideOptions = {}): Promise<Decision> {
    const [d] = await this.decideMany([{ story, ...opts }]);
    return d!;
  }

  /**
   * Decides a batch in order, with one lookup and one commit round trip per round: later items
   * see earlier ones exactly as if they had been decided one by one.
   */
  async decideMany(items: readonly DecideItem[]): Promise<Decision[]> {
    const out: Decision[] = new Array(items.length);
    let pending: Pending[] = items.map((item, index) => {
      const fp = item.fingerprint ?? fingerprintStory(item.story);
      const ms = item.receivedAt ? Date.parse(item.receivedAt) : Number.NaN;
      return {
        index,
        story: item.story,
        fp,
        anchors: anchorsOf(fp),
        query: queryAnchorsOf(fp),
        day: Math.floor((Number.isFinite(ms) ? ms : this.now()) / DAY_MS),
        deliveryKey: hashString(item.receivedAt ?? ''),
      };
    });
    // Rounds: one pipelined lookup of every pending story, then commits in layers. A story that
    // shares an anchor or its uri with one committed earlier in the round waits for the next
    // layer and is then decided with that story among its candidates (the batch decides as one
    // by one would); a same-uri story, or one a concurrent writer got in ahead of, looks up again
    // in the next round. Only rounds that decide nothing count towards `maxRounds`.
    for (let stalled = 0; pending.length > 0; ) {
      if (stalled >= this.maxRounds) {
        throw dedupeError('WIRE_ERR_DEDUPE_CONTENTION', `${pending.length} stories still conflicting after ${stalled} rounds without progress`, {
          uris: pending.map((p) => p.story.uri),
        });
      }
      const looked = await this.store.lookup(this.lookupRequests(pending));
      const before = pending.length;
      const retry: Pending[] = [];
      /** Anchors and uris of stories sent to the next round: later stories touching them follow. */
      const deferred = new Touched();
      /** What this round committed, for the candidates of later stories of the round. */
      const local = new LocalRecords();
      let layer: number[] = [];
      for (let i = 0; i < pending.length; i++) {
        if (looked[i]!.inserted !== undefined) {
          // The store found nothing at all and wrote the story as new (see LookupRequest.insert).
          out[pending[i]!.index] = { kind: 'new', of: null, scores: {}, reasons: ['no candidate'] };
        } else {
          layer.push(i);
        }
      }
      while (layer.length > 0) {
        const committing = new Touched();
        const next: number[] = [];
        const toCommit: Array<{ p: Pending; plan: Planned; req: CommitRequest; looked: LookupResult }> = [];
        for (const i of layer) {
          const p = pending[i]!;
          if (deferred.touches(p) || local.hasUri(p.story.uri)) {
            deferred.add(p);
            retry.push(p);
            continue;
          }
          if (committing.touches(p)) {
            committing.add(p);
            next.push(i);
            continue;
          }
          const l = local.augment(looked[i]!, p);
          const plan = this.plan(p, l.result);
          if (!plan.commit) {
            out[p.index] = plan.decision;
            continue;
          }
          committing.add(p);
          toCommit.push({
            p,
            plan,
            looked: l.result,
            req: { ...plan.commit, snapshot: l.result.snapshot, expectedRegister: l.result.register?.raw ?? null, ...(l.known.length > 0 ? { known: l.known } : {}) },
          });
        }
        const results = toCommit.length > 0 ? await this.store.commit(toCommit.map((c) => c.req)) : [];
        results.forEach((r, k) => {
          const c = toCommit[k]!;
          if (r.ok) {
            out[c.p.index] = c.plan.decision;
            local.add(r.id, c.p, c.req, c.looked);
          } else {
            deferred.add(c.p);
            retry.push(c.p);
          }
        });
        layer = next;
      }
      // Keep the batch order for the next round.
      retry.sort((a, b) => a.index - b.index);
      stalled = retry.length < before ? 0 : stalled + 1;
      pending = retry;
    }
    return out;
  }

  /**
   * One lookup per pending story. A story that would be `new` if the lookup found nothing at all
   * (not a kill) carries its `new` record, so the store can write it in the same step. Not when
   * an earlier story of the round shares its uri or an anchor: one by one, that earlier story
   * could be written first and be found, and fusing must not change any decision.
   */
  private lookupRequests(pending: readonly Pending[]): LookupRequest[] {
    const earlier = new Touched();
    return pending.map((p) => {
      const fuse = p.story.pubStatus !== 'canceled' && !earlier.touches(p);
      earlier.add(p);
      const req: LookupRequest = { uri: p.story.uri, day: p.day, anchors: p.query };
      if (fuse) req.insert = { anchors: p.anchors, record: { ...this.baseRecord(p), kind: 'new', ofId: 0, rootId: 0, indexed: true } };
      return req;
    });
  }

  /** The record fields every decision of `p` shares. */
  private baseRecord(p: Pending): Pick<StoryRecord, 'contentKey' | 'deliveryKey' | 'version' | 'day' | 'signature'> {
    return {
      contentKey: p.fp.contentKey,
      deliveryKey: p.deliveryKey,
      version: p.story.version,
      day: p.day,
      signature: storedSignature(p.fp),
    };
  }

  private plan(p: Pending, l: LookupResult): Planned {
    const { story, fp } = p;
    const reg = l.register;
    const ref = (id: number): { uri: string; version: number } | null => {
      const s = l.stories.get(id);
      return s ? { uri: s.uri, version: s.record.version } : null;
    };
    const rootOf = (s: StoredStory): number => s.record.rootId || s.id;
    const base = this.baseRecord(p);
    const commit = (
      record: Omit<StoryRecord, keyof typeof base | 'indexed'>,
      latest: number,
      killed: boolean,
      indexed: boolean,
    ): Planned['commit'] => ({
      uri: story.uri,
      day: p.day,
      anchors: indexed ? p.anchors : [],
      claim: record.kind === 'new',
      record: { ...base, ...record, indexed },
      latest,
      killed,
    });

    // 1. The same (uri, version, content) seen before: a crash re-run or a re-send.
    if (reg) {
      for (const e of reg.entries) {
        if (e.version !== story.version) continue;
        const s = l.stories.get(e.id);
        if (!s || s.record.contentKey !== fp.contentKey) continue;
        if (s.record.deliveryKey === p.deliveryKey) {
          return {
            decision: {
              kind: s.record.kind,
              of: s.record.ofId ? ref(s.record.ofId) : null,
              scores: {},
              reasons: ['replayed: this delivery was decided before'],
            },
            commit: null,
          };
        }
        if (story.pubStatus !== 'canceled' && s.record.kind !== 'kill' && !reg.killed) {
          const root = rootOf(s);
          return {
            decision: {
              kind: 'duplicate',
              of: ref(root),
              scores: { containment: 1 },
              reasons: ['re-sent: same source, guid, version and content'],
            },
            commit: commit({ kind: 'duplicate', ofId: root, rootId: root }, reg.latest, reg.killed, false),
          };
        }
      }
    }

    const latestEntry = reg ? [...reg.entries].reverse().find((e) => e.version === reg.latest) : undefined;
    const latestStory = latestEntry ? l.stories.get(latestEntry.id) : undefined;
    const latestRef = latestStory ? ref(latestStory.id) : reg ? { uri: story.uri, version: reg.latest } : null;

    // 2. Kill: applies to every version of the story.
    if (story.pubStatus === 'canceled') {
      return {
        decision: { kind: 'kill', of: latestRef, scores: {}, reasons: [reg ? `kill: every version up to ${reg.latest}` : 'kill: story not seen before'] },
        commit: commit(
          { kind: 'kill', ofId: latestStory?.id ?? 0, rootId: latestStory ? rootOf(latestStory) : 0 },
          Math.max(reg?.latest ?? 0, story.version),
          true,
          false,
        ),
      };
    }

    if (reg) {
      if (reg.killed) {
        return {
          decision: { kind: 'stale', of: latestRef, scores: {}, reasons: ['stale: the story was killed'] },
          commit: commit({ kind: 'stale', ofId: latestStory?.id ?? 0, rootId: latestStory ? rootOf(latestStory) : 0 }, reg.latest, true, false),
        };
      }
      if (story.version > reg.latest) {
        const kind = story.correction ? 'correction' : 'update';
        return {
          decision: { kind, of: latestRef, scores: {}, reasons: [`${kind}: version ${story.version} after ${reg.latest}`] },
          commit: commit({ kind, ofId: latestStory?.id ?? 0, rootId: latestStory ? rootOf(latestStory) : 0 }, story.version, false, true),
        };
      }
      return {
        decision: { kind: 'stale', of: latestRef, scores: {}, reasons: [`stale: version ${story.version} after ${reg.latest}`] },
        commit: commit({ kind: 'stale', ofId: latestStory?.id ?? 0, rootId: latestStory ? rootOf(latestStory) : 0 }, reg.latest, false, false),
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
          of: ref(root),
          scores: scoresOf(c, fp, best.s),
          reasons: [
            exact
              ? 'identical content'
              : `containment ${c.containment.toFixed(2)} (jaccard ${c.jaccard.toFixed(2)}), figures/names agree ${c.figuresCompared - c.figuresDiffer} of ${c.figuresCompared}`,
          ],
        },
        // An identical copy adds nothing to the index.
        commit: commit({ kind: 'duplicate', ofId: root, rootId: root }, story.version, false, !exact),
      };
    }
    const reasons: string[] = [];
    const scores: Record<string, number> = {};
    if (bestVeto) {
      const { c } = bestVeto;
      reasons.push(`vetoed: figures/names differ ${c.figuresDiffer} of ${c.figuresCompared} (containment ${c.containment.toFixed(2)})`);
      Object.assign(scores, scoresOf(c, fp, bestVeto.s));
    } else {
      reasons.push(l.candidates.length > 0 ? `no match among ${l.candidates.length} candidates` : 'no candidate');
    }
    return { decision: { kind: 'new', of: null, scores, reasons }, commit: commit({ kind: 'new', ofId: 0, rootId: 0 }, story.version, false, true) };
  }
}

function scoresOf(c: Comparison, _fp: StoryFingerprint, _s: StoredStory): Record<string, number> {
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    containment: r(c.containment),
    jaccard: r(c.jaccard),
    sharedSketch: c.shared,
    figuresCompared: c.figuresCompared,
    figuresDiffer: c.figuresDiffer,
  };
}

/** Anchors (indexed and queried) and uris of a set of pending stories. */
class Touched {
  private readonly anchors = new Set<number>();
  private readonly uris = new Set<string>();

  add(p: Pending): void {
    for (const a of p.query) this.anchors.add(a);
    for (const a of p.anchors) this.anchors.add(a);
    this.uris.add(p.story.uri);
  }

  touches(p: Pending): boolean {
    if (this.uris.has(p.story.uri)) return true;
    for (const a of p.query) if (this.anchors.has(a)) return true;
    for (const a of p.anchors) if (this.anchors.has(a)) return true;
    return false;
  }
}

/** Records a round committed, by the anchors they were indexed under. */
class LocalRecords {
  private readonly byAnchor = new Map<number, number[]>();
  private readonly stories = new Map<number, StoredStory>();
  private readonly uris = new Set<string>();

  hasUri(uri: string): boolean {
    return this.uris.has(uri);
  }

  add(id: number, p: Pending, req: CommitRequest, looked: LookupResult): void {
    this.uris.add(p.story.uri);
    this.stories.set(id, { id, uri: p.story.uri, record: req.record });
    // The stories its record points to (its root), so that a later story can name them.
    for (const ref of [req.record.ofId, req.record.rootId]) {
      const s = ref ? looked.stories.get(ref) : undefined;
      if (s) this.stories.set(ref, s);
    }
    for (const a of req.anchors) {
      const ids = this.byAnchor.get(a);
      if (ids) ids.push(id);
      else this.byAnchor.set(a, [id]);
    }
  }

  /**
   * The lookup result of `p` with the round's own records that share an anchor with it added as
   * candidates; `known` lists their ids for the commit's claim.
   */
  augment(l: LookupResult, p: Pending): { result: LookupResult; known: number[] } {
    if (this.byAnchor.size === 0) return { result: l, known: [] };
    const known: number[] = [];
    for (const list of [p.query, p.anchors]) {
      for (const a of list) for (const id of this.byAnchor.get(a) ?? []) if (!known.includes(id)) known.push(id);
    }
    if (known.length === 0) return { result: l, known };
    // Only the records it shares an anchor with, and the stories those point to (their roots).
    const stories = new Map(l.stories);
    for (const id of known) {
      const s = this.stories.get(id)!;
      stories.set(id, s);
      for (const ref of [s.record.ofId, s.record.rootId]) {
        const r = ref ? this.stories.get(ref) : undefined;
        if (r && !stories.has(ref)) stories.set(ref, r);
      }
    }
    return { result: { ...l, candidates: [...l.candidates, ...known.filter((id) => !l.candidates.includes(id))], stories }, known };
  }
}
