import { z } from 'zod';

/** What the dedupe/versioning engine decided for one incoming story version. */
export const DecisionKind = z.enum(['new', 'duplicate', 'update', 'correction', 'kill', 'stale']);
export type DecisionKind = z.infer<typeof DecisionKind>;

export const Decision = z.object({
  kind: DecisionKind,
  /**
   * The version the story is published as, when the engine gives it another than its own: a kill
   * at or below the story's latest version is a new version, latest + 1 (a kill without a version
   * normalizes to 1). Absent: the story's own version. Ingest publishes, routes and records the
   * story under this version.
   */
  version: z.number().int().positive().optional(),
  /** The story this one duplicates, updates or kills (earlier uri and version). */
  of: z.object({ uri: z.string(), version: z.number().int() }).nullable().default(null),
  /** Scores behind the decision, e.g. `{ simhashDistance: 4, containment: 0.93 }`. */
  scores: z.record(z.string(), z.number()).default({}),
  /** Human-readable reasons, e.g. `vetoed: figures differ 9 of 11`. */
  reasons: z.array(z.string()).default([]),
});
export type Decision = z.infer<typeof Decision>;
