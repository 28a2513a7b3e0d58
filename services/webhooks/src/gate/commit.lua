-- wireGateCommit (partner-gate.ts): one 2xx attempt. KEYS 1-5: inflight, lock, base register,
-- register, failing; ARGV 1-5: holder, version, event rank, kill flag, register TTL s. Clears the
-- partner's failure clock.
--- @include "includes/commit"
commit(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
redis.call('DEL', KEYS[5])
return 1
