import { cleanText, decodeAttributeEntities, escapeText } from '@wire/text';
import type { RemoteRendition } from '@wire/schema';
import type { DraftImage } from '../draft';

/**
 * Pictures and video/audio embeds inside an HTML body (a feed item's `content:encoded`, an
 * e-mail's HTML part, a post): each becomes a media entry with its renditions, so it is an
 * association of the story instead of being dropped by the sanitizer. Tracking pixels, spacers
 * and icons are left out.
 */

const TAG = /<(img|iframe|video|audio|source|embed)\b([^<>]{0,4000})>|<\/(video|audio)\s*>/gi;
const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;
const TRACKER = /(?:pixel|spacer|blank\.gif|1x1|tracking|beacon|feeds\.feedburner|\/stats?\b|gravatar|emoji|icon|logo|badge|avatar)/i;
/** Hosts whose iframes are video players. */
const VIDEO_HOSTS = /(?:^|\.)(?:youtube\.com|youtube-nocookie\.com|youtu\.be|vimeo\.com|dailymotion\.com|dai\.ly|brightcove\.net|players\.brightcove\.net|jwplayer\.com|jwplatform\.com|facebook\.com|twitch\.tv|streamable\.com|vidyard\.com|wistia\.net|kaltura\.com|ooyala\.com|rumble\.com|tiktok\.com)$/i;
const AUDIO_HOSTS = /(?:^|\.)(?:soundcloud\.com|spotify\.com|podbean\.com|anchor\.fm|simplecast\.com|megaphone\.fm|buzzsprout\.com)$/i;

function attributes(s: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const m of s.matchAll(ATTR)) out[m[1]!.toLowerCase()] = decodeAttributeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

/** An attribute's text for the draft: decoded by `attributes`, escaped again, as finalize decodes every text once. */
const textOf = (v: string): string => escapeText(v.trim());

/** An absolute http(s) URL, resolved against `base` when relative; undefined otherwise. */
function resolveHref(raw: string | undefined, base?: string): string | undefined {
  if (!raw) return undefined;
  const v = raw.trim().startsWith('//') ? `https:${raw.trim()}` : raw.trim();
  try {
    const u = base ? new URL(v, base) : new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const int = (v: string | undefined): number | undefined => {
  const n = v ? Number.parseInt(v, 10) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** `srcset` candidates → renditions named by their width (`w1024`) or density (`x2`). */
function srcsetRenditions(srcset: string | undefined, base: string | undefined): RemoteRendition[] {
  const out: RemoteRendition[] = [];
  for (const part of (srcset ?? '').split(/,\s+/)) {
    const [url, descriptor] = part.trim().split(/\s+/);
    const href = resolveHref(url, base);
    if (!href) continue;
    const w = /^(\d+)w$/.exec(descriptor ?? '')?.[1];
    out.push({ name: w ? `w${w}` : descriptor ? descriptor.toLowerCase() : `src${out.length + 1}`, href, ...(w ? { width: Number(w) } : {}) });
  }
  return out;
}

/** A media type from a file name, for sources that do not say. */
function typeOfHref(href: string): string | undefined {
  const ext = /\.([a-z0-9]{2,5})(?:[?#]|$)/i.exec(href)?.[1]?.toLowerCase();
  const map: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', m3u8: 'application/vnd.apple.mpegurl', mp3: 'audio/mpeg', m4a: 'audio/mp4', ogg: 'audio/ogg', wav: 'audio/wav', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };
  return ext ? map[ext] : undefined;
}

/**
 * The pictures and video/audio embeds of an HTML body, in document order.
 *
 * @example bodyEmbeds('<p>x</p><iframe src="https://www.youtube.com/embed/abc"></iframe>')
 * // [{ type: 'video', renditions: [{ name: 'player', href: 'https://www.youtube.com/embed/abc', contentType: 'text/html' }] }]
 */
export function bodyEmbeds(html: string, base?: string): DraftImage[] {
  if (!/<(?:img|iframe|video|audio|embed)\b/i.test(html)) return [];
  const out: DraftImage[] = [];
  let open: DraftImage | undefined;
  for (const m of html.matchAll(TAG)) {
    if (m[3]) {
      if (open && (open.renditions?.length || open.sourceUrl)) out.push(open);
      open = undefined;
      continue;
    }
    const tag = m[1]!.toLowerCase();
    const a = attributes(m[2] ?? '');
    if (tag === 'img') {
      const raw = a['data-src'] || a['data-lazy-src'] || a['data-original'] || a.src || '';
      const width = int(a.width);
      const height = int(a.height);
      if (TRACKER.test(raw) || (width !== undefined && width <= 50) || (height !== undefined && height <= 50)) continue;
      const data = /^data:(image\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$/.exec(raw);
      const src = data ? undefined : resolveHref(raw, base);
      const renditions = srcsetRenditions(a.srcset || a['data-srcset'], base);
      if (!src && !data && renditions.length === 0) continue;
      const img: DraftImage = {};
      if (data) img.embedded = { contentType: data[1]!, base64: data[2]!.replace(/\s+/g, '') };
      // The widest srcset candidate is the picture to fetch when it is wider than src.
      const widest = renditions.reduce<RemoteRendition | undefined>((b, r) => ((r.width ?? 0) > (b?.width ?? 0) ? r : b), undefined);
      img.sourceUrl = widest && (widest.width ?? 0) > (width ?? 0) ? widest.href : (src ?? widest?.href);
      if (!img.sourceUrl) delete img.sourceUrl;
      if (a.alt?.trim()) img.alt = textOf(a.alt);
      if (a.title?.trim()) img.headline = textOf(a.title);
      if (width && img.sourceUrl === src) img.width = width;
      if (height && img.sourceUrl === src) img.height = height;
      if (renditions.length > 0) img.renditions = src && !renditions.some((r) => r.href === src) ? [{ name: 'src', href: src, ...(width ? { width } : {}), ...(height ? { height } : {}) }, ...renditions] : renditions;
      if (open) continue;
      out.push(img);
    } else if (tag === 'iframe' || tag === 'embed') {
      const href = resolveHref(a.src || a['data-src'], base);
      if (!href) continue;
      const host = new URL(href).hostname;
      const type = VIDEO_HOSTS.test(host) ? 'video' : AUDIO_HOSTS.test(host) ? 'audio' : undefined;
      if (!type) continue;
      out.push({ type, ...(a.title?.trim() ? { headline: textOf(a.title) } : {}), renditions: [{ name: 'player', href, contentType: 'text/html', ...(int(a.width) ? { width: int(a.width)! } : {}), ...(int(a.height) ? { height: int(a.height)! } : {}) }] });
    } else if (tag === 'video' || tag === 'audio') {
      if (open && (open.renditions?.length || open.sourceUrl)) out.push(open);
      open = { type: tag };
      const href = resolveHref(a.src, base);
      if (href) open.renditions = [{ name: 'source', href, ...(typeOfHref(href) ? { contentType: typeOfHref(href)! } : {}), ...(int(a.width) ? { width: int(a.width)! } : {}), ...(int(a.height) ? { height: int(a.height)! } : {}) }];
      const poster = resolveHref(a.poster, base);
      if (poster) open.sourceUrl = poster;
      if (a.title?.trim()) open.headline = textOf(a.title);
      if (/\/\s*$/.test(m[2] ?? '')) {
        if (open.renditions?.length) out.push(open);
        open = undefined;
      }
    } else if (tag === 'source' && open) {
      const href = resolveHref(a.src, base);
      const type = a.type?.split(';')[0]?.trim() || (href ? typeOfHref(href) : undefined);
      if (href) (open.renditions ??= []).push({ name: `source${(open.renditions?.length ?? 0) + 1}`, href, ...(type ? { contentType: type } : {}) });
    }
  }
  if (open && (open.renditions?.length || open.sourceUrl)) out.push(open);
  return out;
}

/** True when an HTML body holds no text at all (only markup, pictures or embeds). */
export function hasNoText(html: string | undefined): boolean {
  return !html || cleanText(html).length === 0;
}
