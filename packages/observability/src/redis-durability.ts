import type { Logger } from 'pino';

/** The one method of an ioredis client the check uses (`redis.call('CONFIG', 'GET', 'save')`). */
export interface RedisCommandClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** How a Redis keeps its data across a restart, and whether it may evict keys. */
export interface RedisDurability {
  /** `aof` (append-only file), `rdb` (snapshots), both, `none`, or `unknown` when CONFIG is refused and AOF is off. */
  persistence: 'aof' | 'rdb' | 'aof+rdb' | 'none' | 'unknown';
  /** `maxmemory-policy`; undefined when neither CONFIG nor INFO says. */
  evictionPolicy: string | undefined;
  /** Where the answer came from: `CONFIG GET`, or `INFO` when CONFIG is disabled or renamed. */
  source: 'config' | 'info';
  /** What a user should fix, one sentence each; empty when Redis persists and never evicts. */
  warnings: string[];
}

async function configGet(redis: RedisCommandClient, name: string): Promise<string> {
  const reply = await redis.call('CONFIG', 'GET', name);
  // CONFIG GET answers [name, value] (RESP2) or {name: value} (RESP3).
  const value = Array.isArray(reply) ? reply[1] : (reply as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string') throw new Error(`CONFIG GET ${name}: no value`);
  return value;
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/** Asks Redis how it persists: CONFIG GET first; INFO when CONFIG is refused (managed Redis often disables it). */
async function readSettings(redis: RedisCommandClient): Promise<Omit<RedisDurability, 'warnings'>> {
  try {
    const [appendonly, save, policy] = await Promise.all([configGet(redis, 'appendonly'), configGet(redis, 'save'), configGet(redis, 'maxmemory-policy')]);
    const aof = appendonly === 'yes';
    const rdb = save.trim() !== '';
    return { persistence: aof && rdb ? 'aof+rdb' : aof ? 'aof' : rdb ? 'rdb' : 'none', evictionPolicy: policy, source: 'config' };
  } catch {
    // CONFIG refused (renamed, ACL): INFO tells AOF and the policy, not whether RDB snapshots are scheduled.
    const info = String(await redis.call('INFO', 'persistence')) + String(await redis.call('INFO', 'memory'));
    const aof = infoField(info, 'aof_enabled') === '1';
    return { persistence: aof ? 'aof' : 'unknown', evictionPolicy: infoField(info, 'maxmemory_policy'), source: 'info' };
  }
}

/**
 * Whether the Redis behind `redis` keeps queued work across a restart (AOF or RDB snapshots) and
 * never evicts keys (`maxmemory-policy noeviction`, which BullMQ needs). Rejects only when Redis
 * does not answer at all.
 *
 * @example
 * const d = await checkRedisDurability(redis);
 * if (d.warnings.length > 0) log.warn({ redis: d }, 'redis may lose queued work');
 */
export async function checkRedisDurability(redis: RedisCommandClient): Promise<RedisDurability> {
  const settings = await readSettings(redis);
  const warnings: string[] = [];
  if (settings.persistence === 'none') {
    warnings.push('Redis does not persist (appendonly no, save ""): a Redis restart loses partners, queued deliveries and translations, resend claims and the dedupe log');
  } else if (settings.persistence === 'unknown') {
    warnings.push('Redis persistence unknown: CONFIG is not allowed and AOF is off, so a Redis restart may lose queued deliveries and the dedupe log unless RDB snapshots are configured');
  }
  if (settings.evictionPolicy === undefined) {
    warnings.push('Redis maxmemory-policy unknown: BullMQ needs noeviction, or jobs can be evicted under memory pressure');
  } else if (settings.evictionPolicy !== 'noeviction') {
    warnings.push(`Redis maxmemory-policy is ${settings.evictionPolicy}: BullMQ needs noeviction, or jobs are evicted under memory pressure`);
  }
  return { ...settings, warnings };
}

/**
 * A service's start-up check: runs `checkRedisDurability` and logs a warning when Redis may lose
 * work. Never throws and never holds up start-up (call it without awaiting); resolves with the
 * result, or undefined when Redis could not be asked.
 */
export async function warnIfRedisNotDurable(redis: RedisCommandClient, log: Logger): Promise<RedisDurability | undefined> {
  try {
    const durability = await checkRedisDurability(redis);
    if (durability.warnings.length > 0) log.warn({ redisDurability: durability }, 'redis may lose queued work');
    else log.info({ redisDurability: durability }, 'redis persists and never evicts');
    return durability;
  } catch (err) {
    log.warn({ err }, 'could not check redis durability');
    return undefined;
  }
}
