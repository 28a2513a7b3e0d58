import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { StoryEvent, Topics } from '@wire/queues';
import { storyUri } from '@wire/schema';
import type { CommandIO } from '../io';
import { REPO_ROOT, SERVICE_NAMES, Supervisor, serviceEntry } from '../supervisor';
import { DEMO_PARTNERS, FEED, readFeedItem, type FeedItem } from '../demo/feed';
import { startSamplePartner, type SamplePartner } from '../demo/sample-partner';
import { renderSummary, summarize, type ItemOutcome } from '../demo/summary';

const USAGE = `usage: wire demo [--ci] [--timeout SECONDS] [--port PORT]

Starts the local infrastructure (unless configured), every service, two sample partners (one takes
every story, one takes English copy translated into Spanish), publishes the bundled sample feed to
wire.raw and prints where each story went. Ctrl-C stops everything it started.

  --ci           exit after the summary (also when CI=true or stdin is not a terminal);
                 exit 1 if any sample story did not arrive where expected
  --timeout S    how long to wait for the pipeline (default 120)
  --port PORT    ops API / dashboard port (default PORT or 8080)
`;

interface Options {
  ci: boolean;
  timeoutMs: number;
  port: number | undefined;
}

function parseArgs(argv: string[], io: CommandIO): Options | string {
  const opts: Options = { ci: false, timeoutMs: 120_000, port: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ci') opts.ci = true;
    else if (a === '--timeout' || a === '--port') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) return `${a}: expected a positive whole number, got "${argv[i] ?? ''}"`;
      if (a === '--timeout') opts.timeoutMs = n * 1000;
      else opts.port = n;
    } else if (a === '--help' || a === '-h') return 'help';
    else return `unknown option "${a}"`;
  }
  const stdin = io.stdin as NodeJS.ReadStream;
  if (io.env.CI === 'true' || io.env.CI === '1' || !stdin.isTTY) opts.ci = true;
  return opts;
}

type InfraHandle = { env: Record<string, string>; stop?: () => Promise<void>; note?: string };

/**
 * Bring up the local real services through `ensureInfra()` from @wire/infra when it exists;
 * otherwise use what the environment (or the defaults) point at, and say so.
 */
async function bringUpInfra(env: Record<string, string | undefined>, say: (l: string) => void): Promise<InfraHandle> {
  const mod = (await import('@wire/infra')) as Record<string, unknown>;
  const ensure = mod.ensureInfra as undefined | ((opts?: unknown) => Promise<unknown>);
  if (typeof ensure !== 'function') {
    return { env: {}, note: 'infra: `wire infra up` is not built yet (@wire/infra has no ensureInfra); using KAFKA_BROKERS/REDIS_URL/S3_ENDPOINT or their defaults' };
  }
  say('infra: ensuring Kafka, Redis, S3 and Apertium are up (first run downloads them; see progress above)…');
  const res = (await ensure({ env, log: say })) as Record<string, unknown> | undefined;
  const infraEnv = (res?.env ?? {}) as Record<string, string>;
  const stop = typeof res?.stop === 'function' ? (res.stop as () => Promise<void>).bind(res) : undefined;
  return { env: infraEnv, stop };
}

async function waitFor<T>(what: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await what().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return undefined;
}

/**
 * A Redis database of our own for this demo run (1–15, empty when we claim it), so the dedupe
 * index, partner registry and queues start fresh: a second demo run decides "new" again instead
 * of "duplicate of the first run". Returns the URL with the database index, and a cleanup that
 * deletes the keys of that database we own.
 */
async function claimRedisDb(baseUrl: string, runId: string): Promise<{ url: string; release: () => Promise<void> } | undefined> {
  for (let db = 15; db >= 1; db--) {
    const u = new URL(baseUrl);
    u.pathname = `/${db}`;
    const r = new Redis(u.toString(), { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    try {
      await r.connect();
      if ((await r.dbsize()) !== 0) continue;
      const claimed = await r.set('wire-demo:claim', runId, 'EX', 6 * 3600, 'NX');
      if (claimed !== 'OK') continue;
      return {
        url: u.toString(),
        release: async () => {
          const c = new Redis(u.toString(), { maxRetriesPerRequest: 1 });
          try {
            if ((await c.get('wire-demo:claim')) !== runId) return;
            let cursor = '0';
            do {
              const [next, keys] = await c.scan(cursor, 'COUNT', 1000);
              cursor = next;
              if (keys.length > 0) await c.unlink(...keys);
            } while (cursor !== '0');
          } finally {
            c.disconnect();
          }
        },
      };
    } catch {
      return undefined;
    } finally {
      r.disconnect();
    }
  }
  return undefined;
}

/** Run `wire demo`. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseArgs(argv, io);
  if (parsed === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (typeof parsed === 'string') {
    io.stderr.write(`error WIRE_ERR_USAGE: ${parsed}\n${USAGE}`);
    return 2;
  }
  const opts = parsed;
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const runId = randomBytes(4).toString('hex');
  const cleanups: Array<[string, () => Promise<void>]> = [];
  const missing: string[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const [name, fn] of cleanups.reverse()) {
        await fn().catch((err: Error) => io.stderr.write(`demo: stopping ${name} failed: ${err.message}\n`));
      }
    })());

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      io.stderr.write('demo: second signal, exiting now\n');
      process.exit(130);
    }
    interrupted = true;
    say('\nstopping everything the demo started…');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say(`wire demo (run ${runId})${opts.ci ? ' — non-interactive: exits after the summary' : ''}`);

    // 1. Infrastructure.
    const infra = await bringUpInfra(io.env, say);
    if (infra.note) {
      say(infra.note);
      missing.push('infra up (ensureInfra)');
    }
    if (infra.stop) cleanups.push(['infra', infra.stop]);
    const baseEnv: Record<string, string | undefined> = { ...io.env, ...infra.env };

    const redis = await claimRedisDb(baseEnv.REDIS_URL ?? 'redis://127.0.0.1:6379', runId);
    if (!redis) {
      say(`redis: no answer at ${baseEnv.REDIS_URL ?? 'redis://127.0.0.1:6379'} (or no free database 1–15) — the services cannot run`);
      return finish(1);
    }
    cleanups.push(['redis database', redis.release]);

    const opsToken = io.env.OPS_TOKEN || randomBytes(24).toString('base64url');
    const port = opts.port ?? (Number(io.env.PORT) || 8080);
    const childEnv: Record<string, string | undefined> = {
      ...baseEnv,
      REDIS_URL: redis.url,
      OPS_TOKEN: opsToken,
      PORT: String(port),
      WIRE_ALLOW_PRIVATE_HOSTS: '127.0.0.1,localhost,::1',
      LOG_LEVEL: io.env.LOG_LEVEL ?? 'info',
    };
    say(`redis: using ${redis.url} (a fresh database for this run)`);

    // 2. Sample partners (in this process, so the summary can see what they received).
    const partners: SamplePartner[] = [];
    for (const id of [DEMO_PARTNERS.all, DEMO_PARTNERS.spanish]) {
      const p = await startSamplePartner(id, say);
      partners.push(p);
      cleanups.push([`partner ${id}`, p.close]);
      say(`partner ${id}: listening on ${p.url}`);
    }

    // 3. Services.
    const logDir = join(REPO_ROOT, '.wire', 'demo', runId);
    const supervisor = new Supervisor({ env: childEnv, report: say, logDir, restart: false });
    cleanups.push(['services', () => supervisor.stopAll()]);
    const running: string[] = [];
    for (const name of SERVICE_NAMES) {
      const entry = serviceEntry(name);
      if (!entry) {
        missing.push(`services/${name} (no src/main.ts yet)`);
        say(`service ${name}: not built yet (services/${name}/src/main.ts is missing)`);
        continue;
      }
      supervisor.start(name, entry);
      running.push(name);
    }
    say(`service logs: ${logDir}/<service>.log`);

    const opsUrl = `http://127.0.0.1:${port}`;
    let opsReady = false;
    if (running.includes('ops')) {
      opsReady = (await waitFor(async () => ((await fetch(`${opsUrl}/healthz`)).ok ? true : undefined), 60_000)) === true;
      say(opsReady ? `ops: up at ${opsUrl}` : `ops: did not answer ${opsUrl}/healthz within 60 s (see ${logDir}/ops.log)`);
    }

    // 4. Register the partners through the ops API.
    let registered = 0;
    if (opsReady) {
      for (const p of partners) {
        const body =
          p.id === DEMO_PARTNERS.spanish
            ? { id: p.id, name: 'Demo partner (Spanish)', url: p.url, filters: { languages: ['en', 'es'] }, translateTo: ['es'] }
            : { id: p.id, name: 'Demo partner (all stories)', url: p.url };
        const res = await fetch(`${opsUrl}/api/partners`, {
          method: 'POST',
          headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).catch((err: Error) => err);
        if (res instanceof Error || res.status !== 201) {
          const why = res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
          say(`partner ${p.id}: registration failed: ${why}`);
          continue;
        }
        const created = (await res.json()) as { secret?: string };
        if (created.secret) p.setSecret(created.secret);
        registered++;
        say(`partner ${p.id}: registered through POST /api/partners (secret shown once, kept by the partner)`);
      }
    }
    if (registered < partners.length) missing.push('partner registration through the ops API');

    // 5. Publish the sample feed and watch stories.events.
    const kafka = new Kafka({
      clientId: `wire-demo-${runId}`,
      brokers: (childEnv.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((s) => s.trim()),
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 300 },
      connectionTimeout: 3000,
    });
    const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
    const kafkaUp = await producer
      .connect()
      .then(() => true)
      .catch(() => false);
    const outcomes: ItemOutcome[] = FEED.map((item) => ({ item, published: false, events: [] }));
    if (!kafkaUp) {
      say(`kafka: no answer at ${childEnv.KAFKA_BROKERS ?? '127.0.0.1:9092'} — cannot publish the sample feed`);
      missing.push('Kafka (publish the sample feed)');
    } else {
      cleanups.push(['kafka producer', () => producer.disconnect()]);
      const consumer: Consumer = kafka.consumer({ groupId: `wire-demo-${runId}` });
      cleanups.push(['kafka consumer', () => consumer.disconnect()]);
      const startedAt = new Date();
      await consumer.connect();
      await consumer.subscribe({ topic: Topics.events, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          const parsedEvent = StoryEvent.safeParse(JSON.parse(message.value.toString('utf8')));
          if (!parsedEvent.success || new Date(parsedEvent.data.at) < startedAt) return;
          attachEvent(outcomes, parsedEvent.data, say);
        },
      });
      say(`publishing ${FEED.length} sample items to ${Topics.raw}…`);
      for (const [i, o] of outcomes.entries()) {
        if (interrupted) break;
        const receivedAt = new Date(startedAt.getTime() + i).toISOString();
        const envelope = withRunGuid(o.item, runId);
        o.guid = envelope.guid;
        o.receivedAt = receivedAt;
        const value = JSON.stringify({ ...envelope, receivedAt, payload: readFeedItem(o.item), payloadEncoding: 'utf8', headers: { 'x-wire-demo': runId } });
        await producer.send({ topic: Topics.raw, messages: [{ key: `${envelope.source}:${envelope.guid}`, value }] });
        o.published = true;
        say(`  published ${String(i + 1).padStart(2)}/${FEED.length} ${o.item.label}`);
        // Re-sends, updates and kills are meaningful only after the story they follow.
        await new Promise((r) => setTimeout(r, 300));
      }
      if (!missing.some((m) => m.startsWith('services/'))) say('waiting for the pipeline (Ctrl-C to stop)…');
      await waitFor(async () => (interrupted || summarize(outcomes, partners).done ? true : undefined), running.includes('ingest') ? opts.timeoutMs : 5000, 500);
    }

    // 6. Summary.
    const summary = summarize(outcomes, partners);
    say('');
    say(renderSummary(summary));
    if (missing.length > 0) {
      say('\nnot built yet / not available:');
      for (const m of missing) say(`  - ${m}`);
    }
    say('');
    if (opsReady) {
      say(`dashboard:  ${opsUrl}/`);
      say(`queue UI:   ${opsUrl}/ui/queues  (Authorization: Bearer ${opsToken})`);
      say(`ops API:    curl -H 'Authorization: Bearer ${opsToken}' ${opsUrl}/api/stories`);
      say(`OPS_TOKEN=${opsToken}`);
    }
    const ok = summary.ok && missing.length === 0;
    if (opts.ci || interrupted) {
      say(ok ? 'demo: every sample story arrived where expected' : 'demo: some sample stories did not arrive where expected (see above)');
      return finish(ok ? 0 : 1);
    }
    say('\nrunning — press Ctrl-C to stop everything the demo started');
    supervisor.onChildGone((name) => say(`demo: service ${name} stopped unexpectedly (see ${logDir}/${name}.log)`));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (interrupted) {
          clearInterval(t);
          resolve();
        }
      }, 200);
    });
    return finish(0);
  } catch (err) {
    io.stderr.write(`error WIRE_ERR_DEMO: ${(err as Error).stack ?? String(err)}\n`);
    return finish(1);
  }

  async function finish(code: number): Promise<number> {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    say('demo: stopped');
    return code;
  }
}

/** The item's envelope with a guid unique to this run (re-sends, updates and kills share the seed's). */
function withRunGuid(item: FeedItem, runId: string): FeedItem['envelope'] & { guid: string } {
  const base = item.envelope.guid ?? item.file.replace(/\.[a-z]+$/, '');
  return { ...item.envelope, guid: `${base}-${runId}` };
}

/** Match an event from stories.events to the feed item it came from. */
function attachEvent(outcomes: ItemOutcome[], ev: StoryEvent, say: (l: string) => void): void {
  const byReceived = ev.receivedAt ? outcomes.find((o) => o.receivedAt === ev.receivedAt) : undefined;
  const byUri =
    byReceived ??
    outcomes.find((o) => o.published && o.guid && o.events.length === 0 && storyUri(o.item.envelope.source, o.guid) === ev.uri && (o.item.envelope.version ?? 1) === ev.version);
  if (!byUri) return;
  byUri.events.push(ev);
  say(`  ${ev.type.padEnd(16)} ${byUri.item.label} → ${ev.decision.kind}${ev.decision.of ? ` of ${ev.decision.of.uri} v${ev.decision.of.version}` : ''}`);
}
