"""The Lua scripts of the Redis class store, and the keys they keep a class in.

Keys, under a prefix (default "mg:"):
    {p}class:{code}              hash: token_hash, owner, scene, question, locked, teacher_seen, created,
                                 join_tokens, join_at (the class's join bucket)
    {p}students:{code}           set of the students who joined
    {p}reveals:{code}            set of the question ids revealed so far
    {p}questions:{code}          set of the question ids that have answers (to find their keys again)
    {p}answers:{code}:{question} hash: student -> value
    {p}classes                   sorted set: code -> teacher_seen, to count open classes, find the idle and expired
    {p}ended, {p}ended_at        tombstones: code -> why it is gone, code -> when
A teacher's action renews the TTL of every key of the class, so Redis deletes a class on its own
EXPIRY_SECONDS after its teacher was last seen, even if nobody calls purge(); a key a student's join or
answer creates gets the class's remaining life, never more and never none. Each check-then-change runs
as one Lua script, which Redis runs atomically. The scripts build key names themselves, so this needs one
Redis server, not a Redis Cluster.

`store_redis.RedisStore` runs these scripts and reads the keys; nothing here talks to Redis.
"""

# Every script gets ARGV[1] = prefix, ARGV[2] = code, ARGV[3] = now, ARGV[4] = EXPIRY_SECONDS,
# ARGV[5] = MAX_TOMBSTONES, ARGV[6] = store_redis.CLOCK_SLACK; its own arguments follow.
_LUA_COMMON = """
local p, code, now, expiry = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local zk, ek, ezk = p .. 'classes', p .. 'ended', p .. 'ended_at'
local ck, sk = p .. 'class:' .. code, p .. 'students:' .. code
local rk, qk = p .. 'reveals:' .. code, p .. 'questions:' .. code
local function akey(q) return p .. 'answers:' .. code .. ':' .. q end
local function keys_of(c)
  local ks = {p .. 'class:' .. c, p .. 'students:' .. c, p .. 'reveals:' .. c, p .. 'questions:' .. c}
  for _, q in ipairs(redis.call('SMEMBERS', p .. 'questions:' .. c)) do
    ks[#ks + 1] = p .. 'answers:' .. c .. ':' .. q
  end
  return ks
end
local function live()
  local f = redis.call('HMGET', ck, 'teacher_seen', 'updated')  -- only 'updated' in a class the first store made
  local seen = tonumber(f[1]) or tonumber(f[2])
  return seen ~= nil and seen + expiry > now
end
local function touch()
  redis.call('HSET', ck, 'teacher_seen', ARGV[3])
  redis.call('ZADD', zk, ARGV[3], code)
  for _, k in ipairs(keys_of(code)) do redis.call('EXPIRE', k, expiry) end
  redis.call('EXPIRE', zk, 2 * expiry)  -- outlives its classes, so ended() can still say one expired
end
local function follow(k)
  if redis.call('TTL', k) == -1 then
    local left = redis.call('PTTL', ck)
    redis.call('PEXPIRE', k, left > 0 and left or expiry * 1000)
  end
end
local function forget(c)
  redis.call('DEL', unpack(keys_of(c)))
  redis.call('ZREM', zk, c)
end
local function bury(c, reason, at)
  redis.call('HSET', ek, c, reason)
  redis.call('ZADD', ezk, at, c)
end
local function trim()
  for _, c in ipairs(redis.call('ZRANGEBYSCORE', ezk, '-inf', now - expiry)) do redis.call('HDEL', ek, c) end
  redis.call('ZREMRANGEBYSCORE', ezk, '-inf', now - expiry)
  local extra = redis.call('ZCARD', ezk) - tonumber(ARGV[5])
  if extra > 0 then
    for _, c in ipairs(redis.call('ZRANGE', ezk, 0, extra - 1)) do redis.call('HDEL', ek, c) end
    redis.call('ZREMRANGEBYRANK', ezk, 0, extra - 1)
  end
  redis.call('EXPIRE', ek, expiry)
  redis.call('EXPIRE', ezk, expiry)
end
local function purge()
  local removed = 0
  local listed = redis.call('ZRANGE', zk, 0, -1, 'WITHSCORES')
  for i = 1, #listed, 2 do
    local c, expires = listed[i], tonumber(listed[i + 1]) + expiry
    local gone = redis.call('EXISTS', p .. 'class:' .. c) == 0
    if expires <= now or gone then
      if expires <= now + tonumber(ARGV[6]) then bury(c, 'expired', expires) end
      forget(c)
      removed = removed + 1
    end
  end
  trim()
  return removed
end
"""

PURGE = _LUA_COMMON + "return purge()"

# ARGV[7] = token hash, ARGV[8] = owner key, ARGV[9] = MAX_CLASSES,
# ARGV[10] = MAX_CLASSES_PER_OWNER, ARGV[11] = IDLE_RELEASE_SECONDS, ARGV[12] = JOIN_BURST
CREATE = _LUA_COMMON + """
purge()
if redis.call('EXISTS', ck) == 1 or redis.call('HEXISTS', ek, code) == 1 then return 'taken' end
local owner = ARGV[8]
if owner ~= '' then
  local theirs = 0
  for _, c in ipairs(redis.call('ZRANGE', zk, 0, -1)) do
    if redis.call('HGET', p .. 'class:' .. c, 'owner') == owner then theirs = theirs + 1 end
  end
  if theirs >= tonumber(ARGV[10]) then return 'owner:' .. theirs end
end
local surplus = redis.call('ZCARD', zk) - tonumber(ARGV[9]) + 1
if surplus > 0 then
  local idle = redis.call('ZRANGEBYSCORE', zk, '-inf', now - tonumber(ARGV[11]), 'LIMIT', 0, surplus)
  if #idle < surplus then return 'full' end
  for _, c in ipairs(idle) do
    forget(c)
    bury(c, 'released', now)
  end
  trim()
end
redis.call('HSET', ck, 'token_hash', ARGV[7], 'owner', owner, 'scene', 0, 'question', '', 'locked', 0,
           'created', ARGV[3], 'join_tokens', ARGV[12], 'join_at', ARGV[3])
touch()
return 'ok'
"""

# ARGV[7] = token hash, already checked by the caller: checked again here in case the class ended
# (or its code was reused) between the two calls. ARGV[8] = what; ARGV[9], ARGV[10] = its arguments.
TEACHER = _LUA_COMMON + """
if not live() then return 'missing' end
if redis.call('HGET', ck, 'token_hash') ~= ARGV[7] then return 'denied' end
local what = ARGV[8]
if what == 'end' then
  forget(code)
  bury(code, 'ended', now)
  trim()
  return 'ok'
elseif what == 'scene' then
  redis.call('HSET', ck, 'scene', ARGV[9], 'question', ARGV[10])
elseif what == 'reveal' then
  local current = redis.call('HGET', ck, 'question')
  if current ~= '' then redis.call('SADD', rk, current) end
elseif what == 'discard' then
  redis.call('DEL', akey(ARGV[9]))
  redis.call('SREM', qk, ARGV[9])
  redis.call('SREM', rk, ARGV[9])
elseif what == 'lock' then
  redis.call('HSET', ck, 'locked', ARGV[9])
end
touch()
return 'ok'
"""

# ARGV[7] = student, ARGV[8] = MAX_STUDENTS, ARGV[9] = JOIN_BURST, ARGV[10] = JOIN_EVERY,
# ARGV[11] = 'join' or 'answer'; for an answer ARGV[12] = question, ARGV[13] = value.
# Nothing here renews the class's life: only its teacher does.
STUDENT = _LUA_COMMON + """
if not live() then return 'missing' end
local student, answering = ARGV[7], ARGV[11] == 'answer'
if answering then
  local current = redis.call('HGET', ck, 'question')
  if ARGV[12] ~= current or current == '' then return 'moved' end
  if redis.call('SISMEMBER', rk, current) == 1 then return 'revealed' end
end
if redis.call('SISMEMBER', sk, student) == 0 then
  local f = redis.call('HMGET', ck, 'locked', 'join_tokens', 'join_at')
  if f[1] == '1' then return 'locked' end
  if redis.call('SCARD', sk) >= tonumber(ARGV[8]) then return 'full' end
  local burst, every = tonumber(ARGV[9]), tonumber(ARGV[10])
  local tokens = math.min(burst, (tonumber(f[2]) or burst) + math.max(0, now - (tonumber(f[3]) or now)) / every)
  if tokens < 1 then return 'wait:' .. tostring(tokens) end
  redis.call('HSET', ck, 'join_tokens', tokens - 1, 'join_at', ARGV[3])
  redis.call('SADD', sk, student)
  follow(sk)
end
if answering then
  redis.call('HSET', akey(ARGV[12]), student, ARGV[13])
  follow(akey(ARGV[12]))
  redis.call('SADD', qk, ARGV[12])
  follow(qk)
end
return 'ok'
"""
