import { describe, expect, it } from 'vitest';
import { canonicalKey, rawArchiveKey } from './keys';

describe('S3 keys', () => {
  it('archives raw bytes by source, UTC day of receipt and content hash', () => {
    expect(rawArchiveKey('yonhap', '2026-03-02T23:30:00-05:00', Buffer.from('abc'), 'p/')).toBe(
      'p/raw/yonhap/2026/03/03/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(rawArchiveKey('a b/../c', '2026-03-02T00:00:00Z', Buffer.from('x'))).toMatch(/^raw\/a_b_\.\._c\/2026\/03\/02\/[0-9a-f]{64}$/);
  });

  it('keeps one canonical JSON per story version', () => {
    expect(canonicalKey('urn:wire:ap:1', 2)).toMatch(/^canonical\/[0-9a-f]{40}\/v2\.json$/);
    expect(canonicalKey('urn:wire:ap:1', 2)).not.toBe(canonicalKey('urn:wire:ap:2', 2));
  });
});
