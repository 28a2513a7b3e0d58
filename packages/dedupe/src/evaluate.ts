/**
 * Scoring the engine on a labelled stream (tests/fixtures/datasets/dedupe-dev.jsonl and the like):
 * decision accuracy on `expect`, pairwise precision/recall/F1 of the clusters the `of` links form
 * against `cluster`, and the share of different-story look-alikes merged with anything.
 */
import { DedupeEngine } from './engine';
import { MemoryDedupeStore } from './memory-store';
import { runStream, type StoryBuilder, type StreamItem, type StreamOutput } from './stream';

export interface LabelledItem extends StreamItem {
  expect: string;
  cluster: string;
  kind: string;
}

export interface EvaluationReport {
  items: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Items whose kind ends in `-different-story`. */
  lookalikes: number;
  /** Share of those merged with any other item. */
  lookalikesMerged: number;
  /** Per label kind: items and correct decisions. */
  byKind: Record<string, { items: number; correct: number }>;
  /** The wrong decisions, for diagnosis. */
  errors: Array<{ id: string; kind: string; expect: string; decision: string; of: string | null; cluster: string }>;
}

/** Parses JSONL text into items (blank lines skipped). */
export function parseJsonl<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** Scores decisions against the labels. */
export function score(items: readonly LabelledItem[], outputs: readonly StreamOutput[]): EvaluationReport {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (c !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  for (const it of items) parent.set(it.id, it.id);
  for (const o of outputs) if (o.of && parent.has(o.of)) parent.set(find(o.id), find(o.of));

  const byKind: EvaluationReport['byKind'] = {};
  const errors: EvaluationReport['errors'] = [];
  let correct = 0;
  const outById = new Map(outputs.map((o) => [o.id, o]));
  for (const it of items) {
    const o = outById.get(it.id);
    const k = (byKind[it.kind] ??= { items: 0, correct: 0 });
    k.items++;
    if (o && o.decision === it.expect) {
      correct++;
      k.correct++;
    } else {
      errors.push({ id: it.id, kind: it.kind, expect: it.expect, decision: o?.decision ?? 'missing', of: o?.of ?? null, cluster: it.cluster });
    }
  }

  // Pairwise counts via cluster × predicted-group contingency.
  const pairs = (n: number): number => (n * (n - 1)) / 2;
  const bothCount = new Map<string, number>();
  const truthCount = new Map<string, number>();
  const predCount = new Map<string, number>();
  for (const it of items) {
    const p = find(it.id);
    bothCount.set(`${it.cluster}\u0000${p}`, (bothCount.get(`${it.cluster}\u0000${p}`) ?? 0) + 1);
    truthCount.set(it.cluster, (truthCount.get(it.cluster) ?? 0) + 1);
    predCount.set(p, (predCount.get(p) ?? 0) + 1);
  }
  let tp = 0;
  for (const n of bothCount.values()) tp += pairs(n);
  let truePairs = 0;
  for (const n of truthCount.values()) truePairs += pairs(n);
  let predPairs = 0;
  for (const n of predCount.values()) predPairs += pairs(n);
  const precision = predPairs > 0 ? tp / predPairs : 1;
  const recall = truePairs > 0 ? tp / truePairs : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;

  const look = items.filter((it) => it.kind.endsWith('-different-story'));
  const merged = look.filter((it) => (predCount.get(find(it.id)) ?? 0) > 1).length;
  return {
    items: items.length,
    accuracy: items.length > 0 ? correct / items.length : 1,
    precision,
    recall,
    f1,
    lookalikes: look.length,
    lookalikesMerged: look.length > 0 ? merged / look.length : 0,
    byKind,
    errors,
  };
}

/** Runs a labelled stream through a fresh in-memory engine and scores it. */
export async function evaluate(items: readonly LabelledItem[], opts: { build?: StoryBuilder; engine?: DedupeEngine } = {}): Promise<EvaluationReport> {
  const engine = opts.engine ?? new DedupeEngine({ store: new MemoryDedupeStore() });
  const outputs = await runStream(items, engine, { build: opts.build });
  return score(items, outputs);
}
