import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../packages/cli/src/commands/dedupe';
import { captureIO } from '../helpers/cli';
import { testEnv } from '../helpers/env';

const io = () => captureIO(testEnv());

const body = [
  'Harbor Freight Lines said it will buy 12 container cranes from Kalmar Industries for 84 mln dlrs, to be delivered by June 1989.',
  'The cranes will go to its terminals in Long Beach and Oakland, the company said, doubling capacity at both ports.',
  'Chief financial officer Rosa Delgado said the purchase would be financed from cash and a new 50 mln dlr credit line.',
].join('\n\n');
const page = `<html><body><nav><a href="/">Home</a></nav><article><h1>HARBOR FREIGHT TO BUY CRANES</h1>${body
  .split('\n\n')
  .map((p) => `<p>${p}</p>`)
  .join('')}<div class="ad">Advertisement</div></article><aside><h3>Related</h3><ul><li>PORT STRIKE ENDS</li></ul></aside><footer>Copyright 2026 Bay Times</footer></body></html>`;

const lines = [
  { id: 'a', source: 'agency', guid: 'hf-1', version: 1, receivedAt: '2026-03-02T09:00:00Z', headline: 'HARBOR FREIGHT TO BUY CRANES', body },
  { id: 'b', source: 'bay-times', guid: 'bt-77', version: 1, receivedAt: '2026-03-02T09:30:00Z', headline: 'HARBOR FREIGHT TO BUY CRANES', body: page },
  { id: 'c', source: 'agency', guid: 'hf-1', version: 2, receivedAt: '2026-03-02T10:00:00Z', headline: 'HARBOR FREIGHT TO BUY CRANES', body: `${body}\n\nShares of Harbor Freight rose 1-1/4 to 31-3/8.` },
  { id: 'd', source: 'agency', guid: 'hf-1', version: 1, receivedAt: '2026-03-02T11:00:00Z', headline: 'HARBOR FREIGHT TO BUY CRANES', body: `${body} Corrected.` },
  { id: 'e', source: 'agency', guid: 'hf-1', version: 3, receivedAt: '2026-03-02T12:00:00Z', headline: 'HARBOR FREIGHT TO BUY CRANES', body, pubStatus: 'canceled' },
];

describe('wire dedupe', () => {
  for (const store of ['memory', 'redis']) {
    it(`prints one decision per line, with of naming an earlier item (--store ${store})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'wire-dedupe-'));
      try {
        const file = join(dir, 'stream.jsonl');
        writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
        const t = io();
        expect(await run(['--input', file, '--store', store], t.io)).toBe(0);
        const out = t.out().trim().split('\n').map((l) => JSON.parse(l));
        expect(out).toEqual([
          { id: 'a', decision: 'new', of: null },
          { id: 'b', decision: 'duplicate', of: 'a' },
          { id: 'c', decision: 'update', of: 'a' },
          { id: 'd', decision: 'stale', of: 'c' },
          { id: 'e', decision: 'kill', of: 'c' },
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a kill without a version is a new version of the story: later lines name it, a second kill is stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-dedupe-'));
    try {
      const file = join(dir, 'kills.jsonl');
      const stream = [
        lines[0],
        lines[2],
        { id: 'k', source: 'agency', guid: 'hf-1', receivedAt: '2026-03-02T12:00:00Z', headline: 'HARBOR FREIGHT TO BUY CRANES', body, pubStatus: 'canceled' },
        { id: 'k2', source: 'agency', guid: 'hf-1', receivedAt: '2026-03-02T12:30:00Z', headline: 'KILL HARBOR FREIGHT', body, pubStatus: 'canceled' },
        { id: 'late', source: 'agency', guid: 'hf-1', version: 2, receivedAt: '2026-03-02T13:00:00Z', headline: 'HARBOR FREIGHT TO BUY CRANES', body: `${body}\n\nLate copy.` },
      ];
      writeFileSync(file, `${stream.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const t = io();
      expect(await run(['--input', file, '--store', 'memory'], t.io)).toBe(0);
      expect(t.out().trim().split('\n').map((l) => JSON.parse(l))).toEqual([
        { id: 'a', decision: 'new', of: null },
        { id: 'c', decision: 'update', of: 'a' },
        { id: 'k', decision: 'kill', of: 'c' },
        { id: 'k2', decision: 'stale', of: 'k' },
        { id: 'late', decision: 'stale', of: 'k' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a missing input with a usage error (exit 2)', async () => {
    const t = io();
    expect(await run(['--store', 'memory'], t.io)).toBe(2);
    expect(t.err()).toMatch(/^error WIRE_ERR_USAGE: /);
    expect(t.out()).toBe('');
  });

  it('names the bad line of a broken stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-dedupe-'));
    try {
      const file = join(dir, 'bad.jsonl');
      writeFileSync(file, `${JSON.stringify(lines[0])}\n{not json\n`);
      const t = io();
      expect(await run(['--input', file], t.io)).toBe(2);
      expect(t.err()).toMatch(/WIRE_ERR_DEDUPE_INPUT: .*line 2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
