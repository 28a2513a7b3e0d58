import { Counter, Gauge, Histogram, type Registry } from '@wire/observability';

/** The webhook service's Prometheus metrics (reused when a registry already holds them). */
export interface DeliveryMetrics {
  deliveries: Counter<'partner' | 'outcome'>;
  attemptSeconds: Histogram<'partner'>;
  endToEndSeconds: Histogram<'partner'>;
  deadLetters: Counter<'partner' | 'code'>;
  partnersDisabled: Counter<'partner' | 'reason'>;
  disabledPartners: Gauge;
}

export function createDeliveryMetrics(registry: Registry, countDisabled: () => Promise<number>): DeliveryMetrics {
  const reuse = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    deliveries: reuse(
      'wire_webhook_deliveries_total',
      () =>
        new Counter({
          name: 'wire_webhook_deliveries_total',
          help: 'Webhook delivery attempts by partner and outcome (delivered, retrying, dead, stale, duplicate, dropped)',
          labelNames: ['partner', 'outcome'],
          registers: [registry],
        }),
    ),
    attemptSeconds: reuse(
      'wire_webhook_attempt_seconds',
      () =>
        new Histogram({
          name: 'wire_webhook_attempt_seconds',
          help: 'Duration of one HTTP attempt to a partner',
          labelNames: ['partner'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
          registers: [registry],
        }),
    ),
    endToEndSeconds: reuse(
      'wire_webhook_end_to_end_seconds',
      () =>
        new Histogram({
          name: 'wire_webhook_end_to_end_seconds',
          help: 'Wire message received to partner 2xx',
          labelNames: ['partner'],
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
          registers: [registry],
        }),
    ),
    deadLetters: reuse(
      'wire_webhook_dead_letters_total',
      () =>
        new Counter({
          name: 'wire_webhook_dead_letters_total',
          help: 'Deliveries sent to dead letters, by partner and error code',
          labelNames: ['partner', 'code'],
          registers: [registry],
        }),
    ),
    partnersDisabled: reuse(
      'wire_webhook_partner_disabled_total',
      () =>
        new Counter({
          name: 'wire_webhook_partner_disabled_total',
          help: 'Partners disabled by the delivery worker (410 Gone or sustained failure)',
          labelNames: ['partner', 'reason'],
          registers: [registry],
        }),
    ),
    disabledPartners: reuse(
      'wire_webhook_partners_disabled',
      () =>
        new Gauge({
          name: 'wire_webhook_partners_disabled',
          help: 'Partners currently disabled in the registry',
          registers: [registry],
          async collect() {
            this.set(await countDisabled());
          },
        }),
    ),
  };
}
