/**
 * `wire bench webhooks [--json] [--size N] [--partners P] [--rate R] [--seconds S]`
 *
 * Deliveries per second to P local partners (default 20) through the whole queue path — routing
 * → BullMQ `deliver` → per-partner gate → signing → undici → partner 2xx → register, log — beside
 * raw undici POSTs of the same signed body to the same receivers in the same run. Then p99
 * enqueue→2xx latency at a fixed offered load (default 2,000/s for 5 s).
 * Receivers run in a worker thread (their own event loop), answer 204 at once; delivery workers
 * run in `--workers N` threads (default 1; more threads only pay off with idle cores).
 * Last, the same jobs through a no-op BullMQ worker with the same queue settings: the ceiling of
 * one BullMQ job per delivery on this machine. Each phase also prints CPU per delivery (this
 * process, all threads; and Redis, all its clients), which moves less than rates when other work
 * shares the cores.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker as Thread } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Pool } from 'undici';
import { toNinjs } from '@wire/normalize';
import { DELIVER_BATCH_MAX, enqueueRoutes, planRoutes, PartnerRegistry, RecipientsRegister, type Partner } from '@wire/routing';
import { generateSecretsKey, SecretBox } from '@wire/secrets';
import { CanonicalStory, Decision } from '@wire/schema';
import { spawnTsThread } from '@wire/svc-ingest';
import { webhookHeaders } from '@wire/webhooks/signing';
import type { CommandIO } from '../packages/cli/src/io';
import { flag, percentile, redisCpuMicros } from './args';
import { deleteKeysMatching } from '@wire/infra';

const RECEIVERS = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
let count = 0;
const ports = [];
let started = 0;
for (let i = 0; i < workerData.partners; i++) {
  const s = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => { count++; res.writeHead(204).end(); });
  });
  s.keepAliveTimeout = 60000;
  s.listen(0, '127.0.0.1', () => {
    ports[i] = s.address().port;
    if (++started === workerData.partners) parentPort.postMessage({ ports });
  });
}
parentPort.on('message', (m) => { if (m === 'count') parentPort.postMessage({ count }); if (m === 'exit') process.exit(0); });
`;

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const json = argv.includes('--json');
  const total = flag(argv, 'size', 40_000);
  const partnersN = flag(argv, 'partners', 20);
  const offered = flag(argv, 'rate', 2_000);
  const seconds = flag(argv, 'seconds', 5);
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const redisUrl = io.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `wire-bench-wh-${process.pid}-${Date.now().toString(36)}:`;
  const queueName = `bench-deliver-${process.pid}-${Date.now().toString(36)}`;

  const receivers = new Thread(RECEIVERS, { eval: true, workerData: { partners: partnersN } });
  const ports = await new Promise<number[]>((resolve) => receivers.once('message', (m: { ports: number[] }) => resolve(m.ports)));
  const received = () =>
    new Promise<number>((resolve) => {
      receivers.once('message', (m: { count: number }) => resolve(m.count));
      receivers.postMessage('count');
    });
  say(`receivers: ${partnersN} partners on 127.0.0.1`);

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  // CPU per delivery: this process (every thread: enqueue, workers, receivers) and Redis (all its clients).
  const redisCpu = () => redisCpuMicros(redis);
  const cpuMeter = async () => {
    const node0 = process.cpuUsage();
    const redis0 = await redisCpu();
    return async (n: number) => {
      const node = process.cpuUsage(node0);
      return { nodeUs: Math.round((node.user + node.system) / n), redisUs: Math.round(((await redisCpu()) - redis0) / n) };
    };
  };
  // A key of this run only: the delivery threads open the partner secrets with it.
  const secretsKey = generateSecretsKey();
  const registry = new PartnerRegistry(redis, { prefix, cacheMs: 1_000, secretBox: new SecretBox({ key: Buffer.from(secretsKey, 'base64') }) });
  const recipients = new RecipientsRegister(redis, { prefix });
  const partners: Partner[] = [];
  for (let i = 0; i < partnersN; i++) {
    partners.push(await registry.create({ id: `p${i}`, name: `Partner ${i}`, url: `http://127.0.0.1:${ports[i]}/hook` }));
  }
  const storyFor = (n: number) =>
    CanonicalStory.parse({
      uri: `urn:wire:bench:${prefix}${n}`,
      source: 'bench',
      guid: String(n),
      version: 1,
      language: 'en',
      headline: `Bench story ${n}: Seoul shares close higher on chip rally`,
      body: ['Seoul shares closed higher on Thursday, led by chipmakers.', 'The KOSPI rose 1.2 percent.'],
      bodyHtml: '<p>Seoul shares closed higher on Thursday, led by chipmakers.</p><p>The KOSPI rose 1.2 percent.</p>',
      versionCreated: new Date().toISOString(),
      contentHash: `h${n}`,
      wordCount: 18,
    });

  // 1. Raw baseline: the same signed body POSTed with undici, same receivers, same connection count.
  const sampleBody = JSON.stringify({ type: 'story.published', timestamp: new Date().toISOString(), data: toNinjs(storyFor(0)) });
  const pools = ports.map((p) => new Pool(`http://127.0.0.1:${p}`, { connections: 16, pipelining: 1 }));
  const rawN = total;
  let next = 0;
  const rawCpuMeter = await cpuMeter();
  const rawStart = performance.now();
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < rawN) {
        const i = next++;
        const p = partners[i % partnersN]!;
        const h = webhookHeaders([p.secrets[0]!.secret], { id: `msg_raw${i}`, timestamp: Math.floor(Date.now() / 1000), payload: sampleBody });
        if (!h.ok) throw h.error;
        const res = await pools[i % partnersN]!.request({ method: 'POST', path: '/hook', headers: h.value, body: sampleBody });
        await res.body.dump();
      }
    }),
  );
  const rawPostsPerSec = rawN / ((performance.now() - rawStart) / 1000);
  const rawCpu = await rawCpuMeter(rawN);
  await Promise.all(pools.map((p) => p.close()));
  say(`raw undici POSTs: ${rawN} in ${((performance.now() - rawStart) / 1000).toFixed(2)} s → ${Math.round(rawPostsPerSec)}/s; CPU per POST: ${rawCpu.nodeUs} µs node (client and receivers)`);

  // 2. Throughput through the queue path: N delivery workers in threads, sharing Redis as the service scales out.
  const workersN = flag(argv, 'workers', 1);
  // Deliveries per batch job routing may give one partner (1 = one job per delivery).
  const batchMax = flag(argv, 'batch', DELIVER_BATCH_MAX);
  const config = {
    queueName,
    concurrency: flag(argv, 'concurrency', 100),
    partnerConcurrency: 64,
    partnerRatePerSec: 0,
    connectionsPerOrigin: 16,
    allowPrivateHosts: ['127.0.0.1'],
  };
  const threads: Thread[] = [];
  const latencies: number[] = [];
  let completed = 0;
  const startThreads = async (n: number, workerConfig: typeof config, noop: boolean): Promise<Thread[]> => {
    const started: Thread[] = [];
    for (let i = 0; i < n; i++) {
      const { worker: t, ready } = spawnTsThread(new URL('./webhooks-thread.ts', import.meta.url), {
        name: `bench-deliver-${i}`,
        workerData: { redisUrl, prefix, config: workerConfig, noop, secretsKey },
      });
      t.on('message', (m: { completed?: number; latencies?: number[] }) => {
        completed += m.completed ?? 0;
        if (m.latencies) for (const l of m.latencies) latencies.push(l);
      });
      await ready;
      started.push(t);
    }
    return started;
  };
  const stopThreads = (list: Thread[]) =>
    Promise.all(
      list.map(
        (t) =>
          new Promise<void>((resolve) => {
            t.once('exit', () => resolve());
            t.postMessage('close');
          }),
      ),
    );
  threads.push(...(await startThreads(workersN, config, false)));
  say(`delivery workers: ${workersN} thread(s), concurrency ${config.concurrency} each`);
  const producer = new Queue(queueName, { connection: redis });
  const decision = Decision.parse({ kind: 'new' });
  const stories = Math.ceil(total / partnersN);
  let storyN = 1;
  // Enqueue in batches of 50 stories (1,000 jobs) while the workers run; wait for every delivery.
  const enqueueAndDrain = async (queue: Queue, label: string, batchMax: number): Promise<{ jobs: number; elapsed: number }> => {
    completed = 0;
    const start = performance.now();
    let lastReport = start;
    for (let s = 0; s < stories; s += 50) {
      const deliver = [];
      for (let k = s; k < Math.min(stories, s + 50); k++) deliver.push(...planRoutes(storyFor(storyN++), decision, partners, { receivedAt: new Date().toISOString() }).deliver);
      await enqueueRoutes({ deliverQueue: queue, recipients, batchMax }, { deliver, translate: [] });
    }
    const jobs = stories * partnersN;
    say(`${label}: enqueued ${jobs} deliver jobs in ${((performance.now() - start) / 1000).toFixed(2)} s`);
    while (completed < jobs) {
      await sleep(50);
      if (performance.now() - lastReport > 1000) {
        lastReport = performance.now();
        say(`  … ${completed}/${jobs} done`);
      }
    }
    return { jobs, elapsed: (performance.now() - start) / 1000 };
  };
  const before = await received();
  const queueCpu = await cpuMeter();
  const { jobs, elapsed } = await enqueueAndDrain(producer, 'queue path', batchMax);
  const deliveriesPerSec = jobs / elapsed;
  const got = (await received()) - before;
  const cpu = await queueCpu(jobs);
  say(`queue path: ${jobs} deliveries in ${elapsed.toFixed(2)} s → ${Math.round(deliveriesPerSec)}/s (receivers counted ${got}); CPU per delivery: ${cpu.nodeUs} µs node (all threads), ${cpu.redisUs} µs Redis`);

  // 3. Latency at a fixed offered load.
  for (const t of threads) t.postMessage('measure');
  await sleep(150);
  latencies.length = 0;
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((offered * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  const latStart = performance.now();
  let sent = 0;
  completed = 0;
  for (let t = 0; t < ticks; t++) {
    const due = latStart + t * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const deliver = [];
    while (deliver.length < perTick) deliver.push(...planRoutes(storyFor(storyN++), decision, partners, { receivedAt: new Date().toISOString() }).deliver);
    const batch = deliver.slice(0, perTick);
    sent += batch.length;
    void enqueueRoutes({ deliverQueue: producer, recipients, batchMax }, { deliver: batch, translate: [] });
  }
  while (completed < sent) await sleep(20);
  const sorted = latencies.sort((a, b) => a - b);
  const p50Ms = percentile(sorted, 50);
  const p99Ms = percentile(sorted, 99);
  say(`offered ${offered}/s for ${seconds} s: ${sent} deliveries, enqueue→2xx p50 ${p50Ms} ms, p99 ${p99Ms} ms`);

  // 4. The ceiling of one BullMQ job per delivery: the same jobs, queue settings, worker count and
  // concurrency, but a processor that returns at once (no gate, no HTTP, no log).
  await stopThreads(threads);
  const noopQueueName = `${queueName}-noop`;
  const noopThreads = await startThreads(workersN, { ...config, queueName: noopQueueName }, true);
  const noopProducer = new Queue(noopQueueName, { connection: redis });
  const noopCpuMeter = await cpuMeter();
  const noop = await enqueueAndDrain(noopProducer, 'no-op BullMQ worker', 1);
  const noopWorkerPerSec = noop.jobs / noop.elapsed;
  const noopCpu = await noopCpuMeter(noop.jobs);
  say(`no-op BullMQ worker (same queue settings): ${noop.jobs} jobs in ${noop.elapsed.toFixed(2)} s → ${Math.round(noopWorkerPerSec)}/s; CPU per job: ${noopCpu.nodeUs} µs node, ${noopCpu.redisUs} µs Redis`);
  await stopThreads(noopThreads);
  await noopProducer.obliterate({ force: true }).catch(() => undefined);
  await noopProducer.close();

  const ratio = deliveriesPerSec / rawPostsPerSec;
  io.stdout.write(
    `webhooks: ${Math.round(deliveriesPerSec)} deliveries/s through the queue path vs ${Math.round(rawPostsPerSec)} raw undici POSTs/s (ratio ${ratio.toFixed(2)}); p99 enqueue→2xx ${p99Ms} ms at ${offered}/s\n`,
  );
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ deliveriesPerSec: Math.round(deliveriesPerSec), rawPostsPerSec: Math.round(rawPostsPerSec), ratio: Number(ratio.toFixed(3)), p99Ms, p50Ms, partners: partnersN, deliveries: jobs, offeredPerSec: offered, workers: workersN, noopWorkerPerSec: Math.round(noopWorkerPerSec), rawNodeCpuUsPerPost: rawCpu.nodeUs, nodeCpuUsPerDelivery: cpu.nodeUs, redisCpuUsPerDelivery: cpu.redisUs, noopNodeCpuUsPerJob: noopCpu.nodeUs, noopRedisCpuUsPerJob: noopCpu.redisUs })}\n`,
    );
  }

  // Clean up: our queue, our keys (SCAN on our unique prefix), the receivers.
  await producer.obliterate({ force: true }).catch(() => undefined);
  await producer.close();
  await deleteKeysMatching(redis, `${prefix}*`);
  await redis.quit();
  receivers.postMessage('exit');
  return 0;
}
