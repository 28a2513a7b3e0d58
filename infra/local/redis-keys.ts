import type { Redis } from 'ioredis';

/**
 * Deletes every key matching `pattern` with SCAN and UNLINK — never FLUSH: the Redis may be
 * shared, so a run cleans up exactly its own unique prefix. Returns how many keys went.
 */
export async function deleteKeysMatching(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
