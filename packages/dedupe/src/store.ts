/**
 * The storage interface behind the engine. The index is a log of fixed-size records (record.ts);
 * every store holds a `RecordIndex` over it in process, where decisions look up (no round trip)
 * and stage the records they will write. `append` then makes the staged records durable — in one
 * atomic step for the whole batch, and only if nothing another writer appended since the index's
 * snapshot could change one of the batch's decisions (it shares a query anchor or a uri with
 * them). Otherwise it reports a conflict, having brought the index up to date, and the engine
 * decides again. That is the atomic claim: two workers racing on the same story cannot both
 * append `new`.
 */
import type { RecordIndex } from './record-index';

export interface AppendRequest {
  /** The uri of each staged record, in id order. */
  uris: string[];
  /**
   * What the staged decisions depend on: the query anchors and uri keys (`uriKeys().uriKey`) of
   * their stories. A record another writer appended since the snapshot conflicts when its uri key
   * or one of its anchors is among them.
   */
  touched: readonly number[];
  /** Committed record ids (at or below the snapshot) whose uris the decisions name. */
  names: readonly number[];
}

export type AppendResult =
  /** `names`: uri of each requested id that is still held. */
  | { ok: true; names: Map<number, string> }
  | { ok: false; conflict: true };

/** Where the dedupe index lives. Implementations: `MemoryDedupeStore`, `RedisDedupeStore`. */
export interface DedupeStore {
  /** Days a story stays findable. */
  readonly windowDays: number;
  /** The index in process (for a shared store, its replica). */
  readonly index: RecordIndex;
  /**
   * Runs `fn` with the index to itself, up to date enough to decide on (a shared store loads its
   * replica on first use and drops what fell out of the window).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Makes the index's staged records durable (see the file comment). */
  append(req: AppendRequest): Promise<AppendResult>;
  /**
   * Brings the index up to everything other writers appended (within `exclusive`). A shared store
   * otherwise reads those only when an append meets them; a store no other writer shares has
   * nothing to do and may leave it out.
   */
  refresh?(): Promise<void>;
  close?(): Promise<void>;
}

/** Days after the window a store keeps records, for late and re-processed stories. */
export function graceDaysFor(windowDays: number): number {
  return Math.max(1, Math.ceil(windowDays / 3));
}
