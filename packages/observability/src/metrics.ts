import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

/** A fresh Prometheus registry with process metrics, labelled with the service name. */
export function createMetricsRegistry(service: string, { defaults = true } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaults) collectDefaultMetrics({ register: registry });
  return registry;
}
