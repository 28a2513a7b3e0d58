/** @wire/observability — pino logger factory, prom-client registry, shutdown manager, health server, the run of a service's main.ts. */
export { createLogger, type Logger } from './logger';
export { createMetricsRegistry, Counter, Gauge, Histogram, Registry, Summary } from './metrics';
export { ShutdownManager } from './shutdown';
export { runService, type Service } from './service';
export { createHealthServer, listen, closeServer, type ReadinessCheck } from './health-server';
export { checkRedisDurability, warnIfRedisNotDurable, type RedisCommandClient, type RedisDurability } from './redis-durability';
