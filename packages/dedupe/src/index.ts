/** @wire/dedupe — filled in by its issue. */
export {};
