import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { StoryImage } from '@wire/schema';
import { createImageFetcher } from './fetch-image';
import { MemoryMediaStore } from './media-store';
import { createMediaProcessor } from './story-media';

/** An embedded PNG of noise: about `w * h * 3` bytes, different every time. */
async function png(w: number, h: number): Promise<{ image: StoryImage; bytes: number }> {
  const bytes = await sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  return { image: { caption: `${w}x${h}`, embedded: { base64: bytes.toString('base64') }, renditions: [] }, bytes: bytes.length };
}

function processor(opts: { maxImages?: number; maxStoryBytes?: number; concurrency?: number }) {
  const store = new MemoryMediaStore();
  return { store, media: createMediaProcessor({ store, fetcher: createImageFetcher(), ...opts }) };
}

describe('per-story image caps', () => {
  it('keeps the first maxImages images and drops the rest from the story with one warning', async () => {
    const images = await Promise.all([1, 2, 3, 4, 5].map(() => png(8, 8)));
    const { media } = processor({ maxImages: 3 });
    const out = await media.processImages(images.map((i) => i.image));
    expect(out.images.map((i) => i.caption)).toEqual(['8x8', '8x8', '8x8']);
    expect(out.images.every((i) => i.key)).toBe(true);
    expect(out.dropped).toBe(2);
    expect(out.warnings).toEqual(['images 3–4: WIRE_ERR_MEDIA_STORY_IMAGES: the story has 5 images, at most 3 are kept']);
    expect(out.stored).toBe(3);
  });

  it('keeps images in story order while their bytes fit; one that does not is dropped, smaller ones after it kept', async () => {
    const [a, big, b] = await Promise.all([png(10, 10), png(40, 40), png(10, 10)]);
    if (!a || !big || !b) throw new Error('images');
    const cap = a.bytes + b.bytes + 10;
    expect(big.bytes).toBeGreaterThan(cap);
    const { media } = processor({ maxStoryBytes: cap });
    const out = await media.processImages([a.image, big.image, b.image]);
    expect(out.images.map((i) => i.caption)).toEqual(['10x10', '10x10']);
    expect(out.dropped).toBe(1);
    expect(out.warnings).toEqual([`image 1: WIRE_ERR_MEDIA_STORY_BYTES: ${big.bytes} bytes would take the story's images past ${cap} bytes; dropped`]);
  });

  it('once the cap is reached, drops the remaining images without fetching or storing them', async () => {
    const images = await Promise.all([1, 2, 3, 4].map(() => png(10, 10)));
    const cap = (images[0]?.bytes ?? 0) + (images[1]?.bytes ?? 0);
    const { media, store } = processor({ maxStoryBytes: cap, concurrency: 2 });
    const out = await media.processImages(images.map((i) => i.image));
    expect(out.images).toHaveLength(2);
    expect(out.stored).toBe(2);
    expect(out.dropped).toBe(2);
    expect(out.warnings).toEqual([`images 2–3: WIRE_ERR_MEDIA_STORY_BYTES: the story's images reached ${cap} bytes; the rest are dropped unfetched`]);
    expect([...store.objects.keys()].filter((k) => /^media\/[0-9a-f]{64}\.png$/.test(k))).toHaveLength(2);
  });
});
