import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One Lua script kept as a file, and how its command is called. */
export interface ScriptFile {
  /** The `.lua` file, beside the code that runs it: `new URL('./x.lua', import.meta.url)`. */
  file: URL;
  /**
   * How many of a call's arguments are KEYS. Omitted: the count varies, and the caller passes it
   * as the first argument of every call (`redis.myScript(keys.length, ...keys, ...args)`).
   */
  keys?: number;
}

/**
 * Fragments a script may include by name, for those that live in another package (the owner
 * exports the fragment's URL). Any other include is a path relative to the including file.
 */
export type ScriptIncludes = Readonly<Record<string, URL>>;

/** What `defineScripts` needs of a client: ioredis `Redis` and `Cluster` both have it. */
export interface ScriptHost {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** A script command as ioredis defines it (string replies; `<name>Buffer` gives Buffers). */
export type ScriptCommand = (...args: Array<string | number | Buffer>) => Promise<unknown>;

/** The client with the commands `defineScripts` gave it. */
export type WithScripts<C, N extends string> = C & { [K in N]: ScriptCommand } & { [K in N as `${K}Buffer`]: ScriptCommand };

/** `--- @include "name"` on a line of its own, as BullMQ writes it (`.lua` may be left out). */
const INCLUDE = /^---?\s*@include\s+"([^"]+)"\s*$/gm;

/** File texts by URL: each file is read once per process. */
const files = new Map<string, string>();

function readOnce(url: URL): string {
  let text = files.get(url.href);
  if (text === undefined) {
    try {
      text = readFileSync(url, 'utf8');
    } catch (e) {
      throw new Error(`redis script ${fileURLToPath(url)}: cannot be read (${(e as Error).message})`, { cause: e });
    }
    files.set(url.href, text);
  }
  return text;
}

/**
 * The Lua of `file` with each `--- @include "name"` line replaced by the file it names: a name of
 * `includes`, else a path relative to the including file (`.lua` added when left out). Includes
 * nest; a file already included in this script is left out the second time, so fragments may
 * include what they need without the script defining a function twice.
 *
 * @example
 * // commit-logged.lua:  --- @include "delivery-log-entry"   --- @include "gate-commit"   commit(…) logEntry(…)
 * readScript(new URL('./commit-logged.lua', import.meta.url), { 'delivery-log-entry': LOG_ENTRY_SCRIPT });
 */
export function readScript(file: URL, includes: ScriptIncludes = {}): string {
  const seen = new Set<string>();
  const expand = (url: URL, chain: readonly string[]): string => {
    seen.add(url.href);
    const path = [...chain, url.href];
    return readOnce(url).replace(INCLUDE, (_line, name: string) => {
      const target = includes[name] ?? new URL(name.endsWith('.lua') ? name : `${name}.lua`, url);
      if (path.includes(target.href)) throw new Error(`redis script ${fileURLToPath(file)}: include cycle (${[...path, target.href].map((h) => fileURLToPath(h)).join(' → ')})`);
      if (seen.has(target.href)) return '';
      return expand(target, path);
    });
  };
  return expand(file, []);
}

/** Scripts defined on each client, by command name (the Lua, to tell a clash from a repeat). */
const defined = new WeakMap<object, Map<string, string>>();

/**
 * Defines each script as a command of `redis` (ioredis `defineCommand`), once per client: a
 * second store or gate on the same client finds its commands there. ioredis sends EVALSHA and,
 * where Redis answers NOSCRIPT (a restart, SCRIPT FLUSH), the script itself, so callers never
 * handle NOSCRIPT. Reads the files now (synchronously, once per process): call it where the
 * client is given, not at import.
 *
 * @example
 * const redis = defineScripts(client, { wireGateRelease: { file: new URL('./release.lua', import.meta.url), keys: 2 } });
 * await redis.wireGateRelease(inflightKey, lockKey, jobId);
 */
export function defineScripts<C extends ScriptHost, N extends string>(redis: C, scripts: Readonly<Record<N, ScriptFile>>, includes: ScriptIncludes = {}): WithScripts<C, N> {
  let names = defined.get(redis);
  if (!names) defined.set(redis, (names = new Map()));
  for (const [name, script] of Object.entries(scripts) as Array<[string, ScriptFile]>) {
    const lua = readScript(script.file, includes);
    const already = names.get(name);
    if (already === lua) continue;
    if (already !== undefined) throw new Error(`redis script ${name}: already defined on this client with other Lua`);
    redis.defineCommand(name, script.keys === undefined ? { lua } : { lua, numberOfKeys: script.keys });
    names.set(name, lua);
  }
  return redis as WithScripts<C, N>;
}
