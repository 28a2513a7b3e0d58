-- wireGateRelease (partner-gate.ts): after a failed attempt, free the holder's slot and story
-- lock. KEYS 1-2: inflight, lock; ARGV 1: holder.
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
