/** @wire/schema — the canonical story, language variants, dedupe decisions and the typed-error base. Pure. */
export * from './story';
export * from './variant';
export * from './decision';
export * from './errors';
