import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run, type ChaosReport } from '../../chaos/run';
import { FAULT_KINDS } from '../../chaos/plan';
import { runCommand } from '../helpers/cli';
import { testEnv } from '../helpers/env';

const SEED = process.env.WIRE_CHAOS_SEED ?? '20261207';

// A short `wire chaos`: its own Kafka, S3Proxy and Redis, two replicas each of ingest, webhooks
// and translator, 20 partners, and one kill -9, one broker restart and one Redis restart (the long
// run adds S3 and partner outages). The command builds its ledger from the outside (what partners
// answered 2xx to after verifying signatures, ops' dead letters and delivery log,
// stories.canonical read committed); this test holds it to the goals.
const FAULTS = ['replicaKill', 'kafkaRestart', 'redisRestart'] as const;

describe('wire chaos (short run)', () => {
  it(`loses nothing, keeps order and kills, publishes each version once, through a kill -9 and broker and Redis restarts (seed ${SEED})`, async () => {
    // Apertium is only read (the suite's APY); nothing else of the shared infrastructure is used.
    const env = { ...process.env, APERTIUM_URL: testEnv().APERTIUM_URL ?? 'http://127.0.0.1:2737' };
    const argv = ['--trials', String(FAULTS.length), '--faults', FAULTS.join(','), '--seed', SEED, '--stories', '15', '--rate', '1', '--max-outage', '5', '--max-gap', '1', '--recovery-cap', '60', '--settle', '180', '--json'];
    const { code, out, err } = await runCommand(run, argv, env);
    const last = out.trim().split('\n').at(-1) ?? '';
    expect(last, err.split('\n').slice(-30).join('\n')).toMatch(/^\{/);
    const r = JSON.parse(last) as ChaosReport;
    try {
      expect(r.trials).toBe(FAULTS.length);
      for (const kind of FAULT_KINDS) expect(r.faults[kind], kind).toBe((FAULTS as readonly string[]).includes(kind) ? 1 : 0);
      expect(r.published).toBeGreaterThan(20);
      expect(r.expected).toBeGreaterThan(r.published);
      // Every owed delivery is accounted for: delivered, dead-lettered with a reason, superseded by
      // a later version (logged as refused), or never sent to the partner that answered 410.
      expect(r.lost).toBe(0);
      expect(r.delivered + r.deadLettered + r.superseded + r.skippedGone).toBe(r.expected);
      expect(r.deadLettered).toBeGreaterThan(0);
      expect(r.outOfOrder).toBe(0);
      expect(r.afterKill).toBe(0);
      expect(r.unexpected).toBe(0);
      expect(r.canonical.versions).toBeGreaterThan(15);
      expect(r.canonical).toMatchObject({ records: r.canonical.versions, missing: 0, repeated: 0, unexpected: 0 });
      expect(r.pictures.delivered).toBeGreaterThan(0);
      expect(r.pictures.withoutRenditions).toBe(0);
      expect(r.pictures.fetchFailed).toBe(0);
      expect(code).toBe(0);
      console.log(
        `chaos: ${r.trials} faults, ${r.published} messages, ${r.expected} deliveries owed = ${r.delivered} delivered + ${r.deadLettered} dead-lettered + ${r.superseded} superseded + ${r.skippedGone} gone; lost ${r.lost}, out of order ${r.outOfOrder}, after a kill ${r.afterKill}; ${r.canonical.versions} versions once each on stories.canonical`,
      );
    } finally {
      rmSync(r.dir, { recursive: true, force: true });
    }
  }, 900_000);
});
