/** @wire/webhooks — filled in by its issue. */
export {};
