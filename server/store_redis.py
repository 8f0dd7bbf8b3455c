"""The class store in Redis, for app servers on several machines.

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
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

import redis
from redis.commands.core import Script

from . import store as base
from .limits import wait_for
from .store import ClassState, ClassStore, NoSuchClass, NotAllowed, StoreFull

# how far this server's clock may be ahead of Redis's: a class Redis dropped a little before this clock says
# it expired still counts as expired, one dropped earlier was lost (memory ran out, or someone deleted it)
CLOCK_SLACK = 60.0

# Every script gets ARGV[1] = prefix, ARGV[2] = code, ARGV[3] = now, ARGV[4] = EXPIRY_SECONDS,
# ARGV[5] = MAX_TOMBSTONES, ARGV[6] = CLOCK_SLACK; its own arguments follow.
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

_PURGE = _LUA_COMMON + "return purge()"

# ARGV[7] = token hash, ARGV[8] = owner key, ARGV[9] = MAX_CLASSES,
# ARGV[10] = MAX_CLASSES_PER_OWNER, ARGV[11] = IDLE_RELEASE_SECONDS, ARGV[12] = JOIN_BURST
_CREATE = _LUA_COMMON + """
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
_TEACHER = _LUA_COMMON + """
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
_STUDENT = _LUA_COMMON + """
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

_NO_AOF = ("Redis keeps classes only in its periodic snapshots (appendonly is off): if the Redis server crashes, "
           "the classes and answers since the last snapshot are lost. Turn on appendonly (appendfsync everysec) "
           "to keep them.")
_NO_DISK = ("Redis keeps classes only in memory (appendonly is off and so are its snapshots): if the Redis server "
            "restarts, every class and answer is lost. Turn on appendonly (appendfsync everysec) to keep them.")
_UNCHECKED = ("Whether Redis keeps classes on disk could not be checked ({why}): if its appendonly is off, the "
              "classes and answers since its last snapshot are lost when the Redis server restarts. Ask for "
              "appendonly on (appendfsync everysec) to keep them.")


def _seen(teacher_seen: str | None, updated: str | None) -> float | None:
    """When the teacher was last seen; a class the first store made (still open at an upgrade) has only the
    time of its last activity, which serves."""
    value = teacher_seen if teacher_seen is not None else updated
    return None if value is None else float(value)


class RedisStore(ClassStore):
    """A store on a Redis URL, or on a client made with decode_responses=True.

    redis-py's client is thread-safe and reconnects after a fork, so one store serves a whole process.
    """

    def __init__(self, client: str | redis.Redis, clock: Callable[[], float] = time.time, prefix: str = "mg:") -> None:
        super().__init__(clock)
        self._own_client = isinstance(client, str)
        self.redis = redis.Redis.from_url(client, decode_responses=True) if isinstance(client, str) else client
        self.prefix = prefix
        self._create, self._teacher, self._student, self._purge = (
            self.redis.register_script(s) for s in (_CREATE, _TEACHER, _STUDENT, _PURGE))
        self._check_persistence()

    def _check_persistence(self) -> None:
        """Say so when a restart of the Redis server would lose classes (a managed Redis may not tell)."""
        try:
            appendonly = self.redis.config_get("appendonly").get("appendonly")
            save = self.redis.config_get("save").get("save")
        except redis.ResponseError:  # a managed Redis renames or forbids CONFIG
            self._notice(_UNCHECKED.format(why="it refused CONFIG GET"))
            return
        except redis.RedisError:  # not up yet: the store goes on, and each call tries again
            self._notice(_UNCHECKED.format(why="the Redis server did not answer when the app started"))
            return
        if appendonly == "no":
            self._notice(_NO_AOF if save else _NO_DISK)

    def close(self) -> None:
        if self._own_client:
            self.redis.close()

    def _run(self, script: Script, code: str, *args: object) -> object:
        now = self.clock()
        return script(args=[self.prefix, code, repr(now), base.EXPIRY_SECONDS, base.MAX_TOMBSTONES, CLOCK_SLACK,
                             *args])

    def _key(self, kind: str, code: str) -> str:
        return f"{self.prefix}{kind}:{code}"

    # ---- reading a class

    def state(self, code: str) -> ClassState | None:
        code = base.normalize_code(code)
        if code is None:
            return None
        with self.redis.pipeline() as pipe:  # MULTI: one moment of the class
            pipe.hgetall(self._key("class", code))
            pipe.scard(self._key("students", code))
            pipe.smembers(self._key("reveals", code))
            fields, joined, reveals = pipe.execute()
        seen = _seen(fields.get("teacher_seen"), fields.get("updated"))
        if seen is None or seen + base.EXPIRY_SECONDS <= self.clock():
            return None
        question, reveals = fields.get("question", ""), frozenset(reveals)
        return ClassState(code, int(fields.get("scene", 0)), question, bool(question) and question in reveals,
                          reveals, joined, fields.get("locked") == "1", seen, float(fields.get("created", seen)))

    def _read(self, code: str, question: str, read: str) -> object:
        code = self._code(code)
        with self.redis.pipeline() as pipe:
            pipe.hmget(self._key("class", code), "teacher_seen", "updated")
            getattr(pipe, read)(f"{self.prefix}answers:{code}:{question}")
            seen, result = pipe.execute()
        seen = _seen(*seen)
        if seen is None or seen + base.EXPIRY_SECONDS <= self.clock():
            raise NoSuchClass(code)
        return result

    def answers(self, code: str, question: str) -> list[str]:
        return self._read(code, question, "hvals")

    def count(self, code: str, question: str) -> int:
        return self._read(code, question, "hlen")

    def ended(self, code: str) -> str | None:
        code = base.normalize_code(code)
        if code is None:
            return None
        with self.redis.pipeline() as pipe:
            pipe.hmget(self._key("class", code), "teacher_seen", "updated")
            pipe.hget(f"{self.prefix}ended", code)
            pipe.zscore(f"{self.prefix}ended_at", code)
            pipe.zscore(f"{self.prefix}classes", code)
            seen, reason, at, listed = pipe.execute()
        now, seen = self.clock(), _seen(*seen)
        if seen is not None:  # open, or expired and not purged yet
            expires = seen + base.EXPIRY_SECONDS
            return base.EXPIRED if expires <= now and base.still_mourned(expires, now) else None
        if reason is not None and at is not None and base.still_mourned(at, now):
            return reason
        if listed is not None:  # Redis dropped the class itself: expired if its time had come, else lost
            expires = listed + base.EXPIRY_SECONDS
            return base.EXPIRED if expires <= now + CLOCK_SLACK and base.still_mourned(expires, now) else None
        return None

    # ---- the teacher

    def create(self, owner: str = "") -> tuple[str, str]:
        owner = base.owner_key(owner)
        token = base.new_token()
        while True:
            code = base.new_code()
            result = self._run(self._create, code, base.token_hash(token), owner, base.MAX_CLASSES,
                               base.MAX_CLASSES_PER_OWNER, base.IDLE_RELEASE_SECONDS, base.JOIN_BURST)
            if result == "full":
                raise StoreFull()
            if result.startswith("owner:"):
                raise base.TooManyClasses(int(result.removeprefix("owner:")))
            if result == "ok":
                return code, token

    def _as_teacher(self, code: str, token: str, what: str, *args: object) -> str:
        code = self._code(code)
        stored, *seen = self.redis.hmget(self._key("class", code), "token_hash", "teacher_seen", "updated")
        seen = _seen(*seen)
        if stored is None or seen is None or seen + base.EXPIRY_SECONDS <= self.clock():
            raise NoSuchClass(code)
        if not hmac.compare_digest(base.token_hash(token), stored):
            raise NotAllowed()
        result = self._run(self._teacher, code, stored, what, *args)
        if result == "missing":
            raise NoSuchClass(code)
        if result == "denied":
            raise NotAllowed()
        return code

    def _state_after(self, code: str) -> ClassState:
        state = self.state(code)
        if state is None:  # ended by the teacher in another tab between the two calls
            raise NoSuchClass(code)
        return state

    def teacher(self, code: str, token: str) -> ClassState:
        return self._state_after(self._as_teacher(code, token, "touch"))

    def set_scene(self, code: str, token: str, scene: int, question: str) -> ClassState:
        base.check_scene(scene, question)
        return self._state_after(self._as_teacher(code, token, "scene", scene, question))

    def reveal(self, code: str, token: str) -> ClassState:
        return self._state_after(self._as_teacher(code, token, "reveal"))

    def discard(self, code: str, token: str, question: str) -> ClassState:
        base.check_question(question)
        return self._state_after(self._as_teacher(code, token, "discard", question))

    def lock(self, code: str, token: str, locked: bool) -> ClassState:
        return self._state_after(self._as_teacher(code, token, "lock", int(bool(locked))))

    def end(self, code: str, token: str) -> None:
        self._as_teacher(code, token, "end")

    # ---- the students

    def _as_student(self, code: str, student: str, *args: object) -> str:
        result = self._run(self._student, code, student, base.MAX_STUDENTS, base.JOIN_BURST, base.JOIN_EVERY, *args)
        if result == "missing":
            raise NoSuchClass(code)
        if result in ("moved", "revealed"):
            raise base.AnswersClosed(result == "revealed")
        if result == "locked":
            raise base.ClassLocked()
        if result == "full":
            raise base.ClassFull()
        if result.startswith("wait:"):
            raise base.JoinsThrottled(wait_for(float(result.removeprefix("wait:")), base.JOIN_EVERY))
        return code

    def join(self, code: str, student: str) -> ClassState:
        code = self._code(code)
        base.check_student(student)
        return self._state_after(self._as_student(code, student, "join"))

    def answer(self, code: str, student: str, question: str, value: str) -> None:
        code = self._code(code)
        base.check_answer(student, value)
        self._as_student(code, student, "answer", question, value)

    # ---- housekeeping

    def purge(self) -> int:
        return self._run(self._purge, "")
