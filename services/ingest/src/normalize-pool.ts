import type { Logger } from '@wire/observability';
import type { CanonicalStory } from '@wire/schema';
import type { NormalizeFn, NormalizeOptions } from './ports';
import { spawnRequestThread, type RequestThread } from './threads';

/** One document to normalize. */
export interface NormalizeJob {
  bytes: Uint8Array;
  opts: NormalizeOptions;
}

/** What a thread sends back per document (`ms`: time it took there). */
export type NormalizeOutcome =
  | { ok: true; value: CanonicalStory[]; ms: number }
  | { ok: false; error: { code: string; message: string; details: Record<string, unknown> }; ms: number }
  | { crashed: string; ms: number };

/**
 * One document through `normalize`, timed, as an outcome rather than a throw (normalize promises
 * never to throw; if it does, the outcome says what it threw). Used on a pool thread and, without
 * a pool, on the consumer's thread.
 */
export function normalizeOutcome(normalize: NormalizeFn, bytes: Uint8Array, opts: NormalizeOptions): NormalizeOutcome {
  const t0 = performance.now();
  try {
    const r = normalize(bytes, opts);
    return r.ok ? { ok: true, value: r.value, ms: performance.now() - t0 } : { ok: false, error: r.error, ms: performance.now() - t0 };
  } catch (err) {
    return { crashed: (err as Error)?.message ?? String(err), ms: performance.now() - t0 };
  }
}

/** @internal messages between the pool and its threads */
export interface NormalizeRequest {
  id: number;
  jobs: NormalizeJob[];
}

export interface NormalizePool {
  /** Normalize `jobs` on the pool's threads; results in input order. Rejects if a thread dies. */
  normalizeMany(jobs: readonly NormalizeJob[]): Promise<NormalizeOutcome[]>;
  /** Start every thread and wait until each has loaded (so the first chunk does not wait for it). */
  warm(): Promise<void>;
  /** Stop every thread (a second call is harmless). */
  close(): Promise<void>;
}

interface Thread extends RequestThread<NormalizeOutcome[]> {
  /** Documents sent and not answered yet (new work goes to the least loaded thread). */
  load: number;
}

/**
 * Normalization on worker threads, so the consumer's thread keeps deduping, publishing and
 * routing other chunks while documents are parsed (normalize is pure CPU: parsing, cleaning,
 * language detection). A chunk is split into one slice per thread. A thread that dies fails the
 * slices it held (the consumer retries the chunk, like any infrastructure failure) and is
 * replaced on the next call.
 */
export function createNormalizePool(opts: { threads: number; log: Logger }): NormalizePool {
  const threads: Array<Thread | undefined> = new Array(Math.max(1, opts.threads));
  let closed = false;

  function spawn(slot: number): Thread {
    const thread: Thread = {
      ...spawnRequestThread<NormalizeOutcome[]>(new URL('./normalize-thread.ts', import.meta.url), {
        name: `normalize-${slot}`,
        log: opts.log,
        onGone: () => {
          if (threads[slot] === thread) threads[slot] = undefined;
        },
      }),
      load: 0,
    };
    threads[slot] = thread;
    return thread;
  }

  async function run(slot: number, jobs: NormalizeJob[]): Promise<NormalizeOutcome[]> {
    const thread = threads[slot] ?? spawn(slot);
    thread.load += jobs.length;
    try {
      return await thread.call({ jobs });
    } finally {
      thread.load -= jobs.length;
    }
  }

  return {
    async normalizeMany(jobs) {
      if (closed) throw new Error('normalize pool is closed');
      if (jobs.length === 0) return [];
      // Contiguous slices, the larger ones to the least loaded threads.
      const order = [...threads.keys()].sort((a, b) => (threads[a]?.load ?? 0) - (threads[b]?.load ?? 0));
      const per = Math.ceil(jobs.length / threads.length);
      const slices: Array<Promise<NormalizeOutcome[]>> = [];
      for (let i = 0, n = 0; i < jobs.length; i += per, n++) slices.push(run(order[n] as number, jobs.slice(i, i + per)));
      return (await Promise.all(slices)).flat();
    },
    async warm() {
      await Promise.all([...threads.keys()].map((slot) => (threads[slot] ?? spawn(slot)).ready));
    },
    async close() {
      closed = true;
      await Promise.all(threads.map((t) => t?.worker.terminate()));
      threads.fill(undefined);
    },
  };
}
