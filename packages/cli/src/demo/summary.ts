import type { StoryEvent } from '@wire/queues';
import type { FeedItem } from './feed';
import type { Receipt, SamplePartner } from './sample-partner';

/** What happened to one published sample item. */
export interface ItemOutcome {
  item: FeedItem;
  published: boolean;
  guid?: string;
  receivedAt?: string;
  /** Events seen on stories.events for it (normally one). */
  events: StoryEvent[];
}

/**
 * A translation the pipeline did not make for a partner because no configured provider translates
 * the pair — what ops lists under `GET /api/deliveries?status=skipped`.
 */
export interface SkippedTranslation {
  partnerId: string;
  storyUri: string;
  version: number;
  /** `no translator for sv→es`. */
  reason: string;
}

const NO_TRANSLATOR = /^no translator for [\w-]+→[\w-]+/;

/** The skipped translations among ops delivery records (`{partnerId, storyUri, version, status, error: {message}}`). */
export function skippedTranslations(records: readonly unknown[]): SkippedTranslation[] {
  const out: SkippedTranslation[] = [];
  for (const r of records as Array<Record<string, unknown>>) {
    const message = (r.error as { message?: unknown } | undefined)?.message;
    const reason = r.status === 'skipped' && typeof message === 'string' ? NO_TRANSLATOR.exec(message)?.[0] : undefined;
    if (reason && typeof r.partnerId === 'string' && typeof r.storyUri === 'string' && typeof r.version === 'number') {
      out.push({ partnerId: r.partnerId, storyUri: r.storyUri, version: r.version, reason });
    }
  }
  return out;
}

interface SummaryRow {
  label: string;
  uri: string | undefined;
  decision: string;
  delivered: string[];
  translations: string[];
  problems: string[];
}

export interface Summary {
  rows: SummaryRow[];
  /** Every item met its expectation. */
  ok: boolean;
  /** Nothing more to wait for (every expectation met). */
  done: boolean;
}

/** Does receipt `r` carry story `uri` (or a language variant of it) at `version`? */
function matches(r: Receipt, uri: string, version: number): boolean {
  const sameStory = r.uri === uri || r.uri.startsWith(`${uri}:`) || r.uri.startsWith(`${uri}/`) || r.uri.startsWith(`${uri}#`);
  return sameStory && r.version === version;
}

/**
 * Compare what happened with what each sample item expects. A translation no provider makes shows
 * as `no translator for sv→es (demo-es)` among the translations, not as a problem.
 */
export function summarize(outcomes: ItemOutcome[], partners: SamplePartner[], skipped: readonly SkippedTranslation[] = []): Summary {
  const rows = outcomes.map((o): SummaryRow => {
    const ev = o.events[0];
    const problems: string[] = [];
    const exp = o.item.expect;
    if (!o.published) problems.push('not published');
    else if (!ev) problems.push('no event on stories.events');
    else if (!exp.decisions.includes(ev.decision.kind)) problems.push(`decision ${ev.decision.kind}, expected ${exp.decisions.join(' or ')}`);
    const delivered: string[] = [];
    const translations: string[] = [];
    // A re-send must not reach anyone again: each partner holds at most one webhook per
    // (story, version, type) — repeats carry the same webhook-id and are dropped by the partner.
    const resend = exp.deliveredTo.length === 0;
    if (ev && resend) {
      for (const p of partners) {
        const got = p.receipts.filter((r) => matches(r, ev.uri, ev.version));
        const kinds = new Set(got.map((r) => `${r.uri}|${r.type}`));
        if (kinds.size < got.length) problems.push(`${p.id} received it twice`);
      }
    }
    if (ev && !resend) {
      for (const p of partners) {
        const got = p.receipts.filter((r) => matches(r, ev.uri, ev.version));
        if (got.length > 0) delivered.push(`${p.id}${got.some((r) => r.language) ? ` (${[...new Set(got.map((r) => r.language ?? '?'))].join(',')})` : ''}`);
        for (const r of got) if (r.language && r.language !== ev.language) translations.push(`${r.language} → ${p.id}`);
      }
    }
    // Without an event there is nothing to look for at the partners: report the first gap only.
    for (const want of ev ? exp.deliveredTo : []) {
      if (!delivered.some((d) => d === want || d.startsWith(`${want} `))) problems.push(`not delivered to ${want}`);
    }
    for (const t of ev ? (exp.translatedFor ?? []) : []) {
      if (!translations.includes(`${t.language} → ${t.partner}`)) problems.push(`no ${t.language} translation delivered to ${t.partner}`);
    }
    const skips = ev && !resend ? skipped.filter((k) => k.storyUri === ev.uri && k.version === ev.version) : [];
    for (const k of skips) translations.push(`${k.reason} (${k.partnerId})`);
    for (const u of ev ? (exp.untranslatedFor ?? []) : []) {
      const reason = `no translator for ${u.pair}`;
      if (!skips.some((k) => k.partnerId === u.partner && k.reason === reason)) problems.push(`"${reason}" not shown by ops for ${u.partner}`);
    }
    return {
      label: o.item.label,
      uri: ev?.uri,
      decision: ev ? `${ev.decision.kind}${ev.decision.of && ev.decision.kind !== 'new' ? ' (of earlier)' : ''}` : '—',
      delivered: resend && ev ? ['not re-sent'] : delivered,
      translations,
      problems,
    };
  });
  const ok = rows.every((r) => r.problems.length === 0);
  return { rows, ok, done: ok };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The summary as a plain-text table: story → decision → partners delivered, translations. */
export function renderSummary(s: Summary): string {
  const rows = s.rows.map((r) => [
    r.label,
    r.decision,
    r.delivered.join(', ') || '—',
    r.translations.join(', ') || '—',
    r.problems.length === 0 ? 'ok' : `MISSING: ${r.problems.join('; ')}`,
  ]);
  return table(['story', 'decision', 'delivered to', 'translations', 'check'], rows);
}
