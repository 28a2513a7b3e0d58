/**
 * Normalizes a date-time from any wire format to ISO 8601 UTC (`2024-04-29T06:00:00.000Z`):
 * RFC 3339, ISO basic (`20240429T060000+0900`, NITF/IPTC 7901), RFC 822 (e-mail, RSS) and
 * date-only values. Returns `undefined` when the value is not a date.
 */
export function normalizeDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (!v) return undefined;
  // ISO basic: 20240429T060000+0900 / 20240429T0600Z / 20240429
  const basic = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(v);
  let iso = v;
  if (basic) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', tz = 'Z'] = basic;
    iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${tz.length === 5 ? `${tz.slice(0, 3)}:${tz.slice(3)}` : tz}`;
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    iso = `${v}T00:00:00Z`;
  } else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) {
    // No zone: wire systems that omit it almost always mean UTC.
    iso = `${v.replace(' ', 'T')}Z`;
  }
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  const year = new Date(t).getUTCFullYear();
  if (year < 1800 || year > 2200) return undefined;
  return new Date(t).toISOString();
}
