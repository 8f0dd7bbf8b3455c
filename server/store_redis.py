"""The class store in Redis, for app servers on several machines.

Each check-then-change runs as one Lua script of `redis_scripts` (where the key layout is described),
which Redis runs atomically; a read takes one moment of a class in a MULTI pipeline. A restart of a
Redis server that keeps nothing on disk loses every class, so the store checks that when it starts
and says so in `notices`.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

import redis
from redis.commands.core import Script

from . import store as base
from .limits import wait_for
from .redis_scripts import CREATE, PURGE, STUDENT, TEACHER
from .store import ClassState, ClassStore, NoSuchClass, NotAllowed, StoreFull

# how far this server's clock may be ahead of Redis's: a class Redis dropped a little before this clock says
# it expired still counts as expired, one dropped earlier was lost (memory ran out, or someone deleted it)
CLOCK_SLACK = 60.0

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
            self.redis.register_script(s) for s in (CREATE, TEACHER, STUDENT, PURGE))
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
