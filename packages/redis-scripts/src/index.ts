/**
 * @wire/redis-scripts — Lua scripts kept as `.lua` files beside the code that runs them, with
 * shared fragments included by name, and registered on an ioredis client once through
 * `defineCommand` (ioredis sends EVALSHA, and the script itself where Redis answers NOSCRIPT).
 */
export { defineScripts, readScript, type ScriptCommand, type ScriptFile, type ScriptHost, type ScriptIncludes, type WithScripts } from './scripts';
