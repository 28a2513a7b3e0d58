/**
 * One trial: inject a fault, wait until it is over, and time the recovery — from the fault to
 * the first delivery (in the fault's scope) of a story version published after it began.
 */
import { baseOf } from './expect';
import type { Receipt } from './ledger';
import type { PartnerEndpoint } from './partners';
import type { FaultKind, FaultPlan } from './plan';
import type { ChaosStack } from './stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TrialResult {
  trial: number;
  kind: FaultKind;
  fault: FaultPlan;
  at: number;
  /** Fault → first delivery in scope of a version published after the fault; undefined when none came in time. */
  recoveryMs: number | undefined;
}

/** Inject `fault`; resolves once it is over (the replica restarted, the broker, Redis, S3 or the partner back). */
export async function inject(fault: FaultPlan, stack: ChaosStack, partners: ReadonlyMap<string, PartnerEndpoint>): Promise<void> {
  switch (fault.kind) {
    case 'replicaKill': {
      await stack.killReplica(fault.replica);
      await sleep(fault.restartAfterMs);
      stack.startReplica(fault.replica);
      await stack.waitReady(fault.replica, 180_000);
      return;
    }
    case 'kafkaRestart':
      return stack.restartKafka(fault.downMs);
    case 'redisRestart':
      return stack.restartRedis(fault.downMs);
    case 's3Outage':
      return stack.s3Outage(fault.downMs);
    case 'partnerOutage': {
      const p = partners.get(fault.partner);
      if (!p) throw new Error(`no partner ${fault.partner}`);
      await p.down();
      await sleep(fault.downMs);
      await p.up();
      return;
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
