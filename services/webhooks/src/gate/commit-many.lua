-- wireGateCommitMany (partner-gate.ts): several commits of one partner, each with its log entry.
-- KEYS 1-2: inflight, failing, then 6 per delivery (lock, base register, register, and the
-- entry's 3); ARGV 1: register TTL s, then 8 per delivery (holder, version, event rank, kill
-- flag, and the entry's 4).
--- @include "delivery-log-entry"
--- @include "includes/commit"
local n = (#KEYS - 2) / 6
for i = 0, n - 1 do
  local keyAt = 3 + i * 6; local argAt = 2 + i * 8
  commit(KEYS[1], KEYS[keyAt], KEYS[keyAt + 1], KEYS[keyAt + 2], ARGV[argAt], ARGV[argAt + 1], ARGV[argAt + 2], ARGV[argAt + 3], ARGV[1])
  logEntry(keyAt + 2, argAt + 3)
end
redis.call('DEL', KEYS[2])
return n
