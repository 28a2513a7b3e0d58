/** @wire/translate — filled in by its issue. */
export {};
