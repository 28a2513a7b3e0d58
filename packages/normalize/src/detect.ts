/** Format ids the dispatcher knows (one parser module each). */
export const FORMATS = ['ninjs', 'ap-media', 'newsml-g2', 'nitf', 'newsml1', 'iptc7901', 'rss', 'ritzau', 'email', 'html', 'text'] as const;
export type FormatId = (typeof FORMATS)[number];

export interface DetectHints {
  contentType?: string;
  filename?: string;
}

const G2_ROOTS = /^(newsMessage|newsItem|packageItem|conceptItem|planningItem|knowledgeItem|catalogItem)$/;
const MAIL_HEADER = /^(from|to|subject|date|message-id|mime-version|received|return-path|delivered-to|reply-to|content-type|x-[\w-]+|sender|cc):[ \t]/im;

/**
 * Detects the format of a decoded document from its content (never its file name; the content
 * type only breaks ties). Returns `undefined` when nothing fits (binary, unknown XML or JSON).
 *
 * @example detectFormat('<?xml version="1.0"?><nitf>…') // 'nitf'
 */
export function detectFormat(text: string, hints: DetectHints = {}): FormatId | undefined {
  const head = text.slice(0, 8192);
  const t = head.replace(/^[\uFEFF\s]+/, '');
  if (!t) return undefined;
  // IPTC 7901 starts with SOH (ANPA 1312 with SYN SYN SOH); both carry STX before the text.
  // eslint-disable-next-line no-control-regex
  if (/^[\u0016]*\u0001/.test(t) || /^[^\n]{0,200}\u0002/.test(t)) return 'iptc7901';
  const c = t[0];
  if (c === '{' || c === '[') return detectJson(t);
  if (c === '<') return detectMarkup(t, hints);
  if (isMail(t)) return 'email';
  if (/^\s*<(!doctype\s+html|html|head|body)\b/i.test(t)) return 'html';
  if (hints.contentType && /html/i.test(hints.contentType) && /<(p|div|article|body)\b/i.test(head)) return 'html';
  // eslint-disable-next-line no-control-regex
  const controls = (t.match(/[\u0000-\u0008\u000E-\u001A\u001C-\u001F]/g) ?? []).length;
  if (controls > t.length / 20) return undefined;
  return 'text';
}

function detectJson(t: string): FormatId | undefined {
  if (/"api_version"\s*:|"data"\s*:\s*\{\s*"(?:item|items|current_item_count|next_page|updated|query|page_template)"/.test(t)) return 'ap-media';
  // ninjs 1.x/2.x use lower-case names (versioncreated, body_html); 3.x camelCase (versionCreated, bodies).
  if (/"(?:uri|headlines?|body_html|body_text|bodies|versioncreated|versionCreated|pubstatus|pubStatus|associations|renditions)"\s*:/.test(t)) return 'ninjs';
  return undefined;
}

function detectMarkup(t: string, hints: DetectHints): FormatId | undefined {
  // Skip the XML declaration, processing instructions, comments and doctype to the root element.
  const rest = t.replace(/^(?:\s*<\?[\s\S]*?\?>|\s*<!--[\s\S]*?-->)*/, '');
  if (/^\s*<!doctype\s+html\b/i.test(rest)) return 'html';
  const afterDoctype = rest.replace(/^\s*<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>/i, '').replace(/^(?:\s*<!--[\s\S]*?-->|\s*<\?[\s\S]*?\?>)*/, '');
  const root = /^\s*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(afterDoctype);
  const name = root?.[2] ?? '';
  if (G2_ROOTS.test(name)) return 'newsml-g2';
  // A bare NewsML-G2 contentSet fragment carrying inline NITF is read as the NITF it carries.
  if (name === 'contentSet') return /<([A-Za-z_][\w.-]*:)?nitf[\s>]/.test(t) ? 'nitf' : 'newsml-g2';
  if (name === 'NewsML') return /iptc\.org\/std\/nar\/2006/.test(t) ? 'newsml-g2' : 'newsml1';
  if (name.toLowerCase() === 'nitf') return 'nitf';
  if (name === 'rss' || name === 'feed' || (name === 'RDF' && /purl\.org\/rss/.test(t))) return 'rss';
  // Ritzau's RBNews: its root, or a data-contract item carrying Ritzau's byLineEmail field.
  if (/^(?:ArrayOf)?RBNews$/.test(name) || (/<(?:[\w-]+:)?byLineEmail[\s>/]/.test(t) && /<(?:[\w-]+:)?content[\s>]/.test(t))) return 'ritzau';
  if (/^(html|head|body)$/i.test(name)) return 'html';
  if (/^(div|p|article|section|main|header|span|h[1-6]|figure|table|ul|meta|link|title)$/i.test(name)) return 'html';
  if (hints.contentType && /html/i.test(hints.contentType)) return 'html';
  return undefined;
}

function isMail(t: string): boolean {
  // A header block (Name: value lines, folded continuation lines) ending in a blank line, with at
  // least two of the headers every message carries.
  const end = t.search(/\r?\n\r?\n/);
  if (end <= 0) return false;
  const header = t.slice(0, end);
  if (!/^[A-Za-z][\w-]*:[ \t]/.test(header)) return false;
  const lines = header.split(/\r?\n/);
  if (!lines.every((l) => /^[A-Za-z][\w-]*:/.test(l) || /^[ \t]/.test(l))) return false;
  const known = lines.filter((l) => MAIL_HEADER.test(l)).length;
  return known >= 2 && /^(from|subject|message-id|mime-version|received):/im.test(header);
}
