import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluate, parseJsonl, type LabelledItem } from './evaluate';
import { heldOutStream } from './held-out.test-helpers';
import { normalizedStory } from './stream';

// The labelled dev stream (a copy in tests/fixtures/datasets, with its README).
const DEV_SET = fileURLToPath(new URL('../../../tests/fixtures/datasets/dedupe-dev.jsonl', import.meta.url));

describe('dev-set evaluation (Reuters-21578 stream, labels expect/cluster/kind)', () => {
  it('meets the quality targets through normalization, as `wire dedupe` runs', async () => {
    expect(existsSync(DEV_SET), `${DEV_SET} is missing`).toBe(true);
    const items = parseJsonl<LabelledItem>(readFileSync(DEV_SET, 'utf8'));
    expect(items.length).toBeGreaterThan(900);
    const r = await evaluate(items, { build: (item) => normalizedStory(item) });
    const summary = JSON.stringify({ accuracy: r.accuracy, precision: r.precision, recall: r.recall, f1: r.f1, lookalikesMerged: r.lookalikesMerged, errors: r.errors.slice(0, 10) });
    expect(r.f1, summary).toBeGreaterThanOrEqual(0.98);
    expect(r.precision, summary).toBeGreaterThanOrEqual(0.99);
    expect(r.accuracy, summary).toBeGreaterThanOrEqual(0.97);
    expect(r.lookalikesMerged, summary).toBeLessThanOrEqual(0.02);
    // Every versioned re-send in the stream is recognised as an update.
    expect(r.byKind.writethru?.correct).toBe(r.byKind.writethru?.items);
  });
});

describe('held-out transformations of the dev originals (HTML pages, re-segmented, reworded, late excerpts, other companies)', () => {
  it('meets the same targets on copy shaped in ways the dev set does not show', async () => {
    const stream = heldOutStream(parseJsonl<LabelledItem>(readFileSync(DEV_SET, 'utf8')));
    expect(stream.length).toBeGreaterThan(600);
    const r = await evaluate(stream, { build: (item) => normalizedStory(item) });
    const summary = JSON.stringify({ accuracy: r.accuracy, precision: r.precision, recall: r.recall, f1: r.f1, lookalikesMerged: r.lookalikesMerged, byKind: r.byKind, errors: r.errors.slice(0, 10) });
    expect(r.f1, summary).toBeGreaterThanOrEqual(0.98);
    expect(r.precision, summary).toBeGreaterThanOrEqual(0.99);
    expect(r.accuracy, summary).toBeGreaterThanOrEqual(0.97);
    expect(r.lookalikesMerged, summary).toBeLessThanOrEqual(0.02);
    for (const kind of ['html', 'resegment', 'reword', 'late-excerpt', 'combo', 'figures-different-story']) {
      const k = r.byKind[kind];
      expect(k?.items, kind).toBeGreaterThan(20);
      expect(k!.correct / k!.items, `${kind}: ${summary}`).toBeGreaterThanOrEqual(0.95);
    }
  });
});
