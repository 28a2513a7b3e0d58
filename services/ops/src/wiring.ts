import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RoutingError, RoutingErrorCodes, type PartnerRegistry } from '@wire/routing';
import { createDeliveryOps, type DeliveryAttempt } from '@wire/webhooks';
import { OpsError } from './errors';
import type { DeliveryAdmin, DeliveryRecord, PartnerAdmin, PartnerRecord } from './ports';

function notFound(id: string): never {
  throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', `partner "${id}" not found`, { id });
}

/** Registry errors as API errors: invalid → 400 naming the field, exists → 409. */
function mapRoutingError(err: unknown): never {
  if (err instanceof RoutingError) {
    if (err.code === RoutingErrorCodes.PARTNER_EXISTS) throw new OpsError('WIRE_ERR_OPS_CONFLICT', err.message, err.details);
    if (err.code === RoutingErrorCodes.PARTNER_INVALID) {
      const fields = err.message
        .replace(/^partner[^:]*:\s*/, '')
        .split('; ')
        .map((part) => {
          const i = part.indexOf(': ');
          return i > 0 ? { field: part.slice(0, i), message: part.slice(i + 2) } : { field: '(body)', message: part };
        });
      throw new OpsError('WIRE_ERR_OPS_VALIDATION', `body invalid: ${err.message}`, { fields });
    }
    if (err.code === RoutingErrorCodes.PARTNER_NOT_FOUND) throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', err.message, err.details);
  }
  throw err;
}

/** The ops API's partner admin over @wire/routing's Redis registry. */
export function partnerAdmin(registry: PartnerRegistry): PartnerAdmin {
  const rec = (p: unknown) => p as PartnerRecord;
  return {
    create: (input) => registry.create(input as never).then(rec, mapRoutingError),
    get: (id) => registry.get(id).then((p) => (p ? rec(p) : undefined)),
    list: () => registry.list().then((l) => l.map(rec)),
    update: async (id, patch) => rec((await registry.update(id, patch as never).catch(mapRoutingError)) ?? notFound(id)),
    delete: (id) => registry.delete(id),
    rotateSecret: async (id) => rec((await registry.rotateSecret(id))?.partner ?? notFound(id)),
    disable: async (id, reason) => rec((await registry.disable(id, reason)) ?? notFound(id)),
    enable: async (id) => rec((await registry.enable(id)) ?? notFound(id)),
  };
}

/** A delivery-log attempt as the ops API shows it (`status` = outcome, `httpStatus` = the partner's answer). */
function deliveryRecord(a: DeliveryAttempt): DeliveryRecord {
  const { outcome, status, ...rest } = a;
  return { ...rest, status: outcome, httpStatus: status };
}

/** The delivery log and delivery dead letters of services/webhooks, for the ops API. */
export function deliveryAdmin(redis: Redis, deliverQueue: Queue, prefix: string): DeliveryAdmin {
  const ops = createDeliveryOps({ redis, deliverQueue, prefix });
  return {
    list: async (q) => (await ops.listDeliveries({ ...q, limit: Math.min(q.limit ?? 100, 1000) })).map(deliveryRecord),
    deadLetters: async (limit) => (await ops.listDeadLetters({ limit })).map((d) => ({ ...d })),
    replay: async (id) => (await ops.replayDeadLetter(id)).ok,
    replayPartner: (partnerId, since) => ops.replayPartnerFailures(partnerId, since),
  };
}
