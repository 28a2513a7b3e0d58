/**
 * The end of a run: the facts gathered from the outside (the partners' receipts, ops' dead letters,
 * delivery log and partner state, `stories.canonical`), the ledger over them, the pictures check,
 * and the report (`--json`, a summary for people, `report.json` and `answers.ndjson`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { expectedCanonical, expectedDeliveries } from './expect';
import { readCanonical } from './kafka';
import { computeLedger, type Ledger } from './ledger';
import type { OpsClient } from './ops-client';
import type { PartnerEndpoint } from './partners';
import { FAULT_KINDS, PARTNERS, type FaultKind, type StoryMessage } from './plan';
import type { TrialResult } from './trials';

/** What `--json` prints (CONTRACTS.md keys first, then the rest of the ledger). */
export interface ChaosReport {
  trials: number;
  faults: Record<FaultKind, number>;
  published: number;
  expected: number;
  delivered: number;
  repeats: number;
  deadLettered: number;
  lost: number;
  outOfOrder: number;
  afterKill: number;
  maxRecoveryMs: number;
  superseded: number;
  skippedGone: number;
  unexpected: number;
  canonical: Ledger['canonical'];
  pictures: { delivered: number; withoutRenditions: number; fetched: number; fetchFailed: number };
  recoveryMsByKind: Partial<Record<FaultKind, number>>;
  unrecovered: number;
  unexpectedExits: number;
  stories: number;
  seed: number;
  durationMs: number;
  dir: string;
}

/** The ledger from the outside: what partners took, what ops says was dead-lettered or refused, what the canonical topic holds. */
export async function ledgerOf(endpoints: readonly PartnerEndpoint[], ops: OpsClient, kafka: Kafka, published: readonly StoryMessage[], readerGroup: string): Promise<Ledger> {
  // A partner that answered 410 is owed nothing more once ops shows it disabled for that.
  const gone = new Set<string>();
  for (const e of endpoints) {
    if (e.goneAt === undefined) continue;
    const p = await ops.partner(e.spec.id);
    if (p.disabled && /410/.test(p.disabledReason ?? '')) gone.add(e.spec.id);
  }
  const deadLetters = await ops.deliveryDeadLetters();
  // Ops lists the newest 1,000 dead letters; past that, each partner's dead attempts from the log too.
  if (deadLetters.length >= 1000) for (const e of endpoints) deadLetters.push(...(await ops.deadAttempts(e.spec.id)));
  return computeLedger({
    expected: expectedDeliveries(PARTNERS, published),
    receipts: endpoints.flatMap((e) => e.receipts),
    deadLetters,
    gone,
    log: (partner, story) => ops.deliveryLog(partner, story),
    canonicalExpected: expectedCanonical(published),
    canonical: await readCanonical(kafka, readerGroup),
  });
}

/** Delivered versions that carry a picture must carry its stored renditions, and (a sample of) those must load. */
export async function picturesOf(endpoints: readonly PartnerEndpoint[]): Promise<ChaosReport['pictures']> {
  const withPictures = endpoints.flatMap((e) => e.receipts).filter((r) => r.pictures > 0 && !r.uri.includes(':lang:'));
  const hrefs = [...new Set(withPictures.flatMap((r) => r.renditions))].slice(0, 10);
  const loads = await Promise.all(
    hrefs.map((h) => fetch(h, { signal: AbortSignal.timeout(10_000) }).then((r) => r.ok && (r.headers.get('content-type') ?? '').startsWith('image/'), () => false)),
  );
  return { delivered: withPictures.length, withoutRenditions: withPictures.filter((r) => r.renditions.length === 0).length, fetched: loads.filter(Boolean).length, fetchFailed: loads.filter((ok) => !ok).length };
}

export function buildReport(
  ledger: Ledger,
  results: readonly TrialResult[],
  run: { published: number; stories: number; pictures: ChaosReport['pictures']; unexpectedExits: number; seed: number; startedAt: number; dir: string; recoveryCapMs: number },
): ChaosReport {
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, results.filter((r) => r.kind === k).length])) as Record<FaultKind, number>;
  const recoveryMsByKind: Partial<Record<FaultKind, number>> = {};
  for (const r of results) recoveryMsByKind[r.kind] = Math.max(recoveryMsByKind[r.kind] ?? 0, r.recoveryMs ?? run.recoveryCapMs);
  return {
    trials: results.length,
    faults,
    published: run.published,
    expected: ledger.expected,
    delivered: ledger.delivered,
    repeats: ledger.repeats,
    deadLettered: ledger.deadLettered,
    lost: ledger.lost,
    outOfOrder: ledger.outOfOrder,
    afterKill: ledger.afterKill,
    maxRecoveryMs: Math.max(0, ...Object.values(recoveryMsByKind)),
    superseded: ledger.superseded,
    skippedGone: ledger.skippedGone,
    unexpected: ledger.unexpected,
    canonical: ledger.canonical,
    pictures: run.pictures,
    recoveryMsByKind,
    unrecovered: results.filter((r) => r.recoveryMs === undefined).length,
    unexpectedExits: run.unexpectedExits,
    stories: run.stories,
    seed: run.seed,
    durationMs: Date.now() - run.startedAt,
    dir: run.dir,
  };
}

/** The goals: nothing lost, out of order, after a kill or unexpected; every version once on the canonical topic. */
export function ledgerHolds(r: ChaosReport): boolean {
  return r.lost === 0 && r.outOfOrder === 0 && r.afterKill === 0 && r.unexpected === 0 && r.canonical.missing === 0 && r.canonical.repeated === 0 && r.canonical.unexpected === 0;
}

/** `report.json` (the report, its problem lines, each trial, each partner's answers by status) and `answers.ndjson` (every answer). */
export function writeRunFiles(dir: string, report: ChaosReport, ledger: Ledger, results: readonly TrialResult[], endpoints: readonly PartnerEndpoint[], extra: Record<string, unknown>): void {
  const answers = Object.fromEntries(endpoints.map((e) => [e.spec.id, e.answers]));
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify({ ...report, problems: ledger.problems, trialResults: results, answers, ...extra }, null, 2)}\n`);
  writeFileSync(join(dir, 'answers.ndjson'), `${endpoints.flatMap((e) => e.journal.map((j) => JSON.stringify({ partner: e.spec.id, ...j }))).join('\n')}\n`);
}

/** The report for people. */
export function summary(r: ChaosReport): string {
  const s = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
  return `${[
    `chaos (seed ${r.seed}): ${r.trials} trials — ${Object.entries(r.faults).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `published ${r.published} messages (${r.stories} stories); canonical versions ${r.canonical.versions}, missing ${r.canonical.missing}, repeated ${r.canonical.repeated}`,
    `deliveries owed ${r.expected}: delivered ${r.delivered}, dead-lettered ${r.deadLettered}, superseded ${r.superseded}, not sent to the gone partner ${r.skippedGone}, lost ${r.lost}`,
    `repeats (same webhook-id) ${r.repeats}; unexpected ${r.unexpected}; out of order ${r.outOfOrder}; after a kill ${r.afterKill}`,
    `longest recovery ${s(r.maxRecoveryMs)} (${Object.entries(r.recoveryMsByKind).map(([k, ms]) => `${k} ${s(ms)}`).join(', ')}); unrecovered ${r.unrecovered}; replicas that crashed on their own ${r.unexpectedExits}`,
    `pictures: ${r.pictures.delivered} deliveries with a picture, ${r.pictures.withoutRenditions} without renditions, ${r.pictures.fetched}/${r.pictures.fetched + r.pictures.fetchFailed} renditions loaded`,
    ledgerHolds(r) ? 'ledger holds' : 'LEDGER BROKEN (see the problem lines above and report.json)',
    `logs and report: ${r.dir}`,
  ].join('\n')}\n`;
}
