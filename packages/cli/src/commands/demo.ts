import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { deleteKeysMatching, freePort, resolveOptions } from '@wire/infra';
import { dirname, join } from 'node:path';
import { generateSecretsKey } from '@wire/secrets';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { StoryEvent, TopicConfigs, Topics } from '@wire/queues';
import { storyUri } from '@wire/schema';
import { tokenWeakness } from '@wire/config';
import type { CommandIO } from '../io';
import { REPO_ROOT, PIPELINE_SERVICES, Supervisor, serviceEntry, trapStopSignals } from '../supervisor';
import { DEMO_PARTNERS, FEED, readFeedItem, type FeedItem } from '../demo/feed';
import { startSamplePartner, type SamplePartner } from '../demo/sample-partner';
import { renderSummary, skippedTranslations, summarize, type ItemOutcome, type SkippedTranslation } from '../demo/summary';

const USAGE = `usage: wire demo [--ci] [--timeout SECONDS] [--port PORT]

Starts the local infrastructure (unless configured), every service, two sample partners (one takes
every story, one takes English copy translated into Spanish), publishes the bundled sample feed to
wire.raw and prints where each story went. Ctrl-C stops everything it started.

  --ci           exit after the summary (also when CI=true or stdin is not a terminal);
                 exit 1 if any sample story did not arrive where expected
  --timeout S    how long to wait for the pipeline (default 120)
  --port PORT    ops API / dashboard port (default PORT or 8080; a free one if taken)
  --isolated     topics and consumer groups of this run only (default with --ci)
  --shared-topics  the standard topics (wire.raw, stories.canonical, …) even with --ci
  --linger S     with --ci: keep everything running S seconds after the summary (or until
                 Ctrl-C/SIGTERM), e.g. for a browser test of the dashboard; the exit code is the same
`;

interface Options {
  ci: boolean;
  /** Topics and consumer groups of this run only (default in non-interactive mode). */
  isolated: boolean;
  timeoutMs: number;
  port: number | undefined;
  lingerMs: number;
}

function parseArgs(argv: string[], io: CommandIO): Options | string {
  const opts: Options = { ci: false, isolated: false, timeoutMs: 120_000, port: undefined, lingerMs: 0 };
  let isolated: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ci') opts.ci = true;
    else if (a === '--isolated') isolated = true;
    else if (a === '--shared-topics') isolated = false;
    else if (a === '--timeout' || a === '--port' || a === '--linger') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) return `${a}: expected a positive whole number, got "${argv[i] ?? ''}"`;
      if (a === '--timeout') opts.timeoutMs = n * 1000;
      else if (a === '--linger') opts.lingerMs = n * 1000;
      else opts.port = n;
    } else if (a === '--help' || a === '-h') return 'help';
    else return `unknown option "${a}"`;
  }
  const stdin = io.stdin as NodeJS.ReadStream;
  if (io.env.CI === 'true' || io.env.CI === '1' || !stdin.isTTY) opts.ci = true;
  opts.isolated = isolated ?? opts.ci;
  return opts;
}

/**
 * The key the demo's services seal partner secrets with: WIRE_SECRETS_KEY when set, else one
 * generated once and kept in the infra data folder (mode 600), so a restart against a Redis that
 * kept its data still opens them.
 */
async function demoSecretsKey(env: Record<string, string | undefined>): Promise<string> {
  if (env.WIRE_SECRETS_KEY) return env.WIRE_SECRETS_KEY;
  const file = join(resolveOptions({ env }).dir, 'secrets.key');
  const read = () => readFile(file, 'utf8').then((text) => text.trim());
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(file), { recursive: true });
  try {
    // `wx`: of two demos starting at once, the second reads the first one's key.
    await writeFile(file, `${generateSecretsKey()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return read();
}

type InfraHandle = { env: Record<string, string>; stop?: () => Promise<void>; started: string[] };

/**
 * Bring up the local real services with `ensureInfra()` from @wire/infra: whatever already
 * answers (a running `wire infra up`, configured addresses) is reused; what this call starts is
 * stopped again when the demo ends.
 */
async function bringUpInfra(env: Record<string, string | undefined>, say: (l: string) => void): Promise<InfraHandle> {
  const { ensureInfra, stopInfra } = await import('@wire/infra');
  say('infra: making sure Kafka, Redis, S3 and Apertium answer (the first run downloads Kafka and S3Proxy)…');
  const up = await ensureInfra({ env, log: (line) => say(`  ${line}`) });
  say(up.started.length > 0 ? `infra: started ${up.started.join(', ')} (stopped again when the demo ends)` : 'infra: everything was already running');
  return {
    env: up.env,
    started: up.started,
    stop: up.started.length > 0 ? async () => void (await stopInfra({ env, only: up.started })) : undefined,
  };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Create this run's topics (settings as `wire infra up` makes them); returns a cleanup that deletes them. */
async function createTopics(brokers: string, topics: Record<'raw' | 'canonical' | 'events' | 'dlq', string>, runId: string): Promise<() => Promise<void>> {
  const kafka = new Kafka({ clientId: `wire-demo-admin-${runId}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const configOf = (std: keyof typeof TopicConfigs) => Object.entries(TopicConfigs[std]).map(([name, value]) => ({ name, value }));
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.raw, numPartitions: 3, configEntries: configOf(Topics.raw) },
      { topic: topics.canonical, numPartitions: 3, configEntries: configOf(Topics.canonical) },
      { topic: topics.events, numPartitions: 3, configEntries: configOf(Topics.events) },
      { topic: topics.dlq, numPartitions: 1, configEntries: configOf(Topics.dlq) },
    ],
  });
  await admin.disconnect();
  return async () => {
    const a = kafka.admin();
    await a.connect();
    try {
      await a.deleteTopics({ topics: Object.values(topics) });
    } finally {
      await a.disconnect();
    }
  };
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
            await deleteKeysMatching(c, '*');
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
  const untrap = trapStopSignals(
    () => {
      interrupted = true;
      say('\nstopping everything the demo started…');
    },
    () => {
      io.stderr.write('demo: second signal, exiting now\n');
      process.exit(130);
    },
  );

  try {
    say(`wire demo (run ${runId})${opts.ci ? ' — non-interactive: exits after the summary' : ''}`);

    // 1. Infrastructure.
    const infra = await bringUpInfra(io.env, say).catch((err: Error) => {
      say(`infra: could not bring up the local services: ${err.message}`);
      return undefined;
    });
    if (!infra) return finish(1);
    if (infra.stop) cleanups.push(['infra', infra.stop]);
    const baseEnv: Record<string, string | undefined> = { ...io.env, ...infra.env };

    const redis = await claimRedisDb(baseEnv.REDIS_URL ?? 'redis://127.0.0.1:6379', runId);
    if (!redis) {
      say(`redis: no answer at ${baseEnv.REDIS_URL ?? 'redis://127.0.0.1:6379'} (or no free database 1–15) — the services cannot run`);
      return finish(1);
    }
    cleanups.push(['redis database', redis.release]);

    const opsToken = io.env.OPS_TOKEN && !tokenWeakness(io.env.OPS_TOKEN) ? io.env.OPS_TOKEN : randomBytes(24).toString('base64url');
    const wantPort = opts.port ?? (Number(io.env.PORT) || 8080);
    const port = (await portFree(wantPort)) ? wantPort : await freePort();
    if (port !== wantPort) say(`ops: port ${wantPort} is taken; using ${port}`);
    // Non-interactive runs get topics of their own, so a CI run sees exactly its own stories even
    // when other pipelines share the broker; interactive runs use the standard topic names.
    const topics = opts.isolated
      ? { raw: `${Topics.raw}.demo-${runId}`, canonical: `${Topics.canonical}.demo-${runId}`, events: `${Topics.events}.demo-${runId}`, dlq: `${Topics.dlq}.demo-${runId}` }
      : { raw: Topics.raw, canonical: Topics.canonical, events: Topics.events, dlq: Topics.dlq };
    const childEnv: Record<string, string | undefined> = {
      ...baseEnv,
      REDIS_URL: redis.url,
      OPS_TOKEN: opsToken,
      WIRE_SECRETS_KEY: await demoSecretsKey(baseEnv),
      PORT: String(port),
      WIRE_ALLOW_PRIVATE_HOSTS: '127.0.0.1,localhost,::1',
      LOG_LEVEL: io.env.LOG_LEVEL ?? 'info',
      // Health servers of the workers on free ports: the demo must not collide with other runs.
      INGEST_HEALTH_PORT: '0',
      WEBHOOKS_PORT: '0',
      TRANSLATOR_PORT: '0',
      INGEST_TRANSACTIONAL_ID: `ingest-demo-${runId}`,
      INGEST_RAW_TOPIC: topics.raw,
      INGEST_CANONICAL_TOPIC: topics.canonical,
      INGEST_EVENTS_TOPIC: topics.events,
      INGEST_DLQ_TOPIC: topics.dlq,
      INGEST_GROUP_ID: opts.isolated ? `ingest-demo-${runId}` : (io.env.INGEST_GROUP_ID ?? 'ingest'),
      OPS_EVENTS_TOPIC: topics.events,
      OPS_DLQ_TOPIC: topics.dlq,
      OPS_KAFKA_GROUP: opts.isolated ? `ops-demo-${runId}` : (io.env.OPS_KAFKA_GROUP ?? 'ops'),
      OPS_LAG_GROUPS: opts.isolated ? `ingest-demo-${runId},ops-demo-${runId}` : io.env.OPS_LAG_GROUPS,
    };
    say(`redis: using ${redis.url} (a fresh database for this run)`);
    if (opts.isolated) {
      const created = await createTopics(childEnv.KAFKA_BROKERS ?? '127.0.0.1:9092', topics, runId).catch((err: Error) => err);
      if (created instanceof Error) {
        say(`kafka: could not create the demo topics: ${created.message}`);
        return finish(1);
      }
      cleanups.push(['demo topics', created]);
      say(`kafka: topics of this run: ${Object.values(topics).join(', ')}`);
    }

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
    for (const name of PIPELINE_SERVICES) {
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
      // Stop waiting at once if ops exits (a config error, a port taken): its log says why.
      opsReady =
        (await waitFor(async () => (interrupted || supervisor.gone.some((g) => g.name === 'ops') ? false : (await fetch(`${opsUrl}/healthz`)).ok ? true : undefined), 150_000)) === true;
      if (!interrupted) say(opsReady ? `ops: up at ${opsUrl}` : `ops: did not answer ${opsUrl}/healthz within 150 s (see ${logDir}/ops.log)`);
    }
    if (interrupted) return finish(130);

    // 4. Register the partners through the ops API.
    let registered = 0;
    if (opsReady) {
      for (const p of partners) {
        const body =
          p.id === DEMO_PARTNERS.spanish
            ? { id: p.id, name: 'Demo partner (Spanish)', url: p.url, filters: { languages: ['es'] }, translateTo: ['es'] }
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
    // Translations no provider makes, as ops lists them: the summary shows "no translator for sv→es".
    let skipped: SkippedTranslation[] = [];
    const readSkipped = async (): Promise<SkippedTranslation[]> => {
      const res = opsReady ? await fetch(`${opsUrl}/api/deliveries?status=skipped&limit=1000`, { headers: { authorization: `Bearer ${opsToken}` } }).catch(() => undefined) : undefined;
      if (res?.ok) skipped = skippedTranslations(((await res.json()) as { deliveries?: unknown[] }).deliveries ?? []);
      return skipped;
    };
    if (!kafkaUp) {
      say(`kafka: no answer at ${childEnv.KAFKA_BROKERS ?? '127.0.0.1:9092'} — cannot publish the sample feed`);
      missing.push('Kafka (publish the sample feed)');
    } else {
      cleanups.push(['kafka producer', () => producer.disconnect()]);
      const consumer: Consumer = kafka.consumer({ groupId: `wire-demo-${runId}` });
      cleanups.push(['kafka consumer', () => consumer.disconnect()]);
      const startedAt = new Date();
      await consumer.connect();
      await consumer.subscribe({ topic: topics.events, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          const parsedEvent = StoryEvent.safeParse(JSON.parse(message.value.toString('utf8')));
          if (!parsedEvent.success || new Date(parsedEvent.data.at) < startedAt) return;
          attachEvent(outcomes, parsedEvent.data, say);
        },
      });
      say(`publishing ${FEED.length} sample items to ${topics.raw}…`);
      for (const [i, o] of outcomes.entries()) {
        if (interrupted) break;
        const prev = outcomes[i - 1];
        if (prev && prev.item.envelope.guid !== undefined && prev.item.envelope.guid === o.item.envelope.guid) {
          // A re-send, update or kill follows the version before it only once that one has reached
          // the partners: otherwise a fast kill overtakes the update, and the update is (rightly)
          // skipped as stale at every partner.
          await waitFor(async () => (interrupted || summarize([prev], partners, await readSkipped()).ok ? true : undefined), 30_000, 200);
        }
        const receivedAt = new Date(startedAt.getTime() + i).toISOString();
        const envelope = withRunGuid(o.item, runId);
        o.guid = envelope.guid;
        o.receivedAt = receivedAt;
        const value = JSON.stringify({ ...envelope, receivedAt, payload: readFeedItem(o.item), payloadEncoding: 'utf8', headers: { 'x-wire-demo': runId } });
        await producer.send({ topic: topics.raw, messages: [{ key: `${envelope.source}:${envelope.guid}`, value }] });
        o.published = true;
        say(`  published ${String(i + 1).padStart(2)}/${FEED.length} ${o.item.label}`);
      }
      if (!missing.some((m) => m.startsWith('services/'))) say('waiting for the pipeline (Ctrl-C to stop)…');
      await waitFor(async () => (interrupted || summarize(outcomes, partners, await readSkipped()).done ? true : undefined), running.includes('ingest') ? opts.timeoutMs : 5000, 500);
      // Let late extras (translations nobody waits for, kills of variants) land before the table.
      let last = -1;
      await waitFor(async () => {
        const n = partners.reduce((sum, p) => sum + p.receipts.length, 0);
        const settled = n === last;
        last = n;
        return interrupted || settled ? true : undefined;
      }, 20_000, 2000);
    }

    // 6. Summary.
    const summary = summarize(outcomes, partners, await readSkipped());
    say('');
    say(renderSummary(summary));
    if (missing.length > 0) {
      say('\nnot built yet / not available:');
      for (const m of missing) say(`  - ${m}`);
    }
    say('');
    if (opsReady) {
      say(`dashboard:  ${opsUrl}/#token=${opsToken}`);
      say(`stream:     npm run wire -- tail ${topics?.canonical ?? Topics.canonical}`);
      say(`queue UI:   ${opsUrl}/ui/queues  (open the dashboard first: it signs the browser in)`);
      say(`ops API:    curl -H 'Authorization: Bearer ${opsToken}' ${opsUrl}/api/stories`);
      say(`OPS_TOKEN=${opsToken}`);
    }
    const ok = summary.ok && missing.length === 0;
    if (opts.ci || interrupted) {
      say(ok ? 'demo: every sample story arrived where expected' : 'demo: some sample stories did not arrive where expected (see above)');
      if (opts.lingerMs > 0 && !interrupted) {
        say(`demo: still running for ${opts.lingerMs / 1000} s (Ctrl-C stops now)`);
        await waitFor(async () => (interrupted ? true : undefined), opts.lingerMs, 200);
      }
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
    untrap();
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
