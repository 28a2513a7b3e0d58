/**
 * What the delivery worker's parts share: the clients and settings `createDeliveryWorker` builds
 * once (`DeliveryContext`), the events the service emits, one attempt as the gate and the log see
 * it, and the log entry of an attempt.
 */
import type { EventEmitter } from 'node:events';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@wire/observability';
import type { PartnerRegistry, RecipientsRegister } from '@wire/routing';
import type { DeadLetterStore, DeliveryAttempt, DeliveryClient, DeliveryLog, DeliveryOutcome } from '@wire/webhooks';
import type { DeliveryConfig } from '../config';
import type { GateJob, PartnerGate } from '../gate/partner-gate';
import type { DeliveryMetrics } from '../metrics';
import type { PayloadBuilder } from '../payload';
import type { RetryPolicy } from '../retry';
import type { PartnerInFlight } from './in-flight';

/** Emitted on `service.events` and passed to `deps.onEvent`. */
export interface PartnerDisabledEvent {
  type: 'partner.disabled';
  partnerId: string;
  reason: string;
  at: string;
}
/** Emitted on `service.events` after each 2xx (for progress and end-to-end measurements). */
export interface DeliveredEvent {
  type: 'delivery.delivered';
  jobId: string;
  partnerId: string;
  storyUri: string;
  version: number;
  /** When the BullMQ job carrying the delivery was added, ms since epoch. */
  enqueuedAt: number;
}
export type DeliveryEvent = PartnerDisabledEvent;

export type ServiceEvents = { 'partner.disabled': [PartnerDisabledEvent]; 'delivery.delivered': [DeliveredEvent] };

/** What a batch job returns: how many of its deliveries ended each way in its last pass. */
export type BatchSummary = Partial<Record<DeliveryOutcome, number>>;

/** The success path's per-partner metric children. */
export interface PartnerMetrics {
  attempt: { observe(v: number): void };
  endToEnd: { observe(v: number): void };
  delivered: { inc(): void };
}

/** The clients, settings and state every part of one delivery worker uses. */
export interface DeliveryContext {
  config: DeliveryConfig;
  log: Logger;
  registry: PartnerRegistry;
  /** When given, partners are recorded as recipients on delivery (kills find them later). */
  recipients: RecipientsRegister | undefined;
  onEvent: ((event: DeliveryEvent) => void) | undefined;
  /** The deliver queue (retries of a batch's deliveries are added to it). */
  queue: Queue;
  /** The connection of the per-attempt writes (gate, log, recipients), auto-pipelined. */
  writes: Redis;
  gate: PartnerGate;
  deliveryLog: DeliveryLog;
  dead: DeadLetterStore;
  client: DeliveryClient;
  payloads: PayloadBuilder;
  metrics: DeliveryMetrics;
  /** The per-partner metric children of the success path, resolved once per partner. */
  partnerMetrics: (partnerId: string) => PartnerMetrics;
  events: EventEmitter<ServiceEvents>;
  policy: RetryPolicy;
  /** This process's requests on the wire per partner (batches wait here for a slot). */
  inFlight: PartnerInFlight;
  /** Set by close(): batches start no new round. */
  stopping: boolean;
}

/** One attempt: what the gate needs (it caches the job's keys on it) and what the log records. */
export interface AttemptInfo extends GateJob {
  webhookId: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/**
 * The per-partner metric children of the success path, each resolved once (label hashing per
 * call shows in profiles at thousands of deliveries per second).
 */
export function partnerMetricsOf(metrics: DeliveryMetrics): (partnerId: string) => PartnerMetrics {
  const byPartner = new Map<string, PartnerMetrics>();
  return (partnerId) => {
    let m = byPartner.get(partnerId);
    if (!m) {
      m = {
        attempt: metrics.attemptSeconds.labels({ partner: partnerId }),
        endToEnd: metrics.endToEndSeconds.labels({ partner: partnerId }),
        delivered: metrics.deliveries.labels({ partner: partnerId, outcome: 'delivered' }),
      };
      if (byPartner.size >= 10_000) byPartner.clear();
      byPartner.set(partnerId, m);
    }
    return m;
  };
}

/** A log entry of this attempt (the attempt's fields listed, never its gate keys). */
export function entryOf(a: AttemptInfo, at: string, outcome: DeliveryOutcome, extra?: Partial<DeliveryAttempt>): DeliveryAttempt {
  return {
    jobId: a.jobId,
    webhookId: a.webhookId,
    partnerId: a.partnerId,
    storyUri: a.storyUri,
    version: a.version,
    eventType: a.eventType,
    variant: a.variant,
    attempt: a.attempt,
    at,
    outcome,
    ...extra,
  };
}

/** Count an attempt's outcome and write its log entry. */
export async function record(ctx: DeliveryContext, entry: DeliveryAttempt): Promise<void> {
  ctx.metrics.deliveries.inc({ partner: entry.partnerId, outcome: entry.outcome });
  await ctx.deliveryLog.record(entry);
}
