-- wireDedupeAppend (redis-store.ts): appends a batch of decisions' records to the dedupe log in
-- one step, or refuses it when another writer appended records the batch depends on. No KEYS:
-- every key is built from the prefix in ARGV[1] (the layout is described in redis-store.ts).
-- ARGV: prefix; numbers "snapshot n ttl maxCatchUp nNames id…"; the staged records (n × RB
-- bytes); the touched keys (4-byte big-endian each); the n stored uris (length-prefixed); the
-- epoch of the log the replica holds ('' for none yet). Reply: ok, seq, what others appended
-- since the snapshot, the epoch, then the uris asked for.
local p = ARGV[1] .. ':l'
local nx = string.gmatch(ARGV[2], '%S+')
local snapshot = tonumber(nx())
local n = tonumber(nx())
local ttl = nx()
local maxCatchUp = tonumber(nx())
local nn = tonumber(nx())
local blob = ARGV[3]
local touched = ARGV[4]
-- Bytes per record and records per chunk (record.ts RECORD_BYTES, CHUNK), uris per names key
-- (redis-store.ts NAMES): redis-store.test.ts holds them equal.
local RB = 164
local CH = 1598
local NM = 128
-- P:seq is "<last id> <epoch>". The epoch is made with the log, so a replica of a log Redis
-- lost (restarted without persistence, keys deleted) sees another one even once new writes have
-- passed its snapshot.
local head = redis.call('GET', p .. ':seq')
local seq, epoch = 0, nil
if head then
  local s, e = string.match(head, '^(%d+) (%S+)$')
  seq, epoch = tonumber(s), e
end
if not epoch then
  local t = redis.call('TIME')
  epoch = t[1] .. '.' .. t[2]
  redis.call('SET', p .. ':seq', seq .. ' ' .. epoch)
end
if ARGV[6] ~= '' and ARGV[6] ~= epoch then return { 0, seq, '', epoch } end
local gap = seq - snapshot
local between = ''
if gap < 0 then return { 0, seq, '', epoch } end
if gap > 0 then
  if gap > maxCatchUp then return { 0, seq, '', epoch } end
  -- What others appended since the snapshot (missing bytes read as zero: no record).
  local parts = {}
  local id = snapshot + 1
  while id <= seq do
    local c = math.floor(id / CH)
    local last = math.min(seq, (c + 1) * CH - 1)
    local want = (last - id + 1) * RB
    local s = redis.call('GETRANGE', p .. ':r:' .. c, (id % CH) * RB, (last % CH + 1) * RB - 1)
    if #s < want then s = s .. string.rep('\0', want - #s) end
    parts[#parts + 1] = s
    id = last + 1
  end
  between = table.concat(parts)
  if n > 0 then
    local t = {}
    for i = 1, #touched, 4 do t[string.sub(touched, i, i + 3)] = true end
    for r = 0, gap - 1 do
      local o = r * RB
      if string.byte(between, o + 9) ~= 0 or string.byte(between, o + 10) ~= 0 then
        if t[string.sub(between, o + 33, o + 36)] then return { 0, seq, between, epoch } end
        for k = 0, string.byte(between, o + 30) - 1 do
          local a = o + 41 + 4 * k
          if t[string.sub(between, a, a + 3)] then return { 0, seq, between, epoch } end
        end
      end
    end
    -- Untouched: the batch goes after them; its references to its own records move up.
    local function u32(s, pos)
      local a, b, c, d = string.byte(s, pos, pos + 3)
      return ((a * 256 + b) * 256 + c) * 256 + d
    end
    local function be32(v)
      return string.char(math.floor(v / 16777216) % 256, math.floor(v / 65536) % 256, math.floor(v / 256) % 256, v % 256)
    end
    local moved = {}
    for r = 0, n - 1 do
      local o = r * RB
      local of, root = u32(blob, o + 13), u32(blob, o + 17)
      if of > snapshot or root > snapshot then
        if of > snapshot then of = of + gap end
        if root > snapshot then root = root + gap end
        moved[#moved + 1] = string.sub(blob, o + 1, o + 12) .. be32(of) .. be32(root) .. string.sub(blob, o + 21, o + RB)
      else
        moved[#moved + 1] = string.sub(blob, o + 1, o + RB)
      end
    end
    blob = table.concat(moved)
  end
end
if n > 0 then
  local first, last = seq + 1, seq + n
  local id, pos = first, 1
  while id <= last do
    local c = math.floor(id / CH)
    local upto = math.min(last, (c + 1) * CH - 1)
    local key = p .. ':r:' .. c
    if redis.call('EXISTS', key) == 0 then redis.call('SETRANGE', key, CH * RB - 1, '\0') end
    local len = (upto - id + 1) * RB
    redis.call('SETRANGE', key, (id % CH) * RB, string.sub(blob, pos, pos + len - 1))
    redis.call('EXPIRE', key, ttl)
    pos = pos + len
    id = upto + 1
  end
  -- Uris (ARGV[5]: each a 2-byte length and its bytes, in id order): each names key is
  -- rewritten whole (SET sizes it exactly; APPEND would over-allocate).
  local names = ARGV[5]
  local at = 1
  id = first
  while id <= last do
    local g = math.floor(id / NM)
    local upto = math.min(last, (g + 1) * NM - 1)
    local from = at
    for _ = id, upto do at = at + 2 + string.byte(names, at) * 256 + string.byte(names, at + 1) end
    local key = p .. ':n:' .. g
    local cur = redis.call('GET', key)
    local piece = string.sub(names, from, at - 1)
    redis.call('SET', key, cur and (cur .. piece) or piece, 'EX', ttl)
    id = upto + 1
  end
  redis.call('SET', p .. ':seq', last .. ' ' .. epoch)
end
local out = { 1, seq, between, epoch }
local cache = {}
for _ = 1, nn do
  local id = tonumber(nx())
  local g = math.floor(id / NM)
  local s = cache[g]
  if not s then
    s = redis.call('GET', p .. ':n:' .. g) or ''
    cache[g] = s
  end
  -- The k-th uri of the group (the group's first id is g * NM, or 1 for the first group).
  local k = id - math.max(1, g * NM)
  local pos = 1
  for _ = 1, k do
    if pos + 1 > #s then break end
    pos = pos + 2 + string.byte(s, pos) * 256 + string.byte(s, pos + 1)
  end
  if pos + 1 <= #s then
    local len = string.byte(s, pos) * 256 + string.byte(s, pos + 1)
    out[#out + 1] = string.sub(s, pos + 2, pos + 1 + len)
  else
    out[#out + 1] = ''
  end
end
return out
