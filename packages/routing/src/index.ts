/** @wire/routing — filled in by its issue. */
export {};
