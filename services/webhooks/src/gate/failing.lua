-- wireGateFailing (partner-gate.ts): the partner's continuous-failure clock, set on the first
-- failure (cleared by any commit) and read back. KEYS 1: failing; ARGV 1-2: now ms, its TTL ms.
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return redis.call('GET', KEYS[1])
