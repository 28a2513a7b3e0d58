/**
 * @wire/routing — the partner registry (Redis, or a declarative partners file), the recipients
 * register, and routing: story decisions → deliver and translate jobs.
 */
export * from './errors';
export * from './partner';
export * from './registry';
export * from './partners-file';
export * from './recipients';
export * from './plan';
export * from './enqueue';
