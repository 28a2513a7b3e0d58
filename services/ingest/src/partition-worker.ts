import { createHash } from 'node:crypto';
import type { Logger } from '@wire/observability';
import type { ChunkLedger } from './ledger';
import type { IngestMetrics } from './metrics';
import type { ChunkOutcome, InboundMessage, IngestPipeline, PreparedChunk, Verdict } from './pipeline';
import type { PartitionPublisher } from './publisher';
import { backoffMs } from '@wire/retry';
import { chunkOf, classifyFailure, PartitionGone, settle, type Chunk, type RecoveryOptions } from './recovery';

const sha256 = (value: Buffer | null) => createHash('sha256').update(value ?? Buffer.alloc(0)).digest('hex');

export interface PartitionWorkerDeps {
  topic: string;
  partition: number;
  pipeline: Pick<IngestPipeline, 'prepareChunk' | 'finishChunk'>;
  publisher: Pick<PartitionPublisher, 'fence' | 'publishAndCommit' | 'disconnect'>;
  /** The group's committed offset of the partition (the next to read), undefined when none. */
  committedOffset(): Promise<string | undefined>;
  ledger?: Pick<ChunkLedger, 'plan' | 'split' | 'convict' | 'committed'>;
  /** Names of the infrastructure components that do not answer (see recovery.ts). */
  probe(): Promise<string[]>;
  log: Logger;
  metrics?: IngestMetrics;
  chunkSize: number;
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Wait before taking the partition back after being fenced (the group has moved on, or is about to tell us). */
  retakeDelayMs: number;
  /** A turn among the partitions worked on at once (held for an attempt, not for a backoff). */
  turn<T>(fn: () => Promise<T>): Promise<T>;
  /** Flow control: stop / start fetching this partition. */
  pause(): void;
  resume(): void;
  onChunk?: (info: { partition: number; lastOffset: string; outcome: ChunkOutcome }) => void;
}

/**
 * Works on one input partition, on its own: the consumer's fetch loop hands it messages
 * (`push`) and goes on at once, so a partition that is slow, retrying or bisecting never holds
 * up the fetches — nor the chunks — of the others. It cuts its buffer into chunks (the ledger's
 * plan when there is one), prepares the next chunk while finishing the current one, and gets
 * each chunk committed through `settle` (retries, probes, bisection, dead letters: recovery.ts)
 * with its own transactional producer.
 *
 * Taking the partition (and taking it back after being fenced): fence the transactional id
 * first, then read the committed offset — in that order, so a commit by a previous owner either
 * landed before the read or was aborted by the fence. Messages before that offset are dropped.
 * After a publish that failed with an unknown outcome (a commit whose answer was lost) the same
 * is done again before the next try, so a chunk that did commit is never published twice.
 */
export class PartitionWorker {
  private buffer: InboundMessage[] = [];
  private lastSeen = -1n;
  /** The next offset to work on, as far as this worker knows (undefined before the first commit when none was committed). */
  private base: bigint | undefined;
  private readonly verdicts = new Map<string, Verdict>();
  private stopping = false;
  private wake: (() => void) | undefined;
  /** Backoffs in progress, cut short by `stop`. */
  private readonly sleepers = new Set<() => void>();
  private paused = false;
  /** Messages the chunk being cut needs in the buffer (flow control must not pause below it). */
  private need = 0;
  private highWatermark: bigint | undefined;
  private uncertain = false;
  private failingSince: number | undefined;
  readonly done: Promise<void>;

  constructor(
    private readonly deps: PartitionWorkerDeps,
    /** The previous worker of this partition in this process, if it is still finishing. */
    after?: Promise<void>,
  ) {
    this.done = this.run(after);
  }

  private get where() {
    return { topic: this.deps.topic, partition: this.deps.partition };
  }

  /** Messages fetched for the partition (offset order); ones seen before or already committed are ignored. */
  push(messages: readonly InboundMessage[], highWatermark: string): void {
    this.highWatermark = BigInt(highWatermark);
    for (const m of messages) {
      const offset = BigInt(m.offset);
      if (offset <= this.lastSeen || (this.base !== undefined && offset < this.base)) continue;
      this.lastSeen = offset;
      this.buffer.push(m);
    }
    this.flow();
    this.wake?.();
  }

  /** Stop after the attempt in flight (which still commits): on shutdown and when the partition is revoked. */
  stop(): void {
    this.stopping = true;
    for (const wakeUp of [...this.sleepers]) wakeUp();
    this.wake?.();
  }

  /** Pause fetching past two chunks (or past what the chunk being cut needs); resume below one. */
  private flow(): void {
    const held = this.buffer.length;
    const high = Math.max(2 * this.deps.chunkSize, this.need);
    if (!this.paused && held > high) {
      this.paused = true;
      this.deps.pause();
    } else if (this.paused && held <= Math.max(this.deps.chunkSize, this.need)) {
      this.paused = false;
      this.deps.resume();
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Resolves when messages arrive or the worker stops. */
  private arrival(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Drop buffered messages below `base`. */
  private trim(): void {
    if (this.base === undefined) return;
    const base = this.base;
    const keep = this.buffer.findIndex((m) => BigInt(m.offset) >= base);
    this.buffer = keep < 0 ? [] : this.buffer.slice(keep);
    if (this.lastSeen < base - 1n) this.lastSeen = base - 1n;
  }

  /** Fence, then read the committed offset (see the class comment). False when stopped first. */
  private async take(): Promise<boolean> {
    for (let n = 1; !this.stopping; n++) {
      try {
        await this.deps.publisher.fence();
        await this.readCommitted();
        this.uncertain = false;
        this.deps.log.info({ ...this.where, committed: this.base?.toString() ?? null }, 'partition taken');
        return true;
      } catch (err) {
        const delay = backoffMs(n, this.deps.retryInitialMs, this.deps.retryMaxMs);
        this.deps.log.error({ ...this.where, err, delayMs: delay }, 'taking the partition failed; retrying after backoff');
        await this.sleep(delay);
      }
    }
    return false;
  }

  private async readCommitted(): Promise<void> {
    const committed = await this.deps.committedOffset();
    if (committed !== undefined && (this.base === undefined || BigInt(committed) > this.base)) this.base = BigInt(committed);
    this.trim();
  }

  /**
   * The next chunk after `after` (exclusive; from the buffer's start when undefined): the ledger's
   * plan if one was recorded for its first offset, else up to `chunkSize` buffered messages (and
   * that is recorded). `wait`: wait for messages; otherwise undefined when they are not there yet.
   */
  private async cut(wait: boolean, after?: bigint): Promise<Chunk | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      const start = after === undefined ? 0 : this.buffer.findIndex((m) => BigInt(m.offset) > after);
      if (start >= 0 && start < this.buffer.length) {
        const proposed = this.buffer.slice(start, start + this.deps.chunkSize);
        const from = (proposed[0] as InboundMessage).offset;
        const plan = this.deps.ledger
          ? await this.deps.ledger.plan(this.deps.topic, this.deps.partition, from, (proposed[proposed.length - 1] as InboundMessage).offset)
          : { to: (proposed[proposed.length - 1] as InboundMessage).offset, verdicts: new Map<string, Verdict>() };
        for (const [offset, v] of plan.verdicts) this.verdicts.set(offset, v);
        let to = BigInt(plan.to);
        const proposedTo = (proposed[proposed.length - 1] as InboundMessage).offset;
        if (this.deps.ledger && this.highWatermark !== undefined && to >= this.highWatermark) {
          // A plan for offsets the partition does not hold (a topic deleted and made again under
          // the same name): it was not made for these messages.
          this.deps.log.warn({ ...this.where, from, planned: plan.to, highWatermark: this.highWatermark.toString() }, 'chunk plan beyond the end of the partition; planning afresh');
          await this.deps.ledger.split(this.deps.topic, this.deps.partition, [{ from, to: proposedTo }]);
          to = BigInt(proposedTo);
        }
        const messages: InboundMessage[] = [];
        let complete = false;
        for (let i = start; i < this.buffer.length; i++) {
          const m = this.buffer[i] as InboundMessage;
          if (BigInt(m.offset) > to) {
            complete = true;
            break;
          }
          messages.push(m);
          if (BigInt(m.offset) === to) complete = true;
        }
        if (complete) {
          this.need = 0;
          this.flow();
          return chunkOf(messages);
        }
        // A plan from an earlier run covers messages not fetched yet: wait for them.
        if (!wait) return undefined;
        this.need = start + Number(to - BigInt(from)) + 1;
        this.flow();
      } else if (!wait) {
        return undefined;
      }
      await this.arrival();
    }
  }

  /** The verdicts that concern `chunk`: recorded for these offsets and these very bytes. */
  private verdictsFor(chunk: Chunk): Map<string, Verdict> {
    const out = new Map<string, Verdict>();
    for (const m of chunk.messages) {
      const v = this.verdicts.get(m.offset);
      if (v && (v.sha256 === undefined || v.sha256 === sha256(m.value))) out.set(m.offset, v);
    }
    return out;
  }

  private recovery(onPrepared: (chunk: Chunk) => void, first?: { chunk: Chunk; prepared: Promise<PreparedChunk> }): RecoveryOptions {
    return {
      ...this.where,
      log: this.deps.log,
      metrics: this.deps.metrics,
      maxAttempts: this.deps.maxAttempts,
      initialMs: this.deps.retryInitialMs,
      maxMs: this.deps.retryMaxMs,
      attempt: (chunk, n) => {
        const prepared = first?.chunk === chunk && n === 1 ? first.prepared : undefined;
        return this.attempt(chunk, n, prepared, onPrepared).catch((err: unknown) => {
          if (this.failingSince === undefined && classifyFailure(err) !== 'fenced') {
            this.failingSince = performance.now();
            this.deps.metrics?.retrying.set(this.labels(), 1);
          }
          throw err;
        });
      },
      probe: () => this.deps.probe(),
      convict: async (offset, found) => {
        const message = this.buffer.find((m) => m.offset === offset);
        const verdict: Verdict = { ...found, sha256: sha256(message?.value ?? null) };
        await this.deps.ledger?.convict(this.deps.topic, this.deps.partition, offset, verdict);
        this.verdicts.set(offset, verdict);
      },
      split: async (parts) => {
        await this.deps.ledger?.split(this.deps.topic, this.deps.partition, parts);
      },
      gone: () => this.stopping,
      sleep: (ms) => this.sleep(ms),
    };
  }

  private labels() {
    return { topic: this.deps.topic, partition: String(this.deps.partition) };
  }

  private async attempt(chunk: Chunk, n: number, preparedFirst: Promise<PreparedChunk> | undefined, onPrepared: (chunk: Chunk) => void): Promise<void> {
    await this.deps.turn(async () => {
      if (this.uncertain) {
        // The last publish may have committed after all: settle it, then see where the group is.
        await this.deps.publisher.fence();
        await this.readCommitted();
        this.uncertain = false;
      }
      const base = this.base;
      const messages = base === undefined ? chunk.messages : chunk.messages.filter((m) => BigInt(m.offset) >= base);
      if (messages.length === 0) return; // committed meanwhile (by an earlier owner, or by us)
      const work = messages.length === chunk.messages.length ? chunk : { ...chunk, messages };
      const prepared = await (preparedFirst && work === chunk ? preparedFirst : this.deps.pipeline.prepareChunk(work.messages, { verdicts: this.verdictsFor(work), attempt: n }));
      onPrepared(chunk);
      const outcome = await this.deps.pipeline.finishChunk(prepared);
      const end = this.deps.metrics?.stepSeconds.startTimer({ step: 'publish_commit' });
      try {
        await this.deps.publisher.publishAndCommit(outcome.records, (BigInt(work.to) + 1n).toString());
      } catch (err) {
        if (classifyFailure(err) !== 'fenced') this.uncertain = true;
        throw err;
      }
      end?.();
      this.committed(work, outcome);
    });
  }

  private committed(chunk: Chunk, outcome: ChunkOutcome): void {
    const next = BigInt(chunk.to) + 1n;
    this.base = next;
    this.trim();
    const convicted = chunk.messages.filter((m) => this.verdicts.delete(m.offset)).map((m) => m.offset);
    this.deps.ledger?.committed(this.deps.topic, this.deps.partition, chunk.from, convicted).catch((err: unknown) => this.deps.log.warn({ ...this.where, err }, 'could not clear the ledger of a committed chunk'));
    if (this.highWatermark !== undefined) this.deps.metrics?.lag.set(this.labels(), Math.max(0, Number(this.highWatermark - next)));
    this.deps.log.info({ ...this.where, fromOffset: chunk.from, toOffset: chunk.to, stories: outcome.stories, deadLetters: outcome.deadLetters }, 'chunk committed');
    if (this.failingSince !== undefined) {
      const seconds = (performance.now() - this.failingSince) / 1000;
      this.failingSince = undefined;
      this.deps.metrics?.retrying.set(this.labels(), 0);
      this.deps.metrics?.recoverySeconds.observe(seconds);
      this.deps.log.warn({ ...this.where, recoveryMs: Math.round(seconds * 1000), toOffset: chunk.to }, 'partition flowing again');
    }
    this.flow();
    this.deps.onChunk?.({ partition: this.deps.partition, lastOffset: chunk.to, outcome });
  }

  private async run(after?: Promise<void>): Promise<void> {
    await after?.catch(() => undefined);
    let prefetch: Promise<{ chunk: Chunk; prepared: Promise<PreparedChunk> } | undefined> | undefined;
    let trouble = 0;
    try {
      if (!(await this.take())) return;
      while (!this.stopping) {
        const ahead = await prefetch?.catch(() => undefined);
        prefetch = undefined;
        const first = ahead && ahead.chunk.from === this.buffer[0]?.offset ? ahead : undefined;
        let chunk: Chunk | undefined;
        try {
          chunk = first?.chunk ?? (await this.cut(true));
        } catch (err) {
          // The ledger (Redis) did not answer: the chunk cannot be planned yet.
          const delay = backoffMs(++trouble, this.deps.retryInitialMs, this.deps.retryMaxMs);
          this.deps.metrics?.infraRetries.inc({ cause: classifyFailure(err) });
          this.deps.log.error({ ...this.where, err, delayMs: delay }, 'planning the next chunk failed; retrying after backoff');
          await this.sleep(delay);
          continue;
        }
        trouble = 0;
        if (!chunk) break;
        // While this chunk is finished, the next one is prepared (archive, normalize, media: nothing
        // there depends on earlier chunks), once this one is prepared itself.
        const onPrepared = (c: Chunk) => {
          if (c !== chunk || prefetch || this.stopping) return;
          prefetch = this.cut(false, BigInt(chunk.to)).then((next) => {
            if (!next) return undefined;
            const prepared = this.deps.pipeline.prepareChunk(next.messages, { verdicts: this.verdictsFor(next) });
            prepared.catch(() => undefined); // awaited (and its error handled) when its turn comes
            return { chunk: next, prepared };
          });
          prefetch.catch(() => undefined);
        };
        try {
          await settle(this.recovery(onPrepared, first), chunk);
        } catch (err) {
          if (err instanceof PartitionGone) break;
          if (classifyFailure(err) !== 'fenced') throw err; // settle lets nothing else out
          this.deps.metrics?.fenced.inc();
          this.deps.log.warn({ ...this.where, err, retakeInMs: this.deps.retakeDelayMs }, 'producer fenced: another owner took the partition; nothing of the chunk was committed here');
          await this.sleep(this.deps.retakeDelayMs);
          if (!(await this.take())) break;
        }
      }
    } catch (err) {
      this.deps.log.error({ ...this.where, err }, 'partition worker failed');
    } finally {
      // Leave no preparation running behind us (its clients are about to close on shutdown).
      const ahead = await prefetch?.catch(() => undefined);
      await ahead?.prepared.catch(() => undefined);
      if (this.failingSince !== undefined) this.deps.metrics?.retrying.set(this.labels(), 0);
      if (this.paused) this.deps.resume();
      await this.deps.publisher.disconnect();
    }
  }
}
