/**
 * One trial: inject a fault, wait until it is over, and time the recovery — from the moment the
 * fault took effect to the first delivery (in the fault's scope) of a story version published
 * after that moment.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { baseOf } from './expect';
import type { Receipt } from './ledger';
import type { PartnerEndpoint } from './partners';
import type { FaultKind, FaultPlan } from './plan';
import type { ChaosStack } from './stack';

export interface TrialResult {
  trial: number;
  kind: FaultKind;
  fault: FaultPlan;
  /** When the fault took effect (ms since epoch). */
  at: number;
  /** Fault → first delivery in scope of a version published after it; undefined when none came in time. */
  recoveryMs: number | undefined;
}

/**
 * Inject `fault`. Resolves once it took effect (the replica is gone, the broker, Redis, S3Proxy or
 * the partner stopped), with that moment and a promise that settles once the fault is over (the
 * replica started again, the server back).
 */
export async function inject(fault: FaultPlan, stack: ChaosStack, partners: ReadonlyMap<string, PartnerEndpoint>): Promise<{ at: number; over: Promise<void> }> {
  const after = (ms: number, restore: () => Promise<void>) => ({ at: Date.now(), over: sleep(ms).then(restore) });
  switch (fault.kind) {
    case 'replicaKill':
      await stack.killReplica(fault.replica);
      return after(fault.restartAfterMs, async () => {
        stack.startReplica(fault.replica);
        await stack.waitReady(fault.replica, 180_000);
      });
    case 'kafkaRestart':
      await stack.stopInfra('kafka');
      return after(fault.downMs, () => stack.startInfra('kafka'));
    case 'redisRestart':
      await stack.stopRedis();
      return after(fault.downMs, () => stack.startRedis());
    case 's3Outage':
      await stack.stopInfra('s3');
      return after(fault.downMs, () => stack.startInfra('s3'));
    case 'partnerOutage': {
      const p = partners.get(fault.partner);
      if (!p) throw new Error(`no partner ${fault.partner}`);
      await p.down();
      return after(fault.downMs, () => p.up());
    }
  }
}

/**
 * Poll the partners' receipts until one (of `scope`, or any partner) answers 2xx to a version
 * first published at or after `since`; resolves with the time since `since`, or undefined after
 * `capMs` (or once `stop()` holds).
 */
export async function recovery(
  since: number,
  partners: readonly PartnerEndpoint[],
  publishedAt: ReadonlyMap<string, number>,
  capMs: number,
  stop: () => boolean,
): Promise<number | undefined> {
  const fresh = (r: Receipt) => r.at >= since && (publishedAt.get(`${baseOf(r.uri)}|${r.version}`) ?? -Infinity) >= since;
  const from = partners.map((p) => p.receipts.length);
  const deadline = since + capMs;
  while (Date.now() < deadline && !stop()) {
    for (const [i, p] of partners.entries()) {
      const list = p.receipts;
      for (let k = from[i]!; k < list.length; k++) {
        if (fresh(list[k]!)) return list[k]!.at - since;
      }
      from[i] = list.length;
    }
    await sleep(200);
  }
  return undefined;
}
