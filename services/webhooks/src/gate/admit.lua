-- wireGateAdmit (partner-gate.ts): one attempt. KEYS 1-5: inflight, bucket, lock, base register,
-- register; ARGV 1-8: the limits, 9-11: holder, version, event rank.
--- @include "includes/admit"
local kind, n = admit(readLimits(1), KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[9], ARGV[10], ARGV[11])
return {kind, n}
