import { describe, expect, it } from 'vitest';
import { canonicalKey, canonicalPackKey, rawSegmentKey } from './keys';

describe('S3 keys', () => {
  it('files raw segments by the UTC day of their first message and their content hash', () => {
    expect(rawSegmentKey('2026-03-02T23:30:00-05:00', 'ab'.repeat(32), 'p/')).toBe(`p/raw/2026/03/03/${'ab'.repeat(32)}.seg`);
    expect(rawSegmentKey('not a date', 'cd'.repeat(32))).toBe(`raw/1970/01/01/${'cd'.repeat(32)}.seg`);
  });

  it('files canonical packs apart from the per-version objects media-retry writes', () => {
    expect(canonicalPackKey('2026-03-02T08:00:00Z', 'ef'.repeat(32), 'p/')).toBe(`p/canonical/packs/2026/03/02/${'ef'.repeat(32)}.ndjson`);
    expect(canonicalKey('urn:wire:ap:1', 2)).toMatch(/^canonical\/[0-9a-f]{40}\/v2\.json$/);
    expect(canonicalKey('urn:wire:ap:1', 2)).not.toBe(canonicalKey('urn:wire:ap:2', 2));
  });
});
