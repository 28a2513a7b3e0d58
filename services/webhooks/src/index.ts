/** services/webhooks — importable parts of the service; main.ts is the only file with side effects. */
export * from './config';
export * from './retry';
export * from './payload';
export * from './gate/partner-gate';
export * from './metrics';
export * from './worker';
