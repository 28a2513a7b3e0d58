/**
 * @wire/webhooks — Standard Webhooks signing (pure), the SSRF guard and the delivery client
 * (undici Pool per partner origin).
 */
export * from './errors';
export * from './signing';
export * from './ssrf';
export * from './client';
export * from './delivery-log';
export * from './dead-letters';
export * from './delivery-ops';
