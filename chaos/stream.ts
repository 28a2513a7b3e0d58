/**
 * The wire stream of a run: story families opened at a steady rate (none while the pipeline is
 * backed up), each message put on `wire.raw` when it is due, in order, as a wire envelope.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WirePublisher } from './kafka';
import { nitfDocument, storyFamily, type StoryMessage } from './plan';

export interface StreamOptions {
  seed: number;
  /** Story families opened per second. */
  rate: number;
  /** Families the run opens at least (more while trials go on). */
  minStories: number;
  partitions: number;
  /** Deliveries and translations waiting above which no family is opened. */
  maxBacklog: number;
  publisher: WirePublisher;
  imageUrl: (index: number) => string;
  emit: (event: Record<string, unknown>) => void;
  stopped: () => boolean;
}

export class WireStream {
  /** Messages the broker acknowledged, in the order they were sent. */
  readonly published: StoryMessage[] = [];
  /** When each (uri, version) was first acknowledged, ms since epoch: recoveries count from it. */
  readonly publishedAt = new Map<string, number>();
  families = 0;
  private ending = false;
  private backlog = 0;
  private held = false;

  constructor(private readonly opts: StreamOptions) {}

  /** The latest count of waiting deliveries and translations (back-pressure). */
  setBacklog(n: number): void {
    this.backlog = n;
  }

  /** After the trials: open families only up to the minimum, publish what they still owe, and end. */
  end(): void {
    this.ending = true;
  }

  /** Publish until ended (or stopped); resolves once every opened family is out. */
  async run(): Promise<void> {
    const o = this.opts;
    const t0 = Date.now();
    const interval = 1000 / o.rate;
    const pending: StoryMessage[] = [];
    let nextAt = 0;
    while (!o.stopped()) {
      const now = Date.now() - t0;
      if (this.held !== this.backlog > o.maxBacklog) {
        this.held = !this.held;
        o.emit({ event: this.held ? 'backpressure' : 'backpressure-off', backlog: this.backlog });
      }
      let opened = false;
      while ((this.families < o.minStories || !this.ending) && nextAt <= now && !this.held) {
        pending.push(...storyFamily(o.seed, this.families, now, o.partitions));
        this.families++;
        // After a pause the next family follows one interval later: no burst to catch up.
        nextAt = Math.max(nextAt + interval, now - interval);
        opened = true;
      }
      if (opened) pending.sort((a, b) => a.dueMs - b.dueMs || a.family - b.family);
      if (pending.length === 0 && this.ending && this.families >= o.minStories) return;
      const next = pending[0];
      if (!next || next.dueMs > now) {
        await sleep(100);
        continue;
      }
      pending.shift();
      const envelope = {
        source: next.source,
        guid: next.guid,
        version: next.version,
        receivedAt: new Date().toISOString(),
        contentType: 'application/xml',
        payload: nitfDocument(next, o.imageUrl),
        ...(next.canceled ? { pubStatus: 'canceled' } : {}),
      };
      if (!(await o.publisher.send({ key: `${next.source}:${next.guid}`, value: JSON.stringify(envelope), partition: next.partition }, o.stopped))) return;
      this.published.push(next);
      const k = `${next.uri}|${next.version}`;
      if (!this.publishedAt.has(k)) this.publishedAt.set(k, Date.now());
    }
  }
}
