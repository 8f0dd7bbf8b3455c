"""The class store in Redis, for app servers on several machines.

Keys, under a prefix (default "mg:"):
    {p}class:{code}              hash: token_hash, scene, question, revealed, updated
    {p}answers:{code}:{question} hash: student -> value
    {p}questions:{code}          set of the question ids that have answers (to find their keys again)
    {p}students:{code}           set of the students who answered anything
    {p}classes                   sorted set: code -> updated, to count open classes and find expired ones
Every touch renews the TTL of all of a class's keys, so Redis deletes a forgotten class on its own even
if nobody calls purge(). Each check-then-change runs as one Lua script, which Redis runs atomically.
The scripts build key names themselves, so this needs one Redis server, not a Redis Cluster.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

import redis
from redis.commands.core import Script

from . import store as base
from .store import ClassState, ClassStore, NoSuchClass, NotAllowed, StoreFull

# Every script gets ARGV[1] = prefix, ARGV[2] = code, ARGV[3] = now, ARGV[4] = EXPIRY_SECONDS.
_LUA_COMMON = """
local p, code, now, expiry = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ck, sk, qk, zk = p .. 'class:' .. code, p .. 'students:' .. code, p .. 'questions:' .. code, p .. 'classes'
local function akey(q) return p .. 'answers:' .. code .. ':' .. q end
local function live()
  local updated = tonumber(redis.call('HGET', ck, 'updated'))
  return updated ~= nil and updated + expiry > now
end
local function touch()
  redis.call('HSET', ck, 'updated', ARGV[3])
  redis.call('ZADD', zk, ARGV[3], code)
  for _, k in ipairs({ck, sk, qk, zk}) do redis.call('EXPIRE', k, expiry) end
  for _, q in ipairs(redis.call('SMEMBERS', qk)) do redis.call('EXPIRE', akey(q), expiry) end
end
"""

# ARGV[5] = token hash, ARGV[6] = MAX_CLASSES
_CREATE = _LUA_COMMON + """
if redis.call('EXISTS', ck) == 1 then return 'taken' end
if redis.call('ZCARD', zk) >= tonumber(ARGV[6]) then return 'full' end
redis.call('HSET', ck, 'token_hash', ARGV[5], 'scene', 0, 'question', '', 'revealed', 0)
touch()
return 'ok'
"""

# ARGV[5] = token hash, already checked by the caller: checked again here in case the class ended
# (or its code was reused) between the two calls. ARGV[6] = what: 'scene', 'reveal' or 'end'.
_TEACHER = _LUA_COMMON + """
if not live() then return 'missing' end
if redis.call('HGET', ck, 'token_hash') ~= ARGV[5] then return 'denied' end
if ARGV[6] == 'end' then
  for _, q in ipairs(redis.call('SMEMBERS', qk)) do redis.call('DEL', akey(q)) end
  redis.call('DEL', ck, sk, qk)
  redis.call('ZREM', zk, code)
  return 'ok'
elseif ARGV[6] == 'scene' then
  redis.call('HSET', ck, 'scene', ARGV[7], 'question', ARGV[8], 'revealed', 0)
else
  redis.call('HSET', ck, 'revealed', 1)
end
touch()
return 'ok'
"""

# ARGV[5] = question, ARGV[6] = student, ARGV[7] = value, ARGV[8] = MAX_STUDENTS
_ANSWER = _LUA_COMMON + """
if not live() then return 'missing' end
local current, revealed = unpack(redis.call('HMGET', ck, 'question', 'revealed'))
if ARGV[5] ~= current or current == '' then return 'moved' end
if revealed == '1' then return 'revealed' end
if redis.call('SISMEMBER', sk, ARGV[6]) == 0 then
  if redis.call('SCARD', sk) >= tonumber(ARGV[8]) then return 'full' end
  redis.call('SADD', sk, ARGV[6])
end
redis.call('HSET', akey(ARGV[5]), ARGV[6], ARGV[7])
redis.call('SADD', qk, ARGV[5])
touch()
return 'ok'
"""

# ARGV[2] (code) is unused: every expired class, and every listed class Redis has already deleted, goes.
_PURGE = _LUA_COMMON + """
local removed = 0
local listed = redis.call('ZRANGE', zk, 0, -1, 'WITHSCORES')
for i = 1, #listed, 2 do
  local c = listed[i]
  local ckey = p .. 'class:' .. c
  if tonumber(listed[i + 1]) + expiry <= now or redis.call('EXISTS', ckey) == 0 then
    for _, q in ipairs(redis.call('SMEMBERS', p .. 'questions:' .. c)) do
      redis.call('DEL', p .. 'answers:' .. c .. ':' .. q)
    end
    redis.call('DEL', ckey, p .. 'students:' .. c, p .. 'questions:' .. c)
    redis.call('ZREM', zk, c)
    removed = removed + 1
  end
end
return removed
"""


class RedisStore(ClassStore):
    """A store on a Redis URL, or on a client made with decode_responses=True.

    redis-py's client is thread-safe and reconnects after a fork, so one store serves a whole process.
    """

    def __init__(self, client: str | redis.Redis, clock: Callable[[], float] = time.time, prefix: str = "mg:") -> None:
        super().__init__(clock)
        self.redis = redis.Redis.from_url(client, decode_responses=True) if isinstance(client, str) else client
        self.prefix = prefix
        self._create, self._teacher, self._answer, self._purge = (
            self.redis.register_script(s) for s in (_CREATE, _TEACHER, _ANSWER, _PURGE))

    def _run(self, script: Script, code: str, *args: object) -> object:
        now = self.clock()
        return script(args=[self.prefix, code, repr(now), base.EXPIRY_SECONDS, *args])

    def _key(self, kind: str, code: str) -> str:
        return f"{self.prefix}{kind}:{code}"

    def create(self) -> tuple[str, str]:
        self.purge()
        token = base.new_token()
        while True:
            code = base.new_code()
            result = self._run(self._create, code, base.token_hash(token), base.MAX_CLASSES)
            if result == "full":
                raise StoreFull()
            if result == "ok":
                return code, token

    def state(self, code: str) -> ClassState | None:
        code = base.normalize_code(code)
        if code is None:
            return None
        with self.redis.pipeline() as pipe:
            pipe.hgetall(self._key("class", code))
            pipe.scard(self._key("students", code))
            fields, students = pipe.execute()
        if not fields or float(fields["updated"]) + base.EXPIRY_SECONDS <= self.clock():
            return None
        return ClassState(code, int(fields["scene"]), fields["question"], fields["revealed"] == "1", students,
                          float(fields["updated"]))

    def _as_teacher(self, code: str, token: str, what: str, *args: object) -> None:
        code = self._code(code)
        stored, updated = self.redis.hmget(self._key("class", code), "token_hash", "updated")
        if stored is None or float(updated) + base.EXPIRY_SECONDS <= self.clock():
            raise NoSuchClass(code)
        if not hmac.compare_digest(base.token_hash(token), stored):
            raise NotAllowed()
        result = self._run(self._teacher, code, stored, what, *args)
        if result == "missing":
            raise NoSuchClass(code)
        if result == "denied":
            raise NotAllowed()

    def set_scene(self, code: str, token: str, scene: int, question: str) -> ClassState:
        base.check_scene(scene, question)
        self._as_teacher(code, token, "scene", scene, question)
        return self._state_after(code)

    def reveal(self, code: str, token: str) -> ClassState:
        self._as_teacher(code, token, "reveal")
        return self._state_after(code)

    def _state_after(self, code: str) -> ClassState:
        state = self.state(code)
        if state is None:  # ended by the teacher in another tab between the two calls
            raise NoSuchClass(self._code(code))
        return state

    def end(self, code: str, token: str) -> None:
        self._as_teacher(code, token, "end")

    def answer(self, code: str, student: str, question: str, value: str) -> None:
        code = self._code(code)
        base.check_answer(student, value)
        result = self._run(self._answer, code, question, student, value, base.MAX_STUDENTS)
        if result == "missing":
            raise NoSuchClass(code)
        if result in ("moved", "revealed"):
            raise base.AnswersClosed(result == "revealed")
        if result == "full":
            raise base.ClassFull()

    def _read(self, code: str, question: str, read: str) -> object:
        code = self._code(code)
        with self.redis.pipeline() as pipe:
            pipe.hget(self._key("class", code), "updated")
            getattr(pipe, read)(f"{self.prefix}answers:{code}:{question}")
            updated, result = pipe.execute()
        if updated is None or float(updated) + base.EXPIRY_SECONDS <= self.clock():
            raise NoSuchClass(code)
        return result

    def answers(self, code: str, question: str) -> list[str]:
        return self._read(code, question, "hvals")

    def count(self, code: str, question: str) -> int:
        return self._read(code, question, "hlen")

    def purge(self) -> int:
        return self._run(self._purge, "")
