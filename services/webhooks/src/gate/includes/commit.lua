-- commit(inflight, lock, base, register, holder, versionArg, rankArg, kill, ttl): after a 2xx, the
-- register moves forward to this version and event rank (never back), a kill is marked on the
-- base register, and the holder's slot and story lock are freed. `ttl`: the registers' TTL, s.
local function commit(inflight, lock, base, register, holder, versionArg, rankArg, kill, ttl)
  local version = tonumber(versionArg); local rank = tonumber(rankArg)
  local delivered = redis.call('HMGET', register, 'v', 't')
  local v = tonumber(delivered[1]) or -1; local t = tonumber(delivered[2]) or -1
  if version > v or (version == v and rank > t) then redis.call('HSET', register, 'v', versionArg, 't', rankArg) end
  redis.call('EXPIRE', register, ttl)
  if kill == '1' then
    redis.call('HSET', base, 'killed', '1')
    redis.call('EXPIRE', base, ttl)
  end
  redis.call('ZREM', inflight, holder)
  if redis.call('GET', lock) == holder then redis.call('DEL', lock) end
end
