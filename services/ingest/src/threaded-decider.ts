import type { Logger } from '@wire/observability';
import type { Decision } from '@wire/schema';
import type { DecideItem, Decider, StoryStanding, StoryVersions } from './ports';
import { spawnRequestThread, type RequestThread } from './threads';

export interface ThreadedDeciderOptions {
  redisUrl: string;
  /** The dedupe store's Redis key prefix (`{WIRE_REDIS_PREFIX}dedupe`). */
  prefix: string;
  windowDays: number;
}

/**
 * The dedupe/versioning engine (`@wire/dedupe` on Redis) on its own worker thread. Fingerprinting
 * stories is most of the consumer thread's CPU; here it runs beside the consumer, which meanwhile
 * publishes and routes other chunks. Batches are decided one after another in the order they
 * are sent, as on one thread. A thread that dies fails the batches it held (the consumer retries
 * the chunk) and is replaced on the next call; decisions are recorded in Redis, so a retry gets
 * the same answers. The thread also answers `latestOf` from its replica (media-retry asks it), so
 * the process keeps one replica of the log, not two.
 */
export function createThreadedDecider(opts: ThreadedDeciderOptions & { log: Logger }): Decider & StoryVersions & { warm(): Promise<void>; close(): Promise<void> } {
  let current: RequestThread<Decision[] | StoryStanding | null> | undefined;
  let closed = false;

  function spawn(): RequestThread<Decision[] | StoryStanding | null> {
    const thread = spawnRequestThread<Decision[] | StoryStanding | null>(new URL('./dedupe-thread.ts', import.meta.url), {
      name: 'dedupe',
      workerData: { redisUrl: opts.redisUrl, prefix: opts.prefix, windowDays: opts.windowDays } satisfies ThreadedDeciderOptions,
      log: opts.log,
      onGone: () => {
        if (current === thread) current = undefined;
      },
    });
    current = thread;
    return thread;
  }

  return {
    async decideMany(items: DecideItem[]): Promise<Decision[]> {
      if (closed) throw new Error('dedupe thread is closed');
      if (items.length === 0) return [];
      return (current ?? spawn()).call({ items }) as Promise<Decision[]>;
    },
    async latestOf(uri: string): Promise<StoryStanding | null> {
      if (closed) throw new Error('dedupe thread is closed');
      return (current ?? spawn()).call({ latestOf: uri }) as Promise<StoryStanding | null>;
    },
    /** Start the thread and wait until it has loaded. */
    async warm() {
      await (current ?? spawn()).ready;
    },
    async close() {
      closed = true;
      const thread = current;
      current = undefined;
      if (!thread) return;
      // Let the thread quit Redis cleanly; terminate it if it does not exit soon.
      const exited = new Promise<void>((r) => thread.worker.once('exit', () => r()));
      thread.worker.postMessage({ close: true });
      const timer = setTimeout(() => void thread.worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
