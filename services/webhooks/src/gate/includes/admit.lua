-- admit(limits, inflight, bucket, lock, base, register, holder, versionArg, rankArg): whether one
-- attempt of a delivery (its holder, the story version and the event's rank) may go on the wire
-- now. `register` is `base` (the story's register) for the original, the language variant's own
-- register for a translation. A register holds the delivered version and event rank (v, t), the
-- newest ever admitted (sv, st), and on the base one a kill flag. Returns the admission's kind and
-- its number (a version, or ms to wait).
local function admit(limits, inflight, bucket, lock, base, register, holder, versionArg, rankArg)
  local now = limits.now
  local version = tonumber(versionArg); local rank = tonumber(rankArg)
  local killed, deliveredVersion, deliveredRank, sentVersion, sentRank
  if register == base then
    local fields = redis.call('HMGET', base, 'killed', 'v', 't', 'sv', 'st')
    killed = fields[1]; deliveredVersion = fields[2]; deliveredRank = fields[3]; sentVersion = fields[4]; sentRank = fields[5]
    if sentRank == '3' then killed = '1' end
  else
    -- The kill of each language variant (a register of its own) still goes after the original's
    -- kill, and the register below drops repeats.
    if rank ~= 3 then
      local original = redis.call('HMGET', base, 'killed', 'st')
      killed = original[1]
      if original[2] == '3' then killed = '1' end
    end
    local fields = redis.call('HMGET', register, 'v', 't', 'sv', 'st')
    deliveredVersion = fields[1]; deliveredRank = fields[2]; sentVersion = fields[3]; sentRank = fields[4]
  end
  -- After a kill (delivered, or put on the wire: the partner may hold it) nothing more for the story.
  if rank ~= 3 and killed == '1' then return 'killed', 0 end
  if deliveredVersion then
    local v = tonumber(deliveredVersion); local t = tonumber(deliveredRank)
    if version < v or (version == v and rank < t) then return 'stale', v end
    if version == v and rank == t then return 'duplicate', v end
  end
  -- A later version went on the wire and may have reached the partner: never send an older one after it.
  if sentVersion then
    local v = tonumber(sentVersion); local t = tonumber(sentRank)
    if version < v or (version == v and rank < t) then return 'superseded', v end
  end
  local lockHolder = redis.call('GET', lock)
  if lockHolder and lockHolder ~= holder then return 'story-busy', redis.call('PTTL', lock) end
  local cap = limits.cap
  local rate = limits.rate
  local full = redis.call('ZCARD', inflight) >= cap
  -- Whether this holder already has a slot matters only at the cap and to the token bucket.
  local mine = (full or rate > 0) and redis.call('ZSCORE', inflight, holder)
  if full and not mine then
    -- Slots of crashed workers expire: drop them before refusing.
    redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
    if redis.call('ZCARD', inflight) >= cap then return 'busy', 0 end
  end
  if rate > 0 and not mine then
    local burst = limits.burst
    local tokenState = redis.call('HMGET', bucket, 'tokens', 'ts')
    local tokens = tonumber(tokenState[1]) or burst
    local ts = tonumber(tokenState[2]) or now
    if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
    if tokens < 1 then
      redis.call('HSET', bucket, 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
      return 'rate', math.ceil((1 - tokens) * 1000 / rate)
    end
    redis.call('HSET', bucket, 'tokens', tostring(tokens - 1), 'ts', tostring(math.max(now, ts)))
    redis.call('PEXPIRE', bucket, 3600000)
  end
  redis.call('ZADD', inflight, limits.expiry, holder)
  redis.call('PEXPIRE', inflight, limits.setTtl)
  redis.call('SET', lock, holder, 'PX', limits.ttl)
  if not sentVersion or version > tonumber(sentVersion) or (version == tonumber(sentVersion) and rank > tonumber(sentRank)) then
    redis.call('HSET', register, 'sv', versionArg, 'st', rankArg)
    redis.call('EXPIRE', register, limits.regTtl)
  end
  return 'ok', 0
end

-- The partner's limits from ARGV[at …]: now, cap, rate, burst, slot TTL ms, the slot's expiry
-- (now + TTL), the in-flight set's TTL (2 × TTL), the register's TTL s — computed in TypeScript,
-- so Lua formats no numbers.
local function readLimits(at)
  return { now = tonumber(ARGV[at]), cap = tonumber(ARGV[at + 1]), rate = tonumber(ARGV[at + 2]), burst = tonumber(ARGV[at + 3]),
    ttl = ARGV[at + 4], expiry = ARGV[at + 5], setTtl = ARGV[at + 6], regTtl = ARGV[at + 7] }
end
