/** @wire/media — filled in by its issue. */
export {};
