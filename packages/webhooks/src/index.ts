/**
 * @wire/webhooks — Standard Webhooks signing (pure) and the delivery client behind @wire/netguard
 * (undici Pool per partner origin).
 */
export * from './errors';
export * from './signing';
export * from './client';
export * from './delivery-log';
export * from './dead-letters';
export * from './delivery-ops';
