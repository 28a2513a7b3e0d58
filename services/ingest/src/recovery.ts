import type { Logger } from '@wire/observability';
import { backoffMs } from '@wire/retry';
import { IngestErrorCodes } from './errors';
import type { ChunkBounds } from './ledger';
import type { IngestMetrics } from './metrics';
import type { InboundMessage, Verdict } from './pipeline';
import { isFenced } from './publisher';

/**
 * How a failed attempt at a chunk is read:
 * - `fenced`: another owner took the partition (its producer fenced ours) — stop, never retry;
 * - `infrastructure`: a connection, timeout, throttling or 5xx error from Kafka, S3, Redis or a
 *   thread that would not start — wait and retry; it never counts against a message;
 * - `other`: anything else (a bug for one input, a record the broker refuses …) — retried, and
 *   past the bound (with the infrastructure answering) bisected.
 */
export type FailureCause = 'fenced' | 'infrastructure' | 'other';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const INFRA_NAMES = new Set([
  // kafkajs
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSNoBrokerAvailableError',
  // ioredis
  'MaxRetriesPerRequestError',
  // AWS SDK
  'TimeoutError',
  'NetworkingError',
]);

/** Read a failure (see {@link FailureCause}). Walks `cause` chains; branches on types and codes, never on message text. */
export function classifyFailure(err: unknown): FailureCause {
  if (isFenced(err)) return 'fenced';
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (NETWORK_CODES.has(String(e.code ?? '')) || INFRA_NAMES.has(String(e.name ?? ''))) return 'infrastructure';
    if (e.code === IngestErrorCodes.THREAD_START) return 'infrastructure';
    // kafkajs marks what a retry can fix (leader moves, coordinator loading, …).
    if (e.retriable === true) return 'infrastructure';
    // Every AWS SDK service error carries `$metadata`: S3 answers about the service (missing
    // bucket, credentials, throttling, 5xx), never about the bytes of a message.
    if (e.$metadata !== undefined || e.$retryable !== undefined) return 'infrastructure';
    e = (e.cause ?? e.originalError) as Record<string, unknown> | undefined;
  }
  return 'other';
}

/** A run of consecutive messages of one partition, worked on (and committed) together. */
export interface Chunk extends ChunkBounds {
  messages: InboundMessage[];
}

export function chunkOf(messages: InboundMessage[]): Chunk {
  return { messages, from: (messages[0] as InboundMessage).offset, to: (messages[messages.length - 1] as InboundMessage).offset };
}

export interface RecoveryOptions {
  topic: string;
  partition: number;
  log: Logger;
  metrics?: IngestMetrics;
  /** Tries of a chunk (and of a single message) before it is split (or the message convicted). */
  maxAttempts: number;
  initialMs: number;
  maxMs: number;
  /**
   * One attempt: prepare, finish, publish and commit `chunk`, dead-lettering the messages in
   * `verdicts` instead of working on them. `attempt` counts every try that included the chunk's
   * messages (1 on the first).
   */
  attempt(chunk: Chunk, attempt: number): Promise<void>;
  /** Names of the components that do not answer (empty: Kafka, S3 and Redis all do). */
  probe(): Promise<string[]>;
  /** Record a verdict (in the ledger and for the next attempts). */
  convict(offset: string, verdict: Verdict): Promise<void>;
  /** Record the halves of a split chunk (ledger), so a re-run cuts the same. */
  split(parts: ChunkBounds[]): Promise<void>;
  /** True once the partition is no longer ours to work on (stop, revoke): give up quietly. */
  gone(): boolean;
  /** Wait `ms`, returning early once `gone()`. */
  sleep(ms: number): Promise<void>;
}

/** Thrown out of `settle` when the partition is gone mid-recovery (nothing was committed). */
export class PartitionGone extends Error {
  constructor() {
    super('partition no longer worked on here');
    this.name = 'PartitionGone';
  }
}

/**
 * Gets one chunk committed, whatever fails. The rule, in order:
 *
 * 1. A failed attempt is retried with exponential backoff, up to `maxAttempts` tries.
 * 2. A failure that names its message (a record over the size limit) convicts that message at
 *    once: the next attempt dead-letters it and commits the rest.
 * 3. Infrastructure failures (see {@link classifyFailure}) are retried for as long as they last:
 *    they never lead to bisection, so no good message is ever dead-lettered because S3, Redis or
 *    the broker is down.
 * 4. Past the bound, the infrastructure is probed with real work (a Redis write, an S3 PUT, the
 *    group's offsets from Kafka). If any part does not answer, the chunk waits and is retried —
 *    still no bisection.
 * 5. With everything answering, the chunk is split in two, and each half is settled the same way
 *    (a half gets one try before it is split again, and is committed as soon as it succeeds), down
 *    to single messages. A single message that fails `maxAttempts` times on its own, with the
 *    infrastructure answering after its last failure, is convicted: dead-lettered
 *    (`WIRE_ERR_INGEST_POISON`, the last error as reason, the tries as `attempts`), its bytes
 *    referenced in the S3 archive.
 *
 * Verdicts and the halves' bounds go to the ledger, so a restart or another replica continues a
 * bisection instead of starting over and never bisects for the same message twice. A chunk of
 * `n` messages with one poison message costs `maxAttempts` tries, then ⌈log2 n⌉ splits (each
 * trying one half that fails and, at most, one that succeeds), then `maxAttempts` tries of the
 * message alone.
 */
export async function settle(opts: RecoveryOptions, chunk: Chunk, inherited = 0, depth = 0): Promise<void> {
  let failures = 0;
  // Messages convicted here: if attempts still fail after that, back off like any failure.
  const convicted = new Set<string>();
  for (;;) {
    if (opts.gone()) throw new PartitionGone();
    try {
      await opts.attempt(chunk, inherited + failures + 1);
      return;
    } catch (err) {
      if (err instanceof PartitionGone) throw err;
      failures++;
      const cause = classifyFailure(err);
      if (cause === 'fenced') throw err;
      const where = { topic: opts.topic, partition: opts.partition, fromOffset: chunk.from, toOffset: chunk.to, messages: chunk.messages.length, depth };
      const named = namedOffset(err, chunk);
      if (named !== undefined && !convicted.has(named)) {
        convicted.add(named);
        const e = err as { code: string; message: string };
        opts.log.warn({ ...where, err, offset: named }, 'a record of the chunk is refused before sending; dead-lettering its message');
        await retrying(opts, () => opts.convict(named, { code: e.code, reason: e.message, attempts: inherited + failures }));
        continue;
      }
      opts.metrics?.infraRetries.inc({ cause });
      const bound = depth === 0 || chunk.messages.length === 1 ? opts.maxAttempts : 1;
      const delay = backoffMs(failures, opts.initialMs, opts.maxMs);
      if (cause === 'infrastructure' || failures < bound) {
        opts.log.error({ ...where, err, cause, attempt: inherited + failures, delayMs: delay }, 'chunk failed; retrying after backoff');
        await opts.sleep(delay);
        continue;
      }
      const down = await opts.probe().catch((e: unknown) => [`probe: ${(e as Error).message}`]);
      opts.metrics?.probes.inc({ result: down.length === 0 ? 'healthy' : 'unhealthy' });
      if (down.length > 0) {
        opts.log.error({ ...where, err, down, attempt: inherited + failures, delayMs: delay }, 'chunk keeps failing and the infrastructure does not answer; retrying, not bisecting');
        await opts.sleep(delay);
        continue;
      }
      if (chunk.messages.length === 1 && convicted.has(chunk.from)) {
        opts.log.error({ ...where, err, attempt: inherited + failures, delayMs: delay }, 'dead-lettering a convicted message failed; retrying after backoff');
        await opts.sleep(delay);
        continue;
      }
      if (chunk.messages.length === 1) {
        convicted.add(chunk.from);
        const e = err as { code?: unknown; name?: string; message?: string };
        const was = typeof e.code === 'string' ? e.code : (e.name ?? 'Error');
        const verdict: Verdict = { code: IngestErrorCodes.POISON, reason: `fails on its own, ${inherited + failures} tries, infrastructure answering: ${was}: ${e.message ?? String(err)}`, attempts: inherited + failures };
        opts.log.error({ ...where, err, attempts: verdict.attempts }, 'message fails on its own; dead-lettering it');
        await retrying(opts, () => opts.convict(chunk.from, verdict));
        continue;
      }
      const mid = Math.ceil(chunk.messages.length / 2);
      const halves = [chunkOf(chunk.messages.slice(0, mid)), chunkOf(chunk.messages.slice(mid))];
      opts.metrics?.bisections.inc();
      opts.log.warn({ ...where, err, attempts: inherited + failures, halves: halves.map((h) => `${h.from}-${h.to}`) }, 'chunk fails with the infrastructure answering; bisecting it');
      await retrying(opts, () => opts.split(halves));
      for (const half of halves) await settle(opts, half, inherited + failures, depth + 1);
      return;
    }
  }
}

/** The offset of the chunk's message a failure names (`details.offset`), if any. */
function namedOffset(err: unknown, chunk: Chunk): string | undefined {
  const e = err as { code?: unknown; details?: { offset?: unknown } };
  if (e?.code !== IngestErrorCodes.RECORD_TOO_LARGE || typeof e.details?.offset !== 'string') return undefined;
  const offset = e.details.offset;
  return chunk.messages.some((m) => m.offset === offset) ? offset : undefined;
}

/** Run a bookkeeping step (ledger write) until it succeeds or the partition is gone. */
async function retrying(opts: RecoveryOptions, step: () => Promise<void>): Promise<void> {
  for (let n = 1; ; n++) {
    if (opts.gone()) throw new PartitionGone();
    try {
      await step();
      return;
    } catch (err) {
      const delay = backoffMs(n, opts.initialMs, opts.maxMs);
      opts.log.error({ err, topic: opts.topic, partition: opts.partition, delayMs: delay }, 'recovery bookkeeping failed; retrying');
      await opts.sleep(delay);
    }
  }
}
