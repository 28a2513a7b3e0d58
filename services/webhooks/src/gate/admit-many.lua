-- wireGateAdmitMany (partner-gate.ts): one partner's batch, in order. KEYS 1-2: inflight, bucket,
-- then 3 per delivery (lock, base register, register); ARGV 1-8: the limits, then 3 per delivery
-- (holder, version, event rank). Once the partner is at its cap or out of tokens the rest are not
-- tried (they would be refused the same way, and trying would spend tokens out of order).
--- @include "includes/admit"
local limits = readLimits(1)
local out = {}
local n = (#KEYS - 2) / 3
local stopKind, stopN
for i = 0, n - 1 do
  local keyAt = 3 + i * 3; local argAt = 9 + i * 3
  local kind, x
  if stopKind then kind = stopKind; x = stopN
  else kind, x = admit(limits, KEYS[1], KEYS[2], KEYS[keyAt], KEYS[keyAt + 1], KEYS[keyAt + 2], ARGV[argAt], ARGV[argAt + 1], ARGV[argAt + 2]) end
  if kind == 'busy' or kind == 'rate' then stopKind = kind; stopN = x end
  out[#out + 1] = kind; out[#out + 1] = x
end
return out
