/**
 * One delivery worker in a worker thread, for `wire bench webhooks --workers N` (deliveries scale
 * out across processes or threads that share Redis). Reports deliveries (2xx) and enqueue→2xx
 * latencies to the parent every 100 ms. With `noop`, a bare BullMQ worker with the same queue
 * settings whose processor returns at once: the ceiling of one BullMQ job per delivery.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { toNinjs } from '@wire/normalize';
import { createLogger, createMetricsRegistry } from '@wire/observability';
import { PartnerRegistry, RecipientsRegister } from '@wire/routing';
import { SecretBox } from '@wire/secrets';
import { createDeliveryWorker, deliveryConfig, type DeliveryConfig } from '@wire/svc-webhooks';

const { redisUrl, prefix, config, noop, secretsKey } = workerData as { redisUrl: string; prefix: string; config: Partial<DeliveryConfig>; noop?: boolean; secretsKey: string };
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const full = deliveryConfig({ ...config, prefix });
const svc = noop
  ? (() => {
      const worker = new Worker(full.queueName, async () => 'delivered', {
        connection: redis,
        prefix: full.bullPrefix,
        concurrency: full.concurrency,
        lockDuration: Math.max(30_000, full.timeoutMs * 2),
      });
      return { worker, close: () => worker.close() };
    })()
  : createDeliveryWorker({
      redis,
      registry: new PartnerRegistry(redis, { prefix, cacheMs: 1_000, secretBox: new SecretBox({ key: Buffer.from(secretsKey, 'base64') }) }),
      recipients: new RecipientsRegister(redis, { prefix }),
      logger: createLogger({ name: 'bench', level: 'silent' }),
      metrics: createMetricsRegistry('bench', { defaults: false }),
      render: (s) => toNinjs(s),
      config: full,
    });
let completed = 0;
let latencies: number[] = [];
let measuring = false;
if ('events' in svc) {
  // Deliveries, not jobs: a batch job carries several (and may finish them over several passes).
  svc.events.on('delivery.delivered', (e) => {
    completed++;
    if (measuring) latencies.push(Date.now() - e.enqueuedAt);
  });
} else {
  svc.worker.on('completed', (job) => {
    completed++;
    if (measuring) latencies.push(Date.now() - job.timestamp);
  });
}
const timer = setInterval(() => {
  parentPort!.postMessage({ completed, latencies });
  completed = 0;
  latencies = [];
}, 100);
parentPort!.on('message', (m: string) => {
  if (m === 'measure') measuring = true;
  if (m === 'close') {
    clearInterval(timer);
    void svc.close().then(async () => {
      parentPort!.postMessage({ completed, latencies, closed: true });
      await redis.quit();
      process.exit(0);
    });
  }
});
await svc.worker.waitUntilReady();
parentPort!.postMessage({ ready: true });
