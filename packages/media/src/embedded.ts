import { MediaError } from './errors';
import { sniffImageType, type SniffedType } from './sniff';

/**
 * Decode an embedded image: plain base64 or a `data:` URI (`data:image/png;base64,…`). The type
 * comes from the bytes; a declared type is ignored. Throws a MediaError for bytes that are not a
 * supported image.
 */
export function decodeEmbeddedImage(embedded: { contentType?: string; base64: string }, maxBytes: number): { bytes: Buffer; type: SniffedType } {
  let data = embedded.base64.trim();
  const dataUri = /^data:([^;,]*)(;[^,]*)?,/i.exec(data);
  if (dataUri) {
    const isBase64 = /;base64/i.test(dataUri[2] ?? '');
    data = data.slice(dataUri[0].length);
    if (!isBase64) {
      const bytes = Buffer.from(decodeURIComponent(data), 'latin1');
      return checked(bytes, maxBytes);
    }
  }
  const compact = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length === 0) {
    throw new MediaError('WIRE_ERR_MEDIA_EMBEDDED', 'embedded image: not valid base64', {});
  }
  if ((compact.length * 3) / 4 > maxBytes + 3) {
    throw new MediaError('WIRE_ERR_MEDIA_TOO_LARGE', `embedded image: exceeds the ${maxBytes}-byte cap`, {});
  }
  return checked(Buffer.from(compact, 'base64'), maxBytes);
}

function checked(bytes: Buffer, maxBytes: number): { bytes: Buffer; type: SniffedType } {
  if (bytes.length > maxBytes) throw new MediaError('WIRE_ERR_MEDIA_TOO_LARGE', `embedded image: ${bytes.length} bytes exceeds the ${maxBytes}-byte cap`, {});
  const type = sniffImageType(bytes);
  if (!type) throw new MediaError('WIRE_ERR_MEDIA_UNSUPPORTED_TYPE', 'embedded image: bytes are not a supported image', {});
  return { bytes, type };
}
