import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module of this service. tsx's loader hooks do not reach
 * worker threads on Node 20, so the thread registers them first, then imports `entry` (as
 * bin/wire.js does for the CLI). `ready` resolves when the module posts `{ ready: true }`.
 */
export function spawnTsThread(entry: URL, opts: { name: string; workerData?: unknown }): { worker: Worker; ready: Promise<void> } {
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  const worker = new Worker(boot, { eval: true, name: opts.name, workerData: opts.workerData });
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

export function fromThreadError(e: ThreadError): Error {
  const err = new Error(e.message) as Error & { code?: string };
  err.name = e.name;
  if (e.code) err.code = e.code;
  return err;
}
