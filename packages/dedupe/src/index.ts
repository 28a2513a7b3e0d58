/**
 * @wire/dedupe — exact, near-duplicate and look-alike-aware dedupe plus versioning.
 *
 * Pure fingerprint maths (`fingerprint`, `compare`, `text`, `hash`, `record`) import no client;
 * the Redis store sits behind the `DedupeStore` interface.
 */
export * from './errors';
export * from './hash';
export * from './text';
export * from './fingerprint';
export * from './compare';
export * from './record';
export * from './store';
export * from './record-index';
export * from './memory-store';
export * from './engine';
export * from './stream';
export * from './evaluate';
export * from './redis-store';
