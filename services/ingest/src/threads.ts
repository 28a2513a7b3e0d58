import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Logger } from '@wire/observability';

/**
 * A worker thread running a module of this service. For a TypeScript module (the source, run
 * through tsx) the thread registers tsx's loader hooks first, since they do not reach worker
 * threads on Node 20, then imports `entry` (as bin/wire.js does for the CLI); the build's
 * JavaScript module runs as it is. `ready` resolves when the module posts `{ ready: true }`.
 */
export function spawnTsThread(entry: URL, opts: { name: string; workerData?: unknown; resourceLimits?: ResourceLimits }): { worker: Worker; ready: Promise<void> } {
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(boot, { eval: true, name: opts.name, workerData: opts.workerData, resourceLimits: opts.resourceLimits })
    : new Worker(entry, { name: opts.name, workerData: opts.workerData, resourceLimits: opts.resourceLimits });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready?: boolean }) => {
      if (!m?.ready) return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`thread ${opts.name} exited (${code}) before it was ready`)));
  });
  ready.catch(() => undefined);
  return { worker, ready };
}

/** A worker thread that answers requests (see `spawnRequestThread`). */
export interface RequestThread<T> {
  worker: Worker;
  ready: Promise<void>;
  /** Post `{ id, ...message }`; resolves with the thread's `{ id, value }`, rejects with its `{ id, error }`. */
  call(message: object): Promise<T>;
}

/**
 * `spawnTsThread` for a module that answers each `{ id, … }` it receives with `{ id, value }` or
 * `{ id, error: ThreadError }`. A thread that fails or exits rejects every call it held and is
 * reported to `onGone`, so its owner can replace it on the next call.
 */
export function spawnRequestThread<T>(entry: URL, opts: { name: string; workerData?: unknown; log: Logger; onGone: () => void }): RequestThread<T> {
  const { worker, ready } = spawnTsThread(entry, { name: opts.name, workerData: opts.workerData });
  const pending = new Map<number, { resolve: (value: T) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  worker.on('message', (m: { id?: number; value?: T; error?: ThreadError }) => {
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (!p) return;
    pending.delete(m.id as number);
    if (m.error) p.reject(fromThreadError(m.error));
    else p.resolve(m.value as T);
  });
  const fail = (err: Error) => {
    opts.onGone();
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', (err) => {
    opts.log.error({ err, thread: opts.name }, 'worker thread failed');
    fail(err);
  });
  worker.on('exit', (code) => fail(new Error(`thread ${opts.name} exited with code ${code}`)));
  return {
    worker,
    ready,
    async call(message) {
      await ready;
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ ...message, id });
      });
    },
  };
}

/** An error as it crosses a thread boundary (its `code` kept, so callers can branch on it). */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

export function toThreadError(err: unknown): ThreadError {
  const e = err as { name?: string; message?: string; code?: unknown };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

function fromThreadError(e: ThreadError): Error {
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name;
  if (e.code) err.code = e.code;
  return err;
}
