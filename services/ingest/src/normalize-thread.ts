/**
 * Worker-thread side of the normalize pool: normalizes the documents it is sent and posts back
 * plain results (stories, or the error's code/message/details, or what a throwing normalizer said).
 */
import { parentPort } from 'node:worker_threads';
import { normalize } from '@wire/normalize';
import type { NormalizeOutcome, NormalizeRequest } from './normalize-pool';

const port = parentPort;
if (!port) throw new Error('normalize-thread runs as a worker thread');
port.on('message', (req: NormalizeRequest) => {
  const results: NormalizeOutcome[] = req.jobs.map((job) => {
    const t0 = performance.now();
    try {
      const r = normalize(job.bytes, job.opts);
      const ms = performance.now() - t0;
      return r.ok ? { ok: true, value: r.value, ms } : { ok: false, error: { code: r.error.code, message: r.error.message, details: r.error.details }, ms };
    } catch (err) {
      return { crashed: (err as Error)?.message ?? String(err), ms: performance.now() - t0 };
    }
  });
  port.postMessage({ id: req.id, results });
});
port.postMessage({ ready: true });
