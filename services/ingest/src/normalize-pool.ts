import type { Worker } from 'node:worker_threads';
import type { Logger } from '@wire/observability';
import type { CanonicalStory } from '@wire/schema';
import { IngestError, IngestErrorCodes } from './errors';
import type { NormalizeFn, NormalizeOptions } from './ports';
import { spawnTsThread } from './threads';

/** One document to normalize. */
export interface NormalizeJob {
  bytes: Uint8Array;
  opts: NormalizeOptions;
}

/** Why a document got no result from its thread: a budget it exceeded, or its thread died on it. */
export type NormalizeBudget = 'time' | 'memory' | 'died';

/** What normalizing one document gave (`ms`: time it took there). */
export type NormalizeOutcome =
  | { ok: true; value: CanonicalStory[]; ms: number }
  | { ok: false; error: { code: string; message: string; details: Record<string, unknown> }; ms: number }
  | { crashed: string; ms: number }
  | { budget: NormalizeBudget; detail: string; ms: number };

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

/** @internal what the pool posts to a thread: documents to normalize in order */
export interface NormalizeRequest {
  jobs: Array<NormalizeJob & { seq: number }>;
}

/** @internal what a thread posts back, once per document, as soon as it is done */
export interface NormalizeReply {
  seq: number;
  outcome: NormalizeOutcome;
}

export interface NormalizePoolOptions {
  threads: number;
  log: Logger;
  /** Time one document may take on its thread (default 30 s); past it the thread is stopped. */
  timeoutMs?: number;
  /** Old-generation heap of each thread in MB (default: Node's); a document that exhausts it kills its thread. */
  maxHeapMb?: number;
}

export interface NormalizePool {
  /**
   * Normalize `jobs` on the pool's threads; outcomes in input order. A document that exceeds a
   * budget gets a `budget` outcome and the others go on. Rejects only when a thread cannot start.
   */
  normalizeMany(jobs: readonly NormalizeJob[]): Promise<NormalizeOutcome[]>;
  /** Start every thread and wait until each has loaded (so the first chunk does not wait for it). */
  warm(): Promise<void>;
  /** Stop every thread (a second call is harmless). */
  close(): Promise<void>;
}

interface Pending {
  seq: number;
  job: NormalizeJob;
  resolve: (o: NormalizeOutcome) => void;
  reject: (e: Error) => void;
  /** When its thread started on it (set once it is the document in progress). */
  startedAt?: number;
}

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  isReady: boolean;
  /** Documents answered since the thread started. */
  answered: number;
  /** Set when the pool stops the thread itself (time budget, close). */
  stoppedFor?: 'time' | 'close';
  gone: boolean;
}

interface Slot {
  index: number;
  thread?: Thread;
  /** Documents posted to the thread, in order: the first is the one in progress. */
  posted: Pending[];
  timer?: NodeJS.Timeout;
}

/**
 * Normalization on worker threads, so the consumer's thread keeps deduping, publishing and
 * routing other chunks while documents are parsed (normalize is pure CPU: parsing, cleaning,
 * language detection). A chunk is split into contiguous slices, one per thread; each thread
 * answers document by document, so the pool always knows which document a thread is on.
 *
 * Budgets: a document still running after `timeoutMs` has its thread stopped and gets a `time`
 * outcome; a thread that runs out of its heap (`maxHeapMb`, V8 `resourceLimits`) or dies on a
 * document blames that document only when it was the first the thread worked on — otherwise the
 * heap may have been filled by the ones before, so the document goes first on a fresh thread and
 * is blamed if it kills that one too. The documents queued behind it move to the fresh thread.
 */
export function createNormalizePool(opts: NormalizePoolOptions): NormalizePool {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const slots: Slot[] = Array.from({ length: Math.max(1, opts.threads) }, (_, index) => ({ index, posted: [] }));
  let closed = false;
  let nextSeq = 0;

  function spawn(slot: Slot): Thread {
    const { worker, ready } = spawnTsThread(new URL('./normalize-thread.ts', import.meta.url), {
      name: `normalize-${slot.index}`,
      resourceLimits: opts.maxHeapMb ? { maxOldGenerationSizeMb: opts.maxHeapMb } : undefined,
    });
    const thread: Thread = { worker, ready, isReady: false, answered: 0, gone: false };
    slot.thread = thread;
    ready.then(
      () => {
        thread.isReady = true;
        if (slot.thread === thread) arm(slot);
      },
      () => undefined, // the exit handler below deals with a thread that never came up
    );
    let failure: (Error & { code?: string }) | undefined;
    worker.on('message', (m: NormalizeReply | { ready: true }) => {
      if (!('seq' in m) || slot.thread !== thread) return;
      const head = slot.posted[0];
      if (head?.seq !== m.seq) return;
      slot.posted.shift();
      thread.answered++;
      head.resolve(m.outcome);
      arm(slot);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      failure = err;
    });
    worker.on('exit', (code) => gone(slot, thread, failure, code));
    return thread;
  }

  /** (Re)start the time budget of the document in progress on the slot's thread. */
  function arm(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const head = slot.posted[0];
    const thread = slot.thread;
    if (!head || !thread?.isReady) return;
    head.startedAt = performance.now();
    slot.timer = setTimeout(() => {
      thread.stoppedFor = 'time';
      void thread.worker.terminate();
    }, timeoutMs);
    slot.timer.unref();
  }

  function post(slot: Slot, items: Pending[]): void {
    if (items.length === 0) return;
    const thread = slot.thread ?? spawn(slot);
    const wasIdle = slot.posted.length === 0;
    slot.posted.push(...items);
    const request: NormalizeRequest = { jobs: items.map((p) => ({ seq: p.seq, bytes: p.job.bytes, opts: p.job.opts })) };
    thread.worker.postMessage(request);
    if (wasIdle) arm(slot);
  }

  function gone(slot: Slot, thread: Thread, failure: (Error & { code?: string }) | undefined, code: number): void {
    if (thread.gone) return;
    thread.gone = true;
    if (slot.thread === thread) slot.thread = undefined;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const posted = slot.posted;
    slot.posted = [];
    if (closed || thread.stoppedFor === 'close') {
      for (const p of posted) p.reject(new Error('normalize pool is closed'));
      return;
    }
    if (!thread.isReady) {
      // It never loaded: nothing to do with the documents (the chunk is retried as for any
      // infrastructure failure).
      const err = new IngestError(IngestErrorCodes.THREAD_START, `normalize thread ${slot.index} did not start: ${failure?.message ?? `exit code ${code}`}`);
      opts.log.error({ err, thread: slot.index }, 'normalize thread failed to start');
      for (const p of posted) p.reject(err);
      return;
    }
    const [head, ...rest] = posted;
    if (head) {
      const ms = head.startedAt === undefined ? 0 : performance.now() - head.startedAt;
      const budget: NormalizeBudget = thread.stoppedFor === 'time' ? 'time' : failure?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'died';
      const detail =
        budget === 'time' ? `still running after ${timeoutMs} ms` : budget === 'memory' ? `ran out of its ${opts.maxHeapMb ?? 'default'} MB heap` : `thread exited (${failure?.message ?? `code ${code}`})`;
      if (budget === 'time' || thread.answered === 0) {
        opts.log.warn({ thread: slot.index, budget, detail, ms: Math.round(ms), bytes: head.job.bytes.byteLength, source: head.job.opts.source }, 'document exceeded a normalize budget');
        head.resolve({ budget, detail, ms });
      } else {
        // Documents before it may have filled the heap: try it again, first on a fresh thread.
        opts.log.warn({ thread: slot.index, budget, detail, after: thread.answered }, 'normalize thread died; retrying its document on a fresh thread');
        rest.unshift(head);
      }
    }
    post(slot, rest);
  }

  return {
    async normalizeMany(jobs) {
      if (closed) throw new Error('normalize pool is closed');
      if (jobs.length === 0) return [];
      const items: Pending[] = [];
      const outcomes = jobs.map((job) => new Promise<NormalizeOutcome>((resolve, reject) => items.push({ seq: nextSeq++, job, resolve, reject })));
      // Contiguous slices, the larger ones to the least loaded threads.
      const order = [...slots].sort((a, b) => a.posted.length - b.posted.length);
      const per = Math.ceil(items.length / slots.length);
      for (let i = 0, n = 0; i < items.length; i += per, n++) post(order[n] as Slot, items.slice(i, i + per));
      return Promise.all(outcomes);
    },
    async warm() {
      await Promise.all(slots.map((slot) => (slot.thread ?? spawn(slot)).ready));
    },
    async close() {
      closed = true;
      await Promise.all(
        slots.map(async (slot) => {
          const thread = slot.thread;
          if (!thread) return;
          thread.stoppedFor = 'close';
          await thread.worker.terminate();
        }),
      );
    },
  };
}
