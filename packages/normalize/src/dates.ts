/** Years a wire date may name; outside them a value is a typo or a placeholder (`0001-01-01`, `9999-12-31`). */
const FIRST_YEAR = 1800;
const LAST_YEAR = 2200;

// ISO basic, as NewsML 1, NITF and IPTC 7901 write it: 20240429T060000+0900, 20240429T0600Z, 20240429.
const BASIC = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
const ZONE_WITHOUT_COLON = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?[+-]\d{4}$/;

/**
 * The one date normaliser: a date-time from any wire format as ISO 8601 UTC
 * (`2024-04-29T06:00:00.000Z`). Reads RFC 3339, ISO basic (`20240429T060000+0900`, NITF/IPTC 7901),
 * a zone without a colon (`+0900`), a date alone, RFC 822/1123 (e-mail, RSS) and numbers that are
 * basic dates (`20240429`). A value without a zone is UTC (wire systems that omit it almost always
 * mean it). `undefined` when the value is not a date or its year is outside 1800–2200; the caller
 * says so in the story's warnings.
 *
 * @example normalizeDate('20210516T080625+0200') // '2021-05-16T06:06:25.000Z'
 */
export function normalizeDate(value: unknown): string | undefined {
  const v = typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
  if (!v) return undefined;
  let iso = v;
  const basic = BASIC.exec(v);
  if (basic) {
    const [, y, mo, d, h, mi, s = '00', zone = 'Z'] = basic;
    if (h === undefined) iso = `${y}-${mo}-${d}T00:00:00Z`;
    else iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  } else if (DATE_ONLY.test(v)) iso = `${v}T00:00:00Z`;
  else if (NO_ZONE.test(v)) iso = `${v.replace(' ', 'T')}Z`;
  else if (ZONE_WITHOUT_COLON.test(v)) iso = `${v.slice(0, -2)}:${v.slice(-2)}`;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return undefined;
  const year = new Date(t).getUTCFullYear();
  if (year < FIRST_YEAR || year > LAST_YEAR) return undefined;
  return new Date(t).toISOString();
}
