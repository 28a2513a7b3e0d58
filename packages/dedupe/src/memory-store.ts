/**
 * In-process `DedupeStore`: the record index and the uris, nothing else — for tests, the CLI's
 * `--store memory` and one-process tools. Not shared between processes. Engines sharing one
 * memory store take turns on its index, so they never conflict.
 */
import { RecordIndex } from './record-index';
import { graceDaysFor, type AppendRequest, type AppendResult, type DedupeStore } from './store';

export interface MemoryDedupeStoreOptions {
  /** Days a story stays findable (default 30). */
  windowDays?: number;
}

export class MemoryDedupeStore implements DedupeStore {
  readonly windowDays: number;
  readonly index: RecordIndex;
  private readonly names = new Map<number, string>();

  constructor(opts: MemoryDedupeStoreOptions = {}) {
    this.windowDays = opts.windowDays ?? 30;
    this.index = new RecordIndex({ windowDays: this.windowDays });
  }

  /** Number of records held (for tests and diagnostics). */
  get size(): number {
    return this.index.size;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.index.exclusive(async () => {
      this.index.evict(graceDaysFor(this.windowDays));
      // Map keys are in insertion (id) order: the evicted ids come first.
      for (const id of this.names.keys()) {
        if (id >= this.index.lo) break;
        this.names.delete(id);
      }
      return fn();
    });
  }

  async append(req: AppendRequest): Promise<AppendResult> {
    const first = this.index.seq + 1;
    req.uris.forEach((uri, k) => this.names.set(first + k, uri));
    this.index.commitStaged();
    const names = new Map<number, string>();
    for (const id of req.names) {
      const uri = this.names.get(id);
      if (uri !== undefined) names.set(id, uri);
    }
    return { ok: true, names };
  }
}
