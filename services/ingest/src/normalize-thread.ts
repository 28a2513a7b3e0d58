/**
 * Worker-thread side of the normalize pool: normalizes the documents it is sent and posts back
 * plain results (stories, or the error's code/message/details, or what a throwing normalizer said).
 */
import { parentPort } from 'node:worker_threads';
import { normalize } from '@wire/normalize';
import { normalizeOutcome, type NormalizeOutcome, type NormalizeRequest } from './normalize-pool';

const port = parentPort;
if (!port) throw new Error('normalize-thread runs as a worker thread');
port.on('message', (req: NormalizeRequest) => {
  const results: NormalizeOutcome[] = req.jobs.map((job) => {
    const o = normalizeOutcome(normalize, job.bytes, job.opts);
    // Errors cross the thread boundary as plain fields.
    return 'ok' in o && !o.ok ? { ...o, error: { code: o.error.code, message: o.error.message, details: o.error.details } } : o;
  });
  port.postMessage({ id: req.id, value: results });
});
port.postMessage({ ready: true });
