import { ok, type Result } from '@wire/schema';
import type { DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import { checkItems, checkSize, fail, guarded } from './common';

/**
 * IPTC 7901 (the IPTC Recommended Message Format for news services) and ANPA 1312 (the format AP
 * and US/Canadian services sent over serial lines): a message is SOH, a header, STX, the text,
 * ETX (IPTC 7901 adds a post-text date and EOT; ANPA starts with SYN SYN). A feed dump holding
 * several messages yields several stories.
 *
 * IPTC 7901 header: `<source><number> <priority> <category> <word count> [more]`, then optional
 * keyword lines; the text starts with the headline (dpa ends it with ` =`) and ends with the
 * agency's initials and a `DDHHMM Mon YY` line.
 * ANPA 1312 header: `<sld><selector> <priority> <category> <keyword> <version> <MM-DD> <words>`;
 * the text has `^`-marked headline/byline lines ending in `<` or `=`, indented paragraphs and an
 * `AP-NY-03-20-24 1845EST` style transmission line.
 *
 * The text arrives decoded by `decode.ts` (legacy charsets already mapped); control characters
 * other than the framing ones are dropped here.
 */

const SOH = '\u0001';
const STX = '\u0002';
const ETX = '\u0003';
const EOT = '\u0004';

/** Cheap content sniff: SOH (IPTC 7901) or SYN SYN SOH (ANPA), or an early STX. */
export function detect(text: string): boolean {
  const t = text.slice(0, 512).replace(/^[\uFEFF\s]+/, '');
  // eslint-disable-next-line no-control-regex -- the framing characters are the format
  return /^\u0016*\u0001/.test(t) || /^[^\n]{0,200}\u0002/.test(t);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const US_ZONES: Record<string, string> = { EST: '-05:00', EDT: '-04:00', CST: '-06:00', CDT: '-05:00', MST: '-07:00', MDT: '-06:00', PST: '-08:00', PDT: '-07:00', GMT: 'Z', UTC: 'Z' };
/** ANPA priority letters → IPTC urgency. */
const ANPA_PRIORITY: Record<string, number> = { f: 1, b: 2, u: 3, r: 5, d: 6, a: 7, s: 6 };

// eslint-disable-next-line no-control-regex
const stripControls = (s: string): string => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');

interface Message {
  syn: boolean;
  header: string;
  text: string;
  post: string;
}

/** Splits a dump into messages at each SOH; a text without SOH but with STX is one message. */
function messages(input: string, maxItems: number): Message[] | undefined {
  const out: Message[] = [];
  const starts: number[] = [];
  for (let i = input.indexOf(SOH); i !== -1; i = input.indexOf(SOH, i + 1)) {
    // Counted before any message is built, so a flood of SOH bytes costs no memory.
    if (starts.length >= maxItems) return undefined;
    starts.push(i);
  }
  if (starts.length === 0) starts.push(-1);
  for (let k = 0; k < starts.length; k++) {
    const from = (starts[k] as number) + 1;
    const to = k + 1 < starts.length ? (starts[k + 1] as number) : input.length;
    const chunk = input.slice(from, to);
    const syn = from >= 2 && input.slice(Math.max(0, from - 3), from - 1).includes('\u0016');
    const stx = chunk.indexOf(STX);
    const etx = chunk.indexOf(ETX);
    const header = stx === -1 ? '' : chunk.slice(0, stx);
    const text = stx === -1 ? chunk : chunk.slice(stx + 1, etx === -1 || etx < stx ? chunk.length : etx);
    const post = etx === -1 ? '' : chunk.slice(etx + 1).split(EOT)[0] ?? '';
    out.push({ syn, header, text, post });
  }
  return out;
}

/** Lines of the text into paragraphs: a blank line or an indented line starts a new one. */
function toParagraphs(lines: string[]): string[] {
  const paras: string[] = [];
  let cur = '';
  for (const line of lines) {
    if (line.trim() === '') {
      if (cur) paras.push(cur);
      cur = '';
      continue;
    }
    if (/^[ \t]/.test(line) && cur) {
      paras.push(cur);
      cur = '';
    }
    const t = line.trim();
    // A line ending in a hyphen after a letter is a hyphenated break only when the next word goes on.
    cur = cur ? `${cur} ${t}` : t;
  }
  if (cur) paras.push(cur);
  return paras.map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p.length > 0);
}

/** `051230 Mar 24` (DDHHMM Mon YY) → ISO, read as UTC (7901 does not carry the zone). */
function iptcDate(line: string): string | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2}|\d{4})$/.exec(line.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[4] as string).toLowerCase());
  if (month < 0) return undefined;
  const year = (m[5] as string).length === 2 ? 2000 + Number(m[5]) : Number(m[5]);
  const d = new Date(Date.UTC(year, month, Number(m[1]), Number(m[2]), Number(m[3])));
  return Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[1]) ? undefined : d.toISOString();
}

/** `AP-NY-03-20-24 1845EST` → ISO with the US zone. */
function anpaDate(line: string): string | undefined {
  const m = /\b[A-Z]{2,4}-[A-Z]{2,4}-(\d{2})-(\d{2})-(\d{2,4})\s+(\d{2})(\d{2})([A-Z]{3})\b/.exec(line);
  if (!m) return undefined;
  const zone = US_ZONES[m[6] as string];
  if (!zone) return undefined;
  const year = (m[3] as string).length === 2 ? `20${m[3]}` : (m[3] as string);
  const t = Date.parse(`${year}-${m[1]}-${m[2]}T${m[4]}:${m[5]}:00${zone}`);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function parseIptc7901(msg: Message, index: number): DraftStory {
  const draft: DraftStory = { format: 'iptc7901' };
  const warnings: string[] = [];
  const headerLines = stripControls(msg.header).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const first = headerLines[0] ?? '';
  // <source><number> <priority> <category> <word count>
  const h = /^([A-Za-z]{1,8})\s*(\d{1,5})\s+(\d)\s+([A-Za-z]{1,3})\s+(\d{1,5})\b/.exec(first);
  const source = h?.[1];
  if (h) {
    const p = Number(h[3]);
    if (p >= 1 && p <= 9) draft.urgency = p;
    draft.subjects = [{ code: (h[4] as string).toLowerCase(), name: (h[4] as string).toLowerCase(), scheme: 'iptc7901-category' }];
    draft.infoSources = [{ name: source as string, role: 'originator' }];
    // The service identifier heading every message names the feed.
    draft.source = (source as string).toLowerCase();
  } else if (first) warnings.push(`header: "${first.slice(0, 60)}" does not follow IPTC 7901 (source, number, priority, category, words)`);
  const slug = headerLines.slice(1).join(' ').replace(/\s+/g, ' ').trim() || undefined;
  if (slug) draft.slugline = slug;

  const lines = stripControls(msg.text).replace(/\r*\n/g, '\n').replace(/\r/g, '\n').split('\n');
  while (lines.length && !lines[0]?.trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1]?.trim()) lines.pop();
  // Trailer: a DDHHMM Mon YY line, and the initials line before it.
  const postLines = stripControls(msg.post).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  let date: string | undefined;
  for (const l of postLines) date ??= iptcDate(l);
  if (!date && lines.length) {
    date = iptcDate(lines[lines.length - 1] ?? '');
    if (date) {
      lines.pop();
      const initials = lines[lines.length - 1]?.trim() ?? '';
      if (/^[a-z]{2,5}(\s+[a-z]{1,4}){0,4}$/i.test(initials) && initials.length <= 24) lines.pop();
    }
  }
  if (date) {
    draft.versionCreated = date;
    warnings.push('date: IPTC 7901 states no time zone; read as UTC');
  }

  // Headline: up to the line ending in " =" (dpa convention), else the first paragraph-line block.
  let headlineEnd = lines.findIndex((l) => /\s=\s*$/.test(l));
  if (headlineEnd === -1 || headlineEnd > 3) headlineEnd = lines.findIndex((l, i) => i > 0 && l.trim() === '') - 1;
  if (headlineEnd < 0) headlineEnd = 0;
  const headline = lines
    .slice(0, headlineEnd + 1)
    .join(' ')
    .replace(/\s=\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (headline) draft.headline = headline;
  const body = toParagraphs(lines.slice(headlineEnd + 1));
  if (body.length) draft.bodyText = body;
  if (slug && source) draft.guid = `${source}:${slug}${date ? `:${date.slice(0, 10)}` : ''}`;
  else if (h) draft.guid = `${source}:${h[2]}${date ? `:${date.slice(0, 10)}` : ''}`;
  else draft.guid = `iptc7901:${index}${date ? `:${date}` : ''}`;
  if (warnings.length) draft.warnings = warnings;
  return draft;
}

function parseAnpa(msg: Message, index: number): DraftStory {
  const draft: DraftStory = { format: 'anpa1312' };
  const warnings: string[] = [];
  const header = stripControls(msg.header).replace(/\s+/g, ' ').trim();
  // <sld><selector/number> <priority> <category> <keyword> [version...] <MM-DD> <words>
  const h = /^([a-z])(\d{3,4})\s+([a-z])\s+([a-z])\s+(\S+)\s*(.*?)\s*(?:(\d{2})-(\d{2}))?\s*(\d{1,5})?$/i.exec(header);
  let slug: string | undefined;
  let mmdd: string | undefined;
  if (h) {
    const u = ANPA_PRIORITY[(h[3] as string).toLowerCase()];
    if (u !== undefined) draft.urgency = u;
    draft.subjects = [{ code: (h[4] as string).toLowerCase(), name: (h[4] as string).toLowerCase(), scheme: 'anpa1312-category' }];
    slug = h[5];
    // The selector code routes the message to a service.
    draft.services = [{ name: `${h[1]}${h[2]}`, code: `${h[1]}${h[2]}`, scheme: 'anpa-selector', kind: 'service' }];
    const versionText = h[6] ?? '';
    const lead = /(\d+)(?:st|nd|rd|th)\s*(?:Ld|Lead|Add)/i.exec(versionText);
    draft.version = lead ? Number(lead[1]) + 1 : 1;
    if (/correct/i.test(versionText)) draft.correction = true;
    if (/\bkill|eliminat/i.test(`${versionText} ${slug}`)) draft.pubStatus = 'canceled';
    if (h[7] && h[8]) mmdd = `${h[7]}-${h[8]}`;
    if (slug) draft.slugline = slug;
  } else if (header) warnings.push(`header: "${header.slice(0, 60)}" does not follow ANPA 1312 (sld, selector, priority, category, keyword, date, words)`);

  const rawLines = stripControls(msg.text).replace(/\r*\n/g, '\n').replace(/\r/g, '\n').split('\n');
  const body: string[] = [];
  let date: string | undefined;
  const marked: string[] = [];
  for (const line of rawLines) {
    const stamp = anpaDate(line);
    if (stamp) {
      date ??= stamp;
      continue;
    }
    if (/^\s*\^/.test(line)) {
      // ^Headline< / ^By NAME= : typesetting marks of the header block.
      const m = line.replace(/^\s*\^/, '').replace(/[<=]+\s*$/, '').trim();
      if (/^Eds?:/i.test(m)) (draft.ednotes ??= []).push(m);
      else marked.push(m);
      continue;
    }
    if (/^\s*\(?(AP|UPI|CP)\)?\s+[a-z]{1,4}(-[a-z]{1,4})*\s*$/i.test(line) || /^\s*(END|MORE)\s*$/i.test(line)) continue;
    if (/^\s*Eds?:/i.test(line)) {
      (draft.ednotes ??= []).push(line.trim());
      continue;
    }
    body.push(line.replace(/[<=]+\s*$/, ''));
  }
  // The first marked line repeats the keyword ("BC-Storm-Gulf,0456"); then headline, byline, its title.
  const headerLines = marked.filter((m) => m && !(slug && m.toLowerCase().startsWith(slug.toLowerCase())));
  const byIndex = headerLines.findIndex((m) => /^by\s/i.test(m));
  const headline = headerLines.find((m, i) => i !== byIndex && !/^by\s/i.test(m) && !/(writer|correspondent|editor)$/i.test(m));
  if (headline) draft.headline = headline;
  if (byIndex !== -1) {
    const by = headerLines[byIndex] as string;
    const title = headerLines[byIndex + 1];
    draft.bylines = [title && /(writer|correspondent|editor|press)$/i.test(title) ? `${by}, ${title}` : by];
  }
  // ANPA typewriter conventions: `` and '' are quotes, a spaced underscore is a dash.
  const typeset = (t: string): string => t.replace(/``/g, '\u201C').replace(/''/g, '\u201D').replace(/ _ /g, ' \u2014 ');
  const paras = toParagraphs(body).map(typeset);
  if (draft.headline) draft.headline = typeset(draft.headline);
  if (paras.length) {
    draft.bodyText = paras;
    const dl = /^([A-Z][A-Z .,'-]+(?:,\s*[A-Z][a-z.]+)?\s*\((?:AP|UPI|CP)\)\s*(?:_|--|—|-))/.exec(paras[0] as string);
    if (dl) draft.dateline = (dl[1] as string).trim();
  }
  if (date) draft.versionCreated = date;
  draft.infoSources = [{ name: /\(UPI\)/.test(paras[0] ?? '') ? 'UPI' : /\(CP\)/.test(paras[0] ?? '') ? 'CP' : 'AP', role: 'originator' }];
  // The keyword stays the same through leads and writethrus, so it (with the day) is the story id.
  draft.guid = slug ? ['anpa', slug, date?.slice(0, 4), mmdd ?? date?.slice(5, 10)].filter(Boolean).join(':') : `anpa:${index}${date ? `:${date}` : ''}`;
  if (warnings.length) draft.warnings = warnings;
  return draft;
}

/** Parses IPTC 7901 / ANPA 1312 messages (one draft per message). */
export function parse(input: ParseInput): Result<DraftStory[], NormalizeError> {
  return guarded('IPTC 7901/ANPA 1312', () => {
    const size = checkSize(input, 'IPTC 7901/ANPA 1312');
    if (!size.ok) return size;
    const all = messages(input.text, input.limits.maxItems);
    if (!all) return fail('WIRE_ERR_TOO_MANY_ITEMS', `input: IPTC 7901/ANPA 1312 transmission holds more than ${input.limits.maxItems} messages (SOH count)`);
    const msgs = all.filter((m) => m.text.trim() || m.header.trim());
    if (msgs.length === 0) return fail('WIRE_ERR_EMPTY', 'input: no IPTC 7901/ANPA 1312 message (nothing between SOH and ETX)');
    const many = checkItems(msgs.length, input.limits, 'IPTC 7901/ANPA 1312 transmission');
    if (!many.ok) return many;
    const out: DraftStory[] = [];
    const skipped: number[] = [];
    msgs.forEach((m, i) => {
      const anpa = m.syn || /^\s*[a-z]\d{3,4}\s+[a-z]\s+[a-z]\s/i.test(stripControls(m.header));
      const d = anpa ? parseAnpa(m, i) : parseIptc7901(m, i);
      if (d.headline) out.push(d);
      else skipped.push(i);
    });
    if (out.length === 0) return fail('WIRE_ERR_NO_HEADLINE', 'headline: missing (IPTC 7901 first text line / ANPA ^headline line)');
    if (skipped.length) {
      const first = out[0] as DraftStory;
      first.warnings = [...(first.warnings ?? []), `messages without headline skipped: ${skipped.join(', ')} (IPTC 7901/ANPA 1312)`];
    }
    return ok(out);
  });
}
