import { describe, expect, it } from 'vitest';
import { deliverJobId, RawWireMessage, shortHash, storyHash, translateJobId } from './index';

describe('job ids', () => {
  it('are deterministic, distinct per field and free of ":" (BullMQ rejects it)', () => {
    const a = deliverJobId('p1', 'urn:wire:yonhap:123', 2, 'story.updated');
    expect(a).toBe(deliverJobId('p1', 'urn:wire:yonhap:123', 2, 'story.updated'));
    expect(a).not.toBe(deliverJobId('p1', 'urn:wire:yonhap:123', 3, 'story.updated'));
    expect(a).not.toBe(deliverJobId('p2', 'urn:wire:yonhap:123', 2, 'story.updated'));
    expect(a).not.toContain(':');
    expect(translateJobId('urn:wire:x:1', 1, 'es', 'story.published')).not.toContain(':');
  });
});

describe('RawWireMessage', () => {
  it('rejects an envelope without source or payload', () => {
    expect(RawWireMessage.safeParse({ receivedAt: new Date().toISOString() }).success).toBe(false);
    const ok = RawWireMessage.parse({ source: 'ap', receivedAt: '2026-11-28T07:00:00Z', payload: '{}' });
    expect(ok.payloadEncoding).toBe('utf8');
  });
});

describe('storyHash', () => {
  it('is shortHash, also for uris seen before and after the cache was cleared', () => {
    const uris = Array.from({ length: 5000 }, (_, i) => `urn:wire:test:${i}`);
    for (const uri of [...uris, ...uris.slice(0, 10), ...uris.slice(-10)]) expect(storyHash(uri)).toBe(shortHash(uri));
  });
});
