/**
 * `shortHash` of a story uri, remembered: each delivery names its story's keys three times (gate,
 * log, recipients) and one story version goes to every subscribed partner, so the same sha256
 * was computed dozens of times per story.
 */
import { shortHash } from '@wire/queues';

const MAX = 4096;
const hashes = new Map<string, string>();

/** `shortHash(storyUri)` from @wire/queues, cached for the last few thousand uris. */
export function storyHash(storyUri: string): string {
  let h = hashes.get(storyUri);
  if (h === undefined) {
    h = shortHash(storyUri);
    if (hashes.size >= MAX) hashes.clear();
    hashes.set(storyUri, h);
  }
  return h;
}
