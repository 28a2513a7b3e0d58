import type { NormalizeOptions } from '@wire/normalize';
import type { MediaRetryJob } from '@wire/queues';
import type { CanonicalStory, Decision, Result, WireError } from '@wire/schema';

// The normalizer's own options type: the port must not drift from what it calls.
export type { NormalizeOptions };

/** `@wire/normalize`'s `normalize`: never throws, one raw document → one or more stories. */
export type NormalizeFn = (input: Uint8Array | string, opts?: NormalizeOptions) => Result<CanonicalStory[], WireError>;

/** One story to decide, in the order the partition delivered it. */
export interface DecideItem {
  story: CanonicalStory;
  receivedAt?: string;
}

/**
 * The dedupe/versioning engine as ingest uses it. Decisions must be made in the order given
 * (near-duplicates depend on what came first), and repeated for a story already decided, so a
 * replay after a crash gets the same answers.
 */
export interface Decider {
  decideMany(items: DecideItem[]): Promise<Decision[]>;
}

/** Where a story stands: its latest published version and whether it is killed. */
export interface StoryStanding {
  version: number;
  killed: boolean;
}

/**
 * The version register of the dedupe log (`DedupeEngine.latestOf`, on the decider's replica
 * brought up to date): where a story stands now, or null when the log does not know it (outside
 * the window, or Redis lost the log).
 */
export interface StoryVersions {
  latestOf(uri: string): Promise<StoryStanding | null>;
}

/** A story version that goes out, with the decision that lets it out. */
export interface RouteItem {
  story: CanonicalStory;
  decision: Decision;
  receivedAt?: string;
}

/** Routing: enqueue deliver/translate jobs with deterministic ids (a re-run adds nothing). */
export interface Router {
  route(items: RouteItem[]): Promise<{ jobIds: string[] }>;
}

/** Queue for images to fetch again later. */
export interface MediaRetryQueue {
  enqueue(jobs: MediaRetryJob[]): Promise<void>;
}
