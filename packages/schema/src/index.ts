/** @wire/schema — the canonical story, dedupe decisions and the typed-error base. Pure. */
export * from './story';
export * from './decision';
export * from './errors';
