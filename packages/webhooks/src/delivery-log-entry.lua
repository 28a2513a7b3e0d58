-- logEntry(ko, ao) writes one delivery log entry whose 3 keys follow KEYS[ko] (the log stream,
-- the partner's index, the story's index) and 4 arguments follow ARGV[ao] (score: the attempt's
-- time in ms, the entry's JSON, the trim cutoff in ms or '', the TTL in s): `LogEntryWrite` in
-- delivery-log.ts. The entry is stored once, in the log stream (its stream id says when it was
-- written); the partner's and the story's sorted sets hold that id, scored by the attempt's time.
-- The story's set gets its TTL on every write (a story takes few entries); on the trim cadence the
-- stream and the partner's set are trimmed to the retention and given it.
local function logEntry(ko, ao)
  local id = redis.call('XADD', KEYS[ko + 1], '*', 'e', ARGV[ao + 2])
  local score = ARGV[ao + 1]
  redis.call('ZADD', KEYS[ko + 2], score, id)
  redis.call('ZADD', KEYS[ko + 3], score, id)
  local ttl = ARGV[ao + 4]
  redis.call('EXPIRE', KEYS[ko + 3], ttl)
  local cutoff = ARGV[ao + 3]
  if cutoff ~= '' then
    redis.call('XTRIM', KEYS[ko + 1], 'MINID', '~', cutoff)
    redis.call('EXPIRE', KEYS[ko + 1], ttl)
    redis.call('ZREMRANGEBYSCORE', KEYS[ko + 2], '-inf', cutoff)
    redis.call('EXPIRE', KEYS[ko + 2], ttl)
    redis.call('ZREMRANGEBYSCORE', KEYS[ko + 3], '-inf', cutoff)
  end
end
