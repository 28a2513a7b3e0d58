/**
 * Worker-thread side of the normalize pool: normalizes the documents it is sent, in order, and
 * posts each outcome as soon as it has it (stories, or the error's code/message/details, or what a
 * throwing normalizer said) — the pool tells from the answers which document the thread is on.
 */
import { parentPort } from 'node:worker_threads';
import { normalize } from '@wire/normalize';
import { normalizeOutcome, type NormalizeReply, type NormalizeRequest } from './normalize-pool';

const port = parentPort;
if (!port) throw new Error('normalize-thread runs as a worker thread');
port.on('message', (req: NormalizeRequest) => {
  for (const job of req.jobs) {
    const o = normalizeOutcome(normalize, job.bytes, job.opts);
    // Errors cross the thread boundary as plain fields.
    const outcome = 'ok' in o && !o.ok ? { ...o, error: { code: o.error.code, message: o.error.message, details: o.error.details } } : o;
    const reply: NormalizeReply = { seq: job.seq, outcome };
    port.postMessage(reply);
  }
});
port.postMessage({ ready: true });
