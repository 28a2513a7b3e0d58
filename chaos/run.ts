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
import { setTimeout as sleep } from 'node:timers/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queues } from '@wire/queues';
import { parseCommandArgs } from '../packages/cli/src/args';
import type { CommandIO } from '../packages/cli/src/io';
import { REPO_ROOT, trapStopSignals } from '../packages/cli/src/supervisor';
import { startImageServer } from './images';
import { ingestLag, kafkaClient, WirePublisher } from './kafka';
import { OpsClient } from './ops-client';
import { reapOrphans } from './orphans';
import { ArrivalClock, PartnerEndpoint } from './partners';
import { FAULT_KINDS, PARTNERS, planTrials, type FaultKind } from './plan';
import { buildReport, ledgerHolds, ledgerOf, picturesOf, summary, writeRunFiles } from './report';
import { ChaosStack } from './stack';
import { WireStream } from './stream';
import { inject, recovery, type TrialResult } from './trials';

export type { ChaosReport } from './report';

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
  const untrap = trapStopSignals(
    (signal) => {
      interrupted = true;
      emit({ event: 'interrupted', signal, note: 'stopping everything this run started' });
    },
    (signal) => emit({ event: 'interrupted', signal, note: 'still stopping what this run started (by PID); it takes up to 20 s per replica' }),
  );
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
    const stream = new WireStream({
      seed: opts.seed,
      rate: opts.rate,
      minStories: opts.stories,
      partitions: PARTITIONS,
      maxBacklog: MAX_BACKLOG,
      publisher,
      imageUrl: images.url,
      emit,
      stopped: () => interrupted,
    });
    const publishing = stream.run();

    // Progress: counts and rates every 5 s; the backlog every 2 s (back-pressure).
    const queued = () => stack.queued();
    const watch = setInterval(() => {
      void queued().then((q) => {
        if (q) stream.setBacklog((q[Queues.deliver] ?? 0) + (q[Queues.translate] ?? 0));
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
          stories: stream.families,
          published: stream.published.length,
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
      emit({ event: 'fault', trial: trialNo, ...trial.fault });
      const scope = trial.fault.kind === 'partnerOutage' ? [byId.get(trial.fault.partner)!] : endpoints;
      const { at, over } = await inject(trial.fault, stack, byId);
      const recovered = recovery(at, scope, stream.publishedAt, opts.recoveryCapMs, () => interrupted);
      await over;
      const recoveryMs = await recovered;
      results.push({ trial: trialNo, kind: trial.fault.kind, fault: trial.fault, at, recoveryMs });
      emit({ event: 'recovered', trial: trialNo, kind: trial.fault.kind, recoveryMs: recoveryMs ?? null, faultOverMs: Date.now() - at });
    }
    stream.end();
    await publishing;
    if (interrupted) return 130;

    // Settle: ingest caught up and no delivery, translation or media retry left to run.
    emit({ event: 'settle', stories: stream.families, published: stream.published.length });
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
    const ledger = await ledgerOf(endpoints, ops, kafka, stream.published, `chaos-reader-${started}`);
    const report = buildReport(ledger, results, {
      published: stream.published.length,
      stories: stream.families,
      pictures: await picturesOf(endpoints),
      unexpectedExits: stack.unexpectedExits.length,
      seed: opts.seed,
      startedAt: started,
      dir,
      recoveryCapMs: opts.recoveryCapMs,
    });
    writeRunFiles(dir, report, ledger, results, endpoints, { unexpectedExits: stack.unexpectedExits, publishRetries });
    for (const line of ledger.problems) emit({ event: 'problem', line });
    io.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : summary(report));
    return ledgerHolds(report) ? 0 : 1;
  } catch (err) {
    emit({ event: 'failed', error: (err as Error).stack ?? String(err) });
    io.stderr.write(`error WIRE_ERR_CHAOS: ${(err as Error).message}\n`);
    return 1;
  } finally {
    for (const [name, fn] of cleanups.reverse()) {
      await fn().catch((err: unknown) => emit({ event: 'cleanup-failed', step: name, error: (err as Error).message }));
    }
    untrap();
    if (!opts.keep) {
      for (const sub of ['infra/kafka', 'infra/s3', 'redis']) rmSync(join(dir, sub), { recursive: true, force: true });
    }
    emit({ event: 'stopped', logs: join(dir, 'logs') });
  }
}
