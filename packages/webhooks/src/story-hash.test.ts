import { describe, expect, it } from 'vitest';
import { shortHash } from '@wire/queues';
import { storyHash } from './story-hash';

describe('storyHash', () => {
  it('is shortHash, also for uris seen before and after the cache was cleared', () => {
    const uris = Array.from({ length: 5000 }, (_, i) => `urn:wire:test:${i}`);
    for (const uri of [...uris, ...uris.slice(0, 10), ...uris.slice(-10)]) expect(storyHash(uri)).toBe(shortHash(uri));
  });
});
