/**
 * Worker-thread side of the threaded decider (`threaded-decider.ts`): its own Redis connection
 * and DedupeEngine, deciding the batches it is sent one after another, in the order they arrive,
 * and answering `latestOf`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { DedupeEngine, RedisDedupeStore } from '@wire/dedupe';
import type { DecideItem } from './ports';
import { toThreadError } from './threads';
import type { ThreadedDeciderOptions } from './threaded-decider';

const port = parentPort;
if (!port) throw new Error('dedupe-thread runs as a worker thread');
const opts = workerData as ThreadedDeciderOptions;
const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3 });
const engine = new DedupeEngine({ store: new RedisDedupeStore({ redis, prefix: opts.prefix, windowDays: opts.windowDays }), windowDays: opts.windowDays });

let queue: Promise<unknown> = Promise.resolve();
port.on('message', (m: { id: number; items: DecideItem[] } | { id: number; latestOf: string } | { close: true }) => {
  if ('close' in m) {
    queue = queue.then(() => redis.quit()).finally(() => port.close());
    return;
  }
  if ('latestOf' in m) {
    // Not queued behind the batches: the engine's index turn orders it with them.
    engine.latestOf(m.latestOf).then(
      (value) => port.postMessage({ id: m.id, value }),
      (err: unknown) => port.postMessage({ id: m.id, error: toThreadError(err) }),
    );
    return;
  }
  queue = queue.then(async () => {
    try {
      port.postMessage({ id: m.id, value: await engine.decideMany(m.items) });
    } catch (err) {
      port.postMessage({ id: m.id, error: toThreadError(err) });
    }
  });
});
// Load the index replica before saying ready (ingest waits for it while Kafka connects). When
// Redis is not there yet, the first batch loads it (or fails and is retried like any chunk).
void engine
  .warm()
  .catch(() => undefined)
  .finally(() => port.postMessage({ ready: true }));
