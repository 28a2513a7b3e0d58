/**
 * @wire/webhooks — Standard Webhooks signing (pure) and the delivery client behind @wire/netguard
 * (undici Pool per partner origin), the delivery log and dead letters. Signing alone, without
 * undici or bullmq behind it: `@wire/webhooks/signing`.
 */
export * from './errors';
export * from './signing';
export * from './client';
export * from './delivery-log';
export * from './dead-letters';
export * from './delivery-ops';
