import type { RawWireMessageInput } from '@wire/queues';
import { nitf, paragraph, seeded } from './helpers';

export interface StreamMessage {
  partition: number;
  key: string;
  value: string;
  /** 'bad' messages must end on the dead-letter topic. */
  kind: 'v1' | 'resend' | 'update' | 'near-dup' | 'kill' | 'bad';
}

/**
 * A wire stream with the mix agencies produce: first versions, exact re-sends, updates (v2),
 * near-duplicates from another agency, kills, and messages that can never succeed. Each story
 * family stays on one partition (order matters within it); families interleave. Deterministic
 * for a seed, with receivedAt fixed per message, so two runs see the same stream.
 */
export function buildStream(seed: number, families: number, partitions: number): StreamMessage[] {
  const rand = seeded(seed);
  const base = Date.parse('2026-03-02T08:00:00Z');
  const perPartition: StreamMessage[][] = Array.from({ length: partitions }, () => []);
  const queues: Array<Array<Omit<StreamMessage, 'value'> & { make: (receivedAt: string) => string }>> = [];
  const sources = ['yonhap', 'ap', 'afp'];
  for (let f = 0; f < families; f++) {
    const partition = f % partitions;
    const source = sources[f % sources.length] as string;
    const guid = `story-${seed}-${f}`;
    const paragraphs = [paragraph(rand), paragraph(rand), paragraph(rand), paragraph(rand)];
    const headline = `${paragraph(rand, 7).replace(/\.$/, '')} (${f})`;
    const env = (e: Partial<RawWireMessageInput>, payload: string) => (receivedAt: string) =>
      JSON.stringify({ source, guid, version: 1, ...e, receivedAt, payload, contentType: 'application/xml' } satisfies RawWireMessageInput);
    const doc = nitf({ id: guid, headline, paragraphs });
    const q: (typeof queues)[number] = [{ partition, key: `${source}:${guid}`, kind: 'v1', make: env({}, doc) }];
    if (rand() < 0.35) q.push({ partition, key: `${source}:${guid}`, kind: 'resend', make: env({}, doc) });
    let version = 1;
    if (rand() < 0.5) {
      version = 2;
      const updated = [...paragraphs, `Updated: ${paragraph(rand)}`];
      q.push({ partition, key: `${source}:${guid}`, kind: 'update', make: env({ version: 2 }, nitf({ id: guid, headline, paragraphs: updated })) });
    }
    if (rand() < 0.3) {
      const ndGuid = `nd-${seed}-${f}`;
      const tweaked = [...paragraphs.slice(0, 3), `${paragraphs[3]?.slice(0, -1)} officials said.`];
      q.push({
        partition,
        key: `reuters:${ndGuid}`,
        kind: 'near-dup',
        make: (receivedAt) =>
          JSON.stringify({ source: 'reuters', guid: ndGuid, version: 1, receivedAt, contentType: 'application/xml', payload: nitf({ id: ndGuid, headline, paragraphs: tweaked }) }),
      });
    }
    if (rand() < 0.12) {
      q.push({ partition, key: `${source}:${guid}`, kind: 'kill', make: env({ version: version + 1, pubStatus: 'canceled' }, doc) });
    }
    if (f % 25 === 7) {
      q.push({ partition, key: `bad:${f}`, kind: 'bad', make: () => `{"source": "broken", "payload": ` });
    }
    if (f % 25 === 19) {
      const hostile = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><nitf><body><p>&lol2;</p></body></nitf>`;
      q.push({ partition, key: `hostile:${f}`, kind: 'bad', make: env({ guid: `hostile-${f}` }, hostile) });
    }
    queues.push(q);
  }
  // Interleave families on each partition, keeping each family's own order.
  let n = 0;
  for (let p = 0; p < partitions; p++) {
    const mine = queues.filter((q) => q[0]?.partition === p);
    while (mine.some((q) => q.length > 0)) {
      for (const q of mine) {
        if (q.length === 0 || rand() < 0.3) continue;
        const m = q.shift()!;
        const receivedAt = new Date(base + n++ * 1000).toISOString();
        perPartition[p]?.push({ partition: m.partition, key: m.key, kind: m.kind, value: m.make(receivedAt) });
      }
    }
  }
  // One list ordered by partition round-robin (the producer keeps per-partition order).
  const out: StreamMessage[] = [];
  for (let i = 0; out.length < perPartition.reduce((s, l) => s + l.length, 0); i++) {
    for (const list of perPartition) if (list[i]) out.push(list[i] as StreamMessage);
  }
  return out;
}
