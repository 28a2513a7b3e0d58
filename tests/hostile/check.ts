import { outputProblems } from '@wire/text/testing';
import type { HostileCase } from './corpus';

/**
 * What a hostile case may come out as, judged from the outside: a typed error, or stories whose
 * every string is what its field says (`outputProblems` of `@wire/text/testing`: plain text
 * without markup as a browser would build it, HTML inside the body subset and equal to its own
 * re-sanitization, links only absolute http(s) or urn URIs) and that still carry the case's marker
 * words and none of its absent texts.
 */

/** What a typed error must look like: a code of the catalogue given, never an internal failure. */
export function errorProblems(c: HostileCase, code: string, message: string, catalogue: ReadonlySet<string>): string[] {
  const out: string[] = [];
  if (!/^WIRE_ERR_[A-Z0-9_]+$/.test(code)) out.push(`untyped error ${JSON.stringify(code)}`);
  else if (!catalogue.has(code)) out.push(`error ${code} is not in the catalogue`);
  if (code === 'WIRE_ERR_INTERNAL') out.push(`internal failure: ${message.slice(0, 200)}`);
  if (c.refuse && !c.refuse.includes(code)) out.push(`refused with ${code}, expected one of ${c.refuse.join(', ')}`);
  if (!message.trim()) out.push('error without a reason');
  return out;
}

/** Problems of the stories a case came out as (`docs`: each story and its ninjs). */
export function storiesProblems(c: HostileCase, stories: ReadonlyArray<Record<string, unknown>>, ninjs: readonly unknown[]): string[] {
  const out: string[] = [];
  if (c.refuse) out.push(`accepted, expected a refusal (${c.refuse.join(', ')})`);
  if (stories.length === 0) out.push('no story and no error');
  for (const [i, story] of stories.entries()) {
    out.push(...outputProblems(story).map((p) => `story ${i}: ${p}`));
    const { warnings: _w, ...content } = story;
    const text = JSON.stringify(content);
    for (const m of c.markers ?? []) if (!new RegExp(m, 'i').test(text)) out.push(`story ${i}: marker ${m} missing (a field was dropped, not cleaned)`);
  }
  for (const [i, doc] of ninjs.entries()) out.push(...outputProblems(doc).map((p) => `ninjs ${i}: ${p}`));
  const all = JSON.stringify([stories, ninjs]);
  for (const a of c.absent ?? []) if (all.includes(a)) out.push(`output holds ${JSON.stringify(a)}`);
  return out;
}
