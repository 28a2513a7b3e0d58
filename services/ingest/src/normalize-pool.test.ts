import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { normalize } from '@wire/normalize';
import { createLogger } from '@wire/observability';
import { createNormalizePool } from './normalize-pool';

const pool = createNormalizePool({ threads: 2, log: createLogger({ name: 'test', level: 'silent' }) });
const nitf = readFileSync(new URL('../../../tests/fixtures/wire/nitf/NTB_nitf_sample.xml', import.meta.url));
const opts = { source: 'ntb', receivedAt: '2026-03-02T08:00:00Z' };
/** 5.2 MB of "& " as plain text: seconds to normalize, and its canonical JSON alone is over 20 MB. */
const flood = { bytes: Buffer.from(`Council votes on harbor budget\nBy Kim Min-ji\n\n${'& '.repeat(2_600_000)}`), opts: { ...opts, contentType: 'text/plain' } };
afterAll(() => pool.close());

describe('normalize pool (worker threads)', () => {
  it('gives what normalize gives on this thread, in input order, errors by code', async () => {
    const jobs = [
      { bytes: nitf, opts: { source: 'ntb', receivedAt: '2026-03-02T08:00:00Z' } },
      { bytes: Buffer.from('plainly not a wire document'), opts: { source: 'x' } },
      { bytes: nitf, opts: { source: 'ntb', guid: 'other', receivedAt: '2026-03-02T08:00:00Z' } },
    ];
    const out = await pool.normalizeMany(jobs);
    expect(out).toHaveLength(3);
    jobs.forEach((job, i) => {
      const here = normalize(job.bytes, job.opts);
      const there = out[i] as Record<string, unknown>;
      if (here.ok) expect(there).toMatchObject({ ok: true, value: JSON.parse(JSON.stringify(here.value)) as unknown });
      else expect(there).toMatchObject({ ok: false, error: { code: here.error.code, message: here.error.message } });
    });
    expect((out[0] as { ok: boolean }).ok).toBe(true);
    expect((out[1] as { ok: boolean }).ok).toBe(false);
  });

  it('gives a document that runs its thread out of heap a memory outcome (on a fresh thread too), the others their stories', async () => {
    const small = createNormalizePool({ threads: 1, maxHeapMb: 64, log: createLogger({ name: 'test', level: 'silent' }) });
    try {
      const out = await small.normalizeMany([{ bytes: nitf, opts }, flood, { bytes: nitf, opts: { ...opts, guid: 'after' } }]);
      expect(out.map((o) => ('budget' in o ? o.budget : 'ok' in o && o.ok))).toEqual([true, 'memory', true]);
    } finally {
      await small.close();
    }
  }, 90_000);

  it('stops a thread still on one document past the time budget: that document gets a time outcome, the next one its stories', async () => {
    const quick = createNormalizePool({ threads: 1, timeoutMs: 600, log: createLogger({ name: 'test', level: 'silent' }) });
    try {
      await quick.warm();
      const out = await quick.normalizeMany([flood, { bytes: nitf, opts }]);
      expect(out[0]).toMatchObject({ budget: 'time', detail: 'still running after 600 ms' });
      expect(out[1]).toMatchObject({ ok: true });
    } finally {
      await quick.close();
    }
  }, 90_000);

  it('refuses work once closed', async () => {
    const closed = createNormalizePool({ threads: 1, log: createLogger({ name: 'test', level: 'silent' }) });
    await closed.close();
    await expect(closed.normalizeMany([{ bytes: Buffer.from('x'), opts: {} }])).rejects.toThrow(/closed/);
  });
});
