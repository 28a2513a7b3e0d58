import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OpsError } from '../errors';
import type { IngestDeadLetters, Republish } from '../ingest-dead-letters';
import type { DeliveryAdmin } from '../ports';
import { parseOr400 } from '../validation';

const DeliveriesQuery = z
  .object({
    partner: z.string().min(1).optional(),
    story: z.string().min(1).optional(),
    status: z.string().min(1).optional(),
    limit: z.coerce.number({ error: 'a whole number' }).int('a whole number').min(1, 'at least 1').max(5000, 'at most 5000').default(100),
  })
  .strict();

const DeadLettersQuery = z
  .object({
    kind: z.enum(['ingest', 'delivery']).optional(),
    limit: z.coerce.number({ error: 'a whole number' }).int('a whole number').min(1, 'at least 1').max(1000, 'at most 1000').default(100),
  })
  .strict();

const ReplayFailuresBody = z
  .object({ since: z.string({ error: 'required, an ISO 8601 time' }).datetime({ offset: true, message: 'an ISO 8601 time, e.g. 2026-11-28T06:00:00Z' }) })
  .strict();

export interface DeliveryRouteDeps {
  deliveries?: DeliveryAdmin;
  ingestDeadLetters: IngestDeadLetters;
  republish: Republish;
}

function needDeliveries(d: DeliveryAdmin | undefined): DeliveryAdmin {
  if (!d) throw new OpsError('WIRE_ERR_OPS_UNAVAILABLE', 'the delivery log is not available (services/webhooks not built or not wired)');
  return d;
}

/** The delivery log, and dead letters of both kinds (ingest `wire.dlq`, delivery) with replay. */
export function deliveryRoutes(app: FastifyInstance, deps: DeliveryRouteDeps): void {
  app.get('/api/deliveries', async (req) => {
    const q = parseOr400(DeliveriesQuery, req.query, 'query');
    const deliveries = await needDeliveries(deps.deliveries).list(q);
    return { deliveries };
  });

  app.get('/api/dead-letters', async (req) => {
    const q = parseOr400(DeadLettersQuery, req.query, 'query');
    const ingest = q.kind === 'delivery' ? [] : await deps.ingestDeadLetters.list(q.limit);
    const delivery =
      q.kind === 'ingest' || !deps.deliveries ? [] : (await deps.deliveries.deadLetters(q.limit)).map((d) => ({ ...d, kind: 'delivery' as const }));
    return { deadLetters: [...ingest, ...delivery], counts: { ingest: await deps.ingestDeadLetters.count(), delivery: delivery.length } };
  });

  app.post<{ Params: { id: string } }>('/api/dead-letters/:id/replay', async (req, reply) => {
    const id = req.params.id;
    if (await deps.ingestDeadLetters.replay(id, deps.republish)) return reply.code(202).send({ id, kind: 'ingest', replayed: true });
    if (deps.deliveries && (await deps.deliveries.replay(id))) return reply.code(202).send({ id, kind: 'delivery', replayed: true });
    throw new OpsError('WIRE_ERR_OPS_NOT_FOUND', `dead letter "${id}" not found`, { id });
  });

  /** Replay all of a partner's delivery failures since a time (e.g. after it fixed its endpoint). */
  app.post<{ Params: { id: string } }>('/api/partners/:id/replay-failures', async (req, reply) => {
    const { since } = parseOr400(ReplayFailuresBody, req.body, 'body');
    const results = await needDeliveries(deps.deliveries).replayPartner(req.params.id, since);
    return reply.code(202).send({ partner: req.params.id, since, replayed: results.filter((r) => r.ok).length, results });
  });
}
