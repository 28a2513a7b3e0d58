/** services/translator — importable parts of the service; main.ts is the only file with side effects. */
export {};
