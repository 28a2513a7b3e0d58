-- wireGateCommitLogged (partner-gate.ts): the commit and the attempt's delivery log entry in one
-- call. KEYS 1-5 and ARGV 1-5 as wireGateCommit's; KEYS 6-8 and ARGV 6-9 the entry's
-- (`LogEntryWrite`, @wire/webhooks).
--- @include "delivery-log-entry"
--- @include "includes/commit"
commit(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
redis.call('DEL', KEYS[5])
logEntry(5, 5)
return 1
