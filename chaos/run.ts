/**
 * `wire chaos [--trials N] [--seed S] [--json]` — the whole pipeline with two replicas each of
 * ingest, webhooks and translator, 20 local partners and a seeded wire stream, under seeded faults
 * (kill -9 of a replica, Kafka broker restart, Redis restart, S3 outage, partner outage); then a
 * ledger per story version per partner. Progress goes to stderr as JSON lines; with `--json` the
 * last line on stdout is the result (CONTRACTS.md).
 *
 * Options: --stories N (at least this many story families, default 300), --rate R (story families
 * per second, default 0.5), --faults k,k (default every kind), --max-outage S (S3 and partner
 * outages last up to S seconds, default 60), --max-gap S (quiet time before a fault, default 15),
 * --recovery-cap S (default 240), --settle S (how long the end may take to drain, default 600),
 * --keep (keep the run's Kafka, S3 and Redis data; logs and report.json are always kept).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Queues } from '@wire/queues';
import { parseCommandArgs } from '../packages/cli/src/args';
import type { CommandIO } from '../packages/cli/src/io';
import { REPO_ROOT } from '../packages/cli/src/supervisor';
import { expectedCanonical, expectedDeliveries } from './expect';
import { startImageServer } from './images';
import { ingestLag, kafkaClient, readCanonical, WirePublisher } from './kafka';
import { computeLedger, type Ledger } from './ledger';
import { OpsClient } from './ops-client';
import { reapOrphans } from './orphans';
import { ArrivalClock, PartnerEndpoint } from './partners';
import { FAULT_KINDS, nitfDocument, PARTNERS, planTrials, storyFamily, type FaultKind, type StoryMessage } from './plan';
import { ChaosStack } from './stack';
import { inject, recovery, type TrialResult } from './trials';

const USAGE = `usage: wire chaos [--trials N] [--seed S] [--json] [--stories N] [--rate R] [--faults k,k]
                  [--max-outage S] [--max-gap S] [--recovery-cap S] [--settle S] [--keep]

Runs the whole pipeline on its own Kafka, S3Proxy and Redis (never the shared ones) with two
replicas each of ingest, webhooks and translator, 20 local partners and a seeded wire stream,
injects one seeded fault per trial (${FAULT_KINDS.join(', ')}), then checks a ledger per story
version per partner: owed = delivered + dead-lettered (+ superseded by a later version, + not sent
to a partner that answered 410); nothing lost, out of order or delivered after a kill; every
version once on stories.canonical. Exit 0 when the ledger holds, 1 when it does not.
`;

const PARTITIONS = 4;
/** Deliveries and translations waiting above which no new story is opened. */
const MAX_BACKLOG = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  trials: number;
  seed: number;
  json: boolean;
  stories: number;
  rate: number;
  faults: FaultKind[];
  maxOutageMs: number;
  maxGapMs: number;
  recoveryCapMs: number;
  settleMs: number;
  keep: boolean;
}

function parseOptions(argv: string[], io: CommandIO): Options | number {
  const args = parseCommandArgs(argv, io, USAGE, {
    options: {
      trials: { type: 'string', default: '50' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      stories: { type: 'string', default: '300' },
      rate: { type: 'string', default: '0.5' },
      faults: { type: 'string', default: FAULT_KINDS.join(',') },
      'max-outage': { type: 'string', default: '60' },
      'max-gap': { type: 'string', default: '15' },
      'recovery-cap': { type: 'string', default: '240' },
      settle: { type: 'string', default: '600' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof args === 'number') return args;
  const v = args.values;
  const bad = (flag: string, why: string) => {
    io.stderr.write(`error WIRE_ERR_USAGE: --${flag}: ${why}\n`);
    return 2;
  };
  const num = (flag: keyof typeof v, min: number, whole: boolean): number | undefined => {
    const n = Number(v[flag]);
    return Number.isFinite(n) && n >= min && (!whole || Number.isInteger(n)) ? n : undefined;
  };
  const trials = num('trials', 0, true);
  if (trials === undefined) return bad('trials', `expected a whole number, got "${v.trials}"`);
  const seed = v.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : num('seed', 0, true);
  if (seed === undefined) return bad('seed', `expected a whole number, got "${v.seed}"`);
  const stories = num('stories', 1, true);
  if (stories === undefined) return bad('stories', `expected a positive whole number, got "${v.stories}"`);
  const rate = num('rate', 0.01, false);
  if (rate === undefined) return bad('rate', `expected story families per second (at least 0.01), got "${v.rate}"`);
  const faults = (v.faults ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
  if (faults.length === 0 || unknown.length > 0) return bad('faults', `expected some of ${FAULT_KINDS.join(', ')}, got "${v.faults}"`);
  const secs: Record<string, number> = {};
  for (const flag of ['max-outage', 'max-gap', 'recovery-cap', 'settle'] as const) {
    const n = num(flag, 1, false);
    if (n === undefined) return bad(flag, `expected seconds (at least 1), got "${v[flag]}"`);
    secs[flag] = n * 1000;
  }
  return {
    trials,
    seed,
    json: v.json === true,
    stories,
    rate,
    faults: faults as FaultKind[],
    maxOutageMs: secs['max-outage']!,
    maxGapMs: secs['max-gap']!,
    recoveryCapMs: secs['recovery-cap']!,
    settleMs: secs.settle!,
    keep: v.keep === true,
  };
}

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

/** `wire chaos`: see the file header. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const opts = parseOptions(argv, io);
  if (typeof opts === 'number') return opts;
  const started = Date.now();
  const root = join(REPO_ROOT, '.wire', 'chaos');
  const runId = `${new Date(started).toISOString().replace(/[:.]/g, '-')}-seed${opts.seed}`;
  const dir = join(root, runId);
  const emit = (e: Record<string, unknown>) => io.stderr.write(`${JSON.stringify({ t: Math.round((Date.now() - started) / 100) / 10, ...e })}\n`);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupted) emit({ event: 'interrupted', signal, note: 'stopping everything this run started' });
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const cleanups: Array<[string, () => Promise<unknown>]> = [];
  const sleepUnless = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end && !interrupted; ) await sleep(Math.min(250, end - Date.now()));
  };

  try {
    emit({ event: 'start', seed: opts.seed, trials: opts.trials, faults: opts.faults, stories: opts.stories, rate: opts.rate, dir });
    await reapOrphans(root, (line) => emit({ event: 'orphans', line }));
    const images = await startImageServer();
    cleanups.push(['image server', () => images.close()]);
    const stack = await ChaosStack.start({ dir, runId, env: io.env, partitions: PARTITIONS, emit });
    cleanups.push(['pipeline', () => stack.stop()]);
    if (interrupted) return 130;
    emit({ event: 'services', ops: stack.opsUrl, logs: join(dir, 'logs') });

    // Partners: up, registered through the ops API (the secret comes back once).
    const clock = new ArrivalClock();
    const endpoints = PARTNERS.map((spec) => new PartnerEndpoint(spec, clock, opts.seed));
    const byId = new Map(endpoints.map((e) => [e.spec.id, e]));
    await Promise.all(endpoints.map((e) => e.up()));
    cleanups.push(['partners', () => Promise.all(endpoints.map((e) => e.down()))]);
    const ops = new OpsClient(stack.opsUrl, stack.opsToken);
    for (const e of endpoints) e.setSecret(await ops.createPartner(e.spec, e.url));
    emit({ event: 'partners', registered: endpoints.length });
    // Ingest reads partners through a 2-second cache: publish once every replica sees them.
    await sleep(2500);

    // The stream: families opened at `rate`, each message published when due, in order.
    const kafka = kafkaClient(stack.env.KAFKA_BROKERS!, 'wire-chaos');
    let publishRetries = 0;
    const publisher = new WirePublisher(kafka, () => publishRetries++);
    cleanups.push(['publisher', () => publisher.close()]);
    const published: StoryMessage[] = [];
    const publishedAt = new Map<string, number>();
    let families = 0;
    let trialsDone = false;
    // Back-pressure: no new story while this many deliveries and translations wait (the run tests
    // faults, not overload; a backlog would also stretch every recovery time it measures).
    let backlog = 0;
    let held = false;
    const publishing = (async () => {
      const t0 = Date.now();
      const pending: StoryMessage[] = [];
      let nextAt = 0;
      for (;;) {
        if (interrupted) return;
        const now = Date.now() - t0;
        let opened = false;
        if (held !== backlog > MAX_BACKLOG) {
          held = backlog > MAX_BACKLOG;
          emit({ event: held ? 'backpressure' : 'backpressure-off', backlog });
        }
        while ((families < opts.stories || !trialsDone) && nextAt <= now && !held) {
          pending.push(...storyFamily(opts.seed, families, now, PARTITIONS));
          families++;
          nextAt = Math.max(nextAt + 1000 / opts.rate, now - 1000 / opts.rate);
          opened = true;
        }
        if (opened) pending.sort((a, b) => a.dueMs - b.dueMs || a.family - b.family);
        if (pending.length === 0 && trialsDone && families >= opts.stories) return;
        const next = pending[0];
        if (!next || next.dueMs > now) {
          await sleep(100);
          continue;
        }
        pending.shift();
        const envelope = {
          source: next.source,
          guid: next.guid,
          version: next.version,
          receivedAt: new Date().toISOString(),
          contentType: 'application/xml',
          payload: nitfDocument(next, images.url),
          ...(next.canceled ? { pubStatus: 'canceled' } : {}),
        };
        if (!(await publisher.send({ key: `${next.source}:${next.guid}`, value: JSON.stringify(envelope), partition: next.partition }, () => interrupted))) return;
        published.push(next);
        const k = `${next.uri}|${next.version}`;
        if (!publishedAt.has(k)) publishedAt.set(k, Date.now());
      }
    })();

    // Progress: counts and rates every 5 s.
    const queues = [Queues.deliver, Queues.translate, Queues.mediaRetry].map((name) => new Queue(name, { connection: { url: stack.redisUrl, maxRetriesPerRequest: 1, connectTimeout: 2000 }, prefix: 'bull' }));
    // Redis restarts are part of the run: a handle that loses its connection waits for the next poll.
    for (const q of queues) q.on('error', () => undefined);
    cleanups.push(['queue handles', () => Promise.all(queues.map((q) => q.close()))]);
    const queued = async (): Promise<Record<string, number> | undefined> => {
      const counts = await Promise.race([
        Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children'))),
        sleep(2000).then(() => undefined),
      ]).catch(() => undefined);
      return counts ? Object.fromEntries(queues.map((q, i) => [q.name, Object.values(counts[i]!).reduce((s, n) => s + n, 0)])) : undefined;
    };
    const watch = setInterval(() => {
      void queued().then((q) => {
        if (q) backlog = (q[Queues.deliver] ?? 0) + (q[Queues.translate] ?? 0);
      });
    }, 2000);
    cleanups.push(['backlog watch', async () => clearInterval(watch)]);
    const delivered = () => endpoints.reduce((s, e) => s + e.receipts.length, 0);
    let trialNo = 0;
    let lastCount = 0;
    let lastAt = Date.now();
    const progress = setInterval(() => {
      void (async () => {
        const n = delivered();
        const now = Date.now();
        emit({
          event: 'progress',
          trial: trialNo,
          stories: families,
          published: published.length,
          delivered: n,
          deliveriesPerSec: Math.round(((n - lastCount) * 10000) / Math.max(1, now - lastAt)) / 10,
          queued: await queued(),
          partnersDown: endpoints.filter((e) => !e.isUp).map((e) => e.spec.id),
          publishRetries,
        });
        lastCount = n;
        lastAt = now;
      })();
    }, 5000);
    cleanups.push(['progress', async () => clearInterval(progress)]);

    // Trials: one fault each, then wait for the pipeline to deliver fresh copy again.
    const results: TrialResult[] = [];
    for (const [i, trial] of planTrials(opts.seed, opts.trials, opts.faults, { maxOutageMs: opts.maxOutageMs, maxGapMs: opts.maxGapMs }).entries()) {
      await sleepUnless(trial.gapMs);
      if (interrupted) break;
      trialNo = i + 1;
      const at = Date.now();
      emit({ event: 'fault', trial: trialNo, ...trial.fault });
      const scope = trial.fault.kind === 'partnerOutage' ? [byId.get(trial.fault.partner)!] : endpoints;
      const recovered = recovery(at, scope, publishedAt, opts.recoveryCapMs, () => interrupted);
      await inject(trial.fault, stack, byId);
      const recoveryMs = await recovered;
      results.push({ trial: trialNo, kind: trial.fault.kind, fault: trial.fault, at, recoveryMs });
      emit({ event: 'recovered', trial: trialNo, kind: trial.fault.kind, recoveryMs: recoveryMs ?? null, faultOverMs: Date.now() - at });
    }
    trialsDone = true;
    await publishing;
    if (interrupted) return 130;

    // Settle: ingest caught up and no delivery, translation or media retry left to run.
    emit({ event: 'settle', stories: families, published: published.length });
    for (let calm = 0, end = Date.now() + opts.settleMs; calm < 2 && Date.now() < end && !interrupted; ) {
      await sleep(3000);
      const [q, lag] = await Promise.all([queued(), ingestLag(kafka).catch(() => undefined)]);
      const busy = q === undefined || lag === undefined ? 1 : lag + Object.values(q).reduce((s, n) => s + n, 0);
      calm = busy === 0 ? calm + 1 : 0;
      emit({ event: 'settling', lag, queued: q, delivered: delivered() });
    }
    if (interrupted) return 130;
    clearInterval(progress);

    // The ledger, from the outside: partners' receipts, ops' dead letters and log, the canonical topic.
    emit({ event: 'ledger' });
    const gone = new Set<string>();
    for (const e of endpoints) {
      if (e.goneAt === undefined) continue;
      const p = await ops.partner(e.spec.id);
      if (p.disabled && /410/.test(p.disabledReason ?? '')) gone.add(e.spec.id);
    }
    const deadLetters = await ops.deliveryDeadLetters();
    // Ops lists the newest 1,000 dead letters; past that, each partner's dead attempts from the log too.
    if (deadLetters.length >= 1000) for (const e of endpoints) deadLetters.push(...(await ops.deadAttempts(e.spec.id)));
    const canonical = await readCanonical(kafka, `chaos-reader-${started}`);
    const ledger = await computeLedger({
      expected: expectedDeliveries(PARTNERS, published),
      receipts: endpoints.flatMap((e) => e.receipts),
      deadLetters,
      gone,
      log: (partner, story) => ops.deliveryLog(partner, story),
      canonicalExpected: expectedCanonical(published),
      canonical,
    });

    // Pictures: delivered versions that carry one must carry its stored renditions, and they load.
    const withPictures = endpoints.flatMap((e) => e.receipts).filter((r) => r.pictures > 0 && !r.uri.includes(':lang:'));
    const hrefs = [...new Set(withPictures.flatMap((r) => r.renditions))].slice(0, 10);
    const loads = await Promise.all(hrefs.map((h) => fetch(h, { signal: AbortSignal.timeout(10_000) }).then((r) => r.ok && (r.headers.get('content-type') ?? '').startsWith('image/'), () => false)));

    const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, results.filter((r) => r.kind === k).length])) as Record<FaultKind, number>;
    const recoveryMsByKind: Partial<Record<FaultKind, number>> = {};
    for (const r of results) {
      const ms = r.recoveryMs ?? opts.recoveryCapMs;
      recoveryMsByKind[r.kind] = Math.max(recoveryMsByKind[r.kind] ?? 0, ms);
    }
    const report: ChaosReport = {
      trials: results.length,
      faults,
      published: published.length,
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
      pictures: { delivered: withPictures.length, withoutRenditions: withPictures.filter((r) => r.renditions.length === 0).length, fetched: loads.filter(Boolean).length, fetchFailed: loads.filter((ok) => !ok).length },
      recoveryMsByKind,
      unrecovered: results.filter((r) => r.recoveryMs === undefined).length,
      unexpectedExits: stack.unexpectedExits.length,
      stories: families,
      seed: opts.seed,
      durationMs: Date.now() - started,
      dir,
    };
    writeFileSync(
      join(dir, 'report.json'),
      `${JSON.stringify({ ...report, problems: ledger.problems, trialResults: results, answers: Object.fromEntries(endpoints.map((e) => [e.spec.id, e.answers])), unexpectedExitList: stack.unexpectedExits }, null, 2)}\n`,
    );
    writeFileSync(join(dir, 'answers.ndjson'), endpoints.flatMap((e) => e.journal.map((j) => JSON.stringify({ partner: e.spec.id, ...j }))).join('\n') + '\n');
    for (const line of ledger.problems) emit({ event: 'problem', line });
    const ok =
      report.lost === 0 &&
      report.outOfOrder === 0 &&
      report.afterKill === 0 &&
      report.unexpected === 0 &&
      report.canonical.missing === 0 &&
      report.canonical.repeated === 0 &&
      report.canonical.unexpected === 0;
    if (opts.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else io.stdout.write(summary(report, ok));
    return ok ? 0 : 1;
  } catch (err) {
    emit({ event: 'failed', error: (err as Error).stack ?? String(err) });
    io.stderr.write(`error WIRE_ERR_CHAOS: ${(err as Error).message}\n`);
    return 1;
  } finally {
    for (const [name, fn] of cleanups.reverse()) {
      await fn().catch((err: unknown) => emit({ event: 'cleanup-failed', step: name, error: (err as Error).message }));
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!opts.keep) {
      for (const sub of ['infra/kafka', 'infra/s3', 'redis']) rmSync(join(dir, sub), { recursive: true, force: true });
    }
    emit({ event: 'stopped', logs: join(dir, 'logs') });
  }
}

function summary(r: ChaosReport, ok: boolean): string {
  const lines = [
    `chaos (seed ${r.seed}): ${r.trials} trials — ${Object.entries(r.faults).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `published ${r.published} messages (${r.stories} stories); canonical versions ${r.canonical.versions}, missing ${r.canonical.missing}, repeated ${r.canonical.repeated}`,
    `deliveries owed ${r.expected}: delivered ${r.delivered}, dead-lettered ${r.deadLettered}, superseded ${r.superseded}, not sent to the gone partner ${r.skippedGone}, lost ${r.lost}`,
    `repeats (same webhook-id) ${r.repeats}; unexpected ${r.unexpected}; out of order ${r.outOfOrder}; after a kill ${r.afterKill}`,
    `longest recovery ${(r.maxRecoveryMs / 1000).toFixed(1)} s (${Object.entries(r.recoveryMsByKind).map(([k, ms]) => `${k} ${((ms ?? 0) / 1000).toFixed(1)} s`).join(', ')}); unrecovered ${r.unrecovered}; replicas that crashed on their own ${r.unexpectedExits}`,
    `pictures: ${r.pictures.delivered} deliveries with a picture, ${r.pictures.withoutRenditions} without renditions, ${r.pictures.fetched}/${r.pictures.fetched + r.pictures.fetchFailed} renditions loaded`,
    ok ? 'ledger holds' : 'LEDGER BROKEN (see the problem lines above and report.json)',
    `logs and report: ${r.dir}`,
  ];
  return `${lines.join('\n')}\n`;
}
