import sharp from 'sharp';
import { MediaError } from './errors';

/** A rendition to make: resized to `width` px wide (never enlarged), JPEG. */
export interface RenditionSpec {
  name: string;
  width: number;
}

export const DEFAULT_RENDITIONS: RenditionSpec[] = [
  { name: 'thumbnail', width: 320 },
  { name: 'web', width: 1024 },
];

/** Pixels an input may have before it is refused (decompression-bomb guard). */
export const DEFAULT_MAX_INPUT_PIXELS = 40_000_000;

export interface RenderedImage {
  width: number;
  height: number;
  renditions: Array<{ name: string; bytes: Buffer; width: number; height: number; contentType: string }>;
}

/**
 * Read the dimensions of an image and make its renditions with sharp. Refuses images above
 * `maxInputPixels` before decoding them (the header is read first; sharp's `limitInputPixels`
 * guards the decode too).
 */
export async function renderImage(bytes: Buffer, specs: RenditionSpec[] = DEFAULT_RENDITIONS, maxInputPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<RenderedImage> {
  const input = () => sharp(bytes, { limitInputPixels: maxInputPixels, failOn: 'error', animated: false, sequentialRead: true });
  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false, animated: false }).metadata();
    width = meta.autoOrient?.width ?? meta.width ?? 0;
    height = meta.autoOrient?.height ?? meta.height ?? 0;
  } catch (err) {
    throw new MediaError('WIRE_ERR_MEDIA_DECODE', `image: cannot read header (${(err as Error).message})`, {}, { cause: err });
  }
  if (!width || !height) throw new MediaError('WIRE_ERR_MEDIA_DECODE', 'image: header has no dimensions', {});
  if (width * height > maxInputPixels) {
    throw new MediaError('WIRE_ERR_MEDIA_PIXEL_LIMIT', `image: ${width}x${height} = ${width * height} pixels exceeds the ${maxInputPixels}-pixel limit`, { width, height });
  }
  const renditions: RenderedImage['renditions'] = [];
  for (const spec of specs) {
    try {
      const { data, info } = await input()
        .rotate()
        .resize({ width: spec.width, withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
      renditions.push({ name: spec.name, bytes: data, width: info.width, height: info.height, contentType: 'image/jpeg' });
    } catch (err) {
      // The header check above already refused oversized inputs; what fails here is a broken file.
      throw new MediaError('WIRE_ERR_MEDIA_DECODE', `image: rendition ${spec.name} failed (${(err as Error).message})`, {}, { cause: err });
    }
  }
  return { width, height, renditions };
}
