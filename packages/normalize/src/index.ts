/** @wire/normalize — filled in by its issue. */
export {};
