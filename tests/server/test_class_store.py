"""The class store, each test run on both backends: SQLite in a file and Redis (a redis-server started here).

Then what only one backend does: SQLite mending its file and folder, Redis saying how it keeps classes.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import queue
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import sqlite_file
from server import store as store_module
from server.backends import open_store
from server.store import (
    ALPHABET,
    CODE_LENGTH,
    EXPIRY_SECONDS,
    IDLE_RELEASE_SECONDS,
    JOIN_BURST,
    JOIN_EVERY,
    MAX_ANSWER_CHARS,
    AnswersClosed,
    ClassFull,
    ClassLocked,
    ClassState,
    ClassStore,
    JoinsThrottled,
    NoSuchClass,
    NotAllowed,
    StoreError,
    StoreFull,
    TooManyClasses,
    new_code,
    token_hash,
)
from tests.conftest import free_port
from tests.server.throwaway_redis import NO_PERSISTENCE, redis_server

ROOT = Path(__file__).resolve().parents[2]
START = 1_000_000.0
# the spawn start method: a forked child of a process with threads (pytest's, redis-py's) may deadlock
SPAWN = multiprocessing.get_context("spawn")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _need_redis_server() -> None:
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed ('apt-get install redis-server'): the Redis store is not tested"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    _need_redis_server()
    with redis_server() as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "redis"])
def where(request, tmp_path) -> dict:
    """open_store's arguments for a fresh, empty store of each backend."""
    if request.param == "sqlite":
        return {"path": tmp_path / "classes.sqlite3"}
    url = request.getfixturevalue("redis_url")
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return {"redis_url": url}


@pytest.fixture
def store(where, clock) -> Iterator[ClassStore]:
    store = open_store(**where, clock=clock)
    yield store
    store.close()


def is_redis(store: ClassStore) -> bool:
    return hasattr(store, "redis")


def leftovers(store: ClassStore, code: str = "") -> int:
    """Rows or keys left of a class (of every class when no code is given); tombstones are not counted."""
    if is_redis(store):
        keys = [k for k in store.redis.keys(f"{store.prefix}*") if not k.startswith(f"{store.prefix}ended")]
        if code:
            return sum(f":{code}" in k for k in keys) + (store.redis.zscore(f"{store.prefix}classes", code) is not None)
        return len(keys)
    db = sqlite3.connect(store.path)
    try:
        where, args = ("WHERE code = ?", (code,)) if code else ("", ())
        return sum(db.execute(f"SELECT count(*) FROM {table} {where}", args).fetchone()[0]
                   for table in ("classes", "answers", "students", "reveals"))
    finally:
        db.close()


def open_class(store: ClassStore, question: str = "q1", scene: int = 1, owner: str = "") -> tuple[str, str]:
    code, token = store.create(owner)
    store.set_scene(code, token, scene, question)
    return code, token


def unknown_code(*known: str) -> str:
    return next(c for c in iter(new_code, None) if c not in known)


# --- codes and tokens


def test_the_alphabet_has_no_symbols_read_alike():
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    assert not set(ALPHABET) & set("0O1IL")
    assert set(ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def test_codes_use_every_symbol_and_never_repeat():
    codes = [new_code() for _ in range(5000)]
    assert len(set(codes)) == len(codes)
    assert set("".join(codes)) == set(ALPHABET)


def test_a_new_class(store, clock):
    made = [store.create() for _ in range(40)]
    codes, tokens = [c for c, _ in made], [t for _, t in made]
    assert len(set(codes)) == len(set(tokens)) == 40
    for code, token in made:
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
        assert len(token) == 32  # secrets.token_urlsafe(24)
        assert store.state(code) == ClassState(code, 0, "", False, frozenset(), 0, False, START, START)
        assert store.ended(code) is None  # open: nothing to tell


def test_a_code_is_read_as_typed(store):
    code, token = store.create()
    assert store.state(f"  {code.lower()}\n") == store.state(code)
    store.set_scene(code, token, 2, "q")
    store.answer(f" {code.lower()} ", "s1", "q", "4")
    assert store.join(f"{code.lower()} ", "s2").joined == 2
    assert store.count(code.lower(), "q") == 1


def test_the_store_keeps_only_hashes_of_the_token_and_the_owner(store):
    code, token = store.create(owner="203.0.113.7")
    if is_redis(store):
        kept = " ".join(str(store.redis.hgetall(k)) for k in store.redis.keys("*") if store.redis.type(k) == "hash")
    else:
        kept = b"".join(p.read_bytes() for p in store.path.parent.glob("classes.sqlite3*")).decode("latin-1")
    assert token not in kept and "203.0.113.7" not in kept
    assert token_hash(token) in kept


# --- the teacher's token


def test_only_the_teacher_controls_the_class(store, clock):
    code, token = open_class(store)
    store.answer(code, "s1", "q1", "a")
    other_code, other_token = store.create()
    clock.advance(60)
    for wrong in ("", "x" * 32, other_token, code, token + "x", None):
        for method, args in (("set_scene", (5, "q9")), ("reveal", ()), ("discard", ("q1",)), ("lock", (True,)),
                             ("end", ()), ("teacher", ())):
            with pytest.raises(NotAllowed):
                getattr(store, method)(code, wrong, *args)
    state = store.state(code)
    assert (state.scene, state.question, state.revealed, state.locked, state.teacher_seen) == (1, "q1", False, False,
                                                                                               START)
    assert store.answers(code, "q1") == ["a"]


def test_the_teacher_is_seen_at_every_action(store, clock):
    code, token = store.create()
    for act in (lambda: store.teacher(code, token), lambda: store.set_scene(code, token, 1, "q1"),
                lambda: store.reveal(code, token), lambda: store.discard(code, token, "q1"),
                lambda: store.lock(code, token, True)):
        clock.advance(7)
        state = act()
        assert state.teacher_seen == clock.now == store.state(code).teacher_seen
        assert state.created == START


def test_a_student_cannot_move_the_class(store):
    code, _ = open_class(store, "q1", scene=3)
    with pytest.raises(AnswersClosed):
        store.answer(code, "s1", "q2", "x")
    state = store.state(code)
    assert (state.scene, state.question, state.joined) == (3, "q1", 0)  # a refused answer joins nobody


def test_ending_deletes_the_class_and_everything_of_it(store):
    code, token = open_class(store)
    store.answer(code, "s1", "q1", "a")
    store.join(code, "s2")
    store.reveal(code, token)
    store.end(code, token)
    assert store.state(code) is None
    assert store.ended(code) == "ended"
    for call in (lambda: store.answers(code, "q1"), lambda: store.end(code, token), lambda: store.join(code, "s1"),
                 lambda: store.teacher(code, token)):
        with pytest.raises(NoSuchClass):
            call()
    assert leftovers(store) == 0


# --- joining


def test_joining_is_idempotent(store, clock):
    code, _ = open_class(store)
    state = store.join(code, "s1")
    assert state.joined == 1 and state.code == code and state.question == "q1"
    assert store.join(code, "s1").joined == 1
    store.answer(code, "s1", "q1", "a")  # already in: the answer seats nobody new
    store.answer(code, "s2", "q1", "b")  # a first answer joins
    assert store.join(code, "s2").joined == store.state(code).joined == 2
    clock.advance(100)
    assert store.state(code).teacher_seen == START  # joins and answers are not the teacher


def test_a_locked_class_refuses_new_students_only(store):
    code, token = open_class(store)
    store.join(code, "in-1")
    store.answer(code, "in-2", "q1", "a")
    assert store.lock(code, token, True).locked
    with pytest.raises(ClassLocked, match="closed to new students"):
        store.join(code, "new")
    with pytest.raises(ClassLocked):
        store.answer(code, "new", "q1", "b")
    assert store.join(code, "in-1").joined == 2  # those in are never refused...
    store.answer(code, "in-1", "q1", "c")  # ...and answer on
    store.answer(code, "in-2", "q1", "d")
    assert sorted(store.answers(code, "q1")) == ["c", "d"] and store.state(code).joined == 2
    assert not store.lock(code, token, False).locked
    assert store.join(code, "new").joined == 3


def test_the_join_bucket_admits_a_burst_then_a_steady_pace(store, clock):
    code, _ = open_class(store)
    for i in range(JOIN_BURST):
        store.join(code, f"s{i}")
    with pytest.raises(JoinsThrottled, match=r"try again in 1 s\.") as refused:
        store.join(code, "late")
    assert refused.value.wait == pytest.approx(JOIN_EVERY)
    with pytest.raises(JoinsThrottled):
        store.answer(code, "late", "q1", "x")  # an answer does not get around the bucket
    store.join(code, "s0")  # a student already in is never throttled
    store.answer(code, "s1", "q1", "x")
    clock.advance(JOIN_EVERY / 2)
    with pytest.raises(JoinsThrottled) as refused:
        store.join(code, "late")
    assert refused.value.wait == pytest.approx(JOIN_EVERY / 2)
    clock.advance(JOIN_EVERY / 2)
    assert store.join(code, "late").joined == JOIN_BURST + 1
    with pytest.raises(JoinsThrottled):
        store.join(code, "later")
    assert store.state(code).joined == JOIN_BURST + 1


def test_the_join_bucket_refills_at_its_rate_and_never_past_its_burst(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "JOIN_BURST", 3)
    monkeypatch.setattr(store_module, "JOIN_EVERY", 2.0)
    code, _ = open_class(store)
    admitted = []
    for i in range(8):  # a burst of 3, then one per 2 s over 4 s: 5 in all
        try:
            store.join(code, f"s{i}")
            admitted.append(i)
        except JoinsThrottled as refused:
            assert refused.wait == pytest.approx(2.0) and str(refused).endswith("try again in 2 s.")
    assert admitted == [0, 1, 2]
    clock.advance(1.0)
    with pytest.raises(JoinsThrottled) as refused:
        store.join(code, "x")
    assert refused.value.wait == pytest.approx(1.0)
    clock.advance(1.0)
    store.join(code, "x")
    clock.advance(1000)  # a quiet hour fills the bucket to its burst, not beyond
    for i in range(3):
        store.join(code, f"after-{i}")
    with pytest.raises(JoinsThrottled):
        store.join(code, "one-too-many")
    assert store.state(code).joined == 7


def test_students_are_capped_but_those_in_may_go_on(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_STUDENTS", 3)
    code, token = open_class(store)
    store.join(code, "s1")
    for s in ("s2", "s3"):
        store.answer(code, s, "q1", "a")
    with pytest.raises(ClassFull, match="limit of students"):
        store.answer(code, "s4", "q1", "a")
    with pytest.raises(ClassFull):
        store.join(code, "s4")
    store.answer(code, "s3", "q1", "changed")
    store.answer(code, "s1", "q1", "late")
    store.set_scene(code, token, 2, "q2")
    store.answer(code, "s1", "q2", "b")
    assert store.join(code, "s2").joined == 3
    with pytest.raises(ClassFull):
        store.answer(code, "s4", "q2", "b")
    assert store.state(code).joined == 3 and sorted(store.answers(code, "q1")) == ["a", "changed", "late"]


# --- answers


def test_one_answer_per_student_the_latest(store, clock):
    code, _ = open_class(store)
    store.answer(code, "s1", "q1", "1")
    store.answer(code, "s2", "q1", "2")
    clock.advance(3)
    store.answer(code, "s1", "q1", "3")
    assert sorted(store.answers(code, "q1")) == ["2", "3"]
    assert store.count(code, "q1") == 2
    assert store.state(code).joined == 2
    assert store.state(code).teacher_seen == START  # an answer is not the teacher's
    assert store.answers(code, "never asked") == [] and store.count(code, "never asked") == 0


def test_answers_only_to_the_open_question(store):
    code, token = open_class(store, "q1")
    with pytest.raises(AnswersClosed, match="moved on"):
        store.answer(code, "s1", "q0", "x")
    store.answer(code, "s1", "q1", "x")
    state = store.reveal(code, token)
    assert state.revealed and state.reveals == {"q1"}
    with pytest.raises(AnswersClosed, match="revealed"):
        store.answer(code, "s2", "q1", "y")
    state = store.set_scene(code, token, 2, "")  # a scene without a question
    assert not state.revealed and store.reveal(code, token).reveals == {"q1"}  # nothing to reveal there
    with pytest.raises(AnswersClosed):
        store.answer(code, "s1", "", "x")
    assert store.answers(code, "q1") == ["x"]


def test_a_revealed_question_stays_revealed_when_the_class_comes_back_to_it(store, clock):
    code, token = open_class(store, "q1")
    store.answer(code, "s1", "q1", "a")
    store.reveal(code, token)
    clock.advance(10)
    state = store.set_scene(code, token, 2, "q2")
    assert (state.scene, state.question, state.revealed, state.reveals) == (2, "q2", False, {"q1"})
    store.answer(code, "s2", "q2", "b")
    state = store.set_scene(code, token, 1, "q1")
    assert state.revealed and state.reveals == {"q1"} and state.joined == 2
    with pytest.raises(AnswersClosed, match="revealed"):
        store.answer(code, "s1", "q1", "c")
    assert store.answers(code, "q1") == ["a"] and store.answers(code, "q2") == ["b"]
    store.set_scene(code, token, 2, "q2")
    assert store.reveal(code, token).reveals == {"q1", "q2"}


def test_discarding_empties_a_question_and_opens_it_again(store):
    code, token = open_class(store, "q1")
    store.answer(code, "s1", "q1", "a")
    store.answer(code, "s2", "q1", "b")
    store.reveal(code, token)
    state = store.discard(code, token, "q1")
    assert (state.revealed, state.reveals, state.joined) == (False, frozenset(), 2)  # the students stay in
    assert store.answers(code, "q1") == [] and store.count(code, "q1") == 0
    store.answer(code, "s1", "q1", "again")
    assert store.answers(code, "q1") == ["again"]
    # a question other than the current one: emptied and unrevealed, the current one untouched
    store.reveal(code, token)
    store.set_scene(code, token, 2, "q2")
    store.answer(code, "s1", "q2", "c")
    state = store.discard(code, token, "q1")
    assert state.reveals == frozenset() and state.question == "q2"
    assert store.answers(code, "q1") == [] and store.answers(code, "q2") == ["c"]
    assert store.discard(code, token, "never asked").reveals == frozenset()


def test_lengths_are_capped(store):
    code, token = open_class(store)
    store.answer(code, "s" * 64, "q1", "v" * MAX_ANSWER_CHARS)
    for student, value in (("s1", "v" * (MAX_ANSWER_CHARS + 1)), ("s" * 65, "v"), ("", "v"), ("s1", None)):
        with pytest.raises(ValueError):
            store.answer(code, student, "q1", value)
    for student in ("", "s" * 65, None, 7):
        with pytest.raises(ValueError):
            store.join(code, student)
    for scene, question in ((-1, "q"), (1, "q" * 65), ("1", "q"), (True, "q")):
        with pytest.raises(ValueError):
            store.set_scene(code, token, scene, question)
    with pytest.raises(ValueError):
        store.discard(code, token, "q" * 65)
    with pytest.raises(ValueError):
        store.create(owner=None)
    assert store.count(code, "q1") == 1 and store.state(code).joined == 1


# --- codes that name no class


def test_unknown_codes(store):
    code, token = open_class(store)
    for bad in (unknown_code(code), "", "   ", code[:-1], code + "2", code.replace(code[0], "0"), "ABCD-EFGH",
                "é" * 8):
        assert store.state(bad) is None and store.ended(bad) is None
        with pytest.raises(NoSuchClass, match="No class with the code"):
            store.answer(bad, "s1", "q1", "x")
        for method, args in (("answers", ("q1",)), ("count", ("q1",)), ("set_scene", (token, 2, "q2")),
                             ("reveal", (token,)), ("end", (token,)), ("join", ("s1",)), ("teacher", (token,)),
                             ("discard", (token, "q1")), ("lock", (token, True))):
            with pytest.raises(NoSuchClass):
                getattr(store, method)(bad, *args)
    assert store.state(code).scene == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.one_of(st.text(), st.text(alphabet=ALPHABET + "01ilo -", max_size=12)))
def test_any_typed_code_is_at_worst_unknown(store, typed):
    assert store.state(typed) is None and store.ended(typed) is None
    for call in (lambda: store.answer(typed, "s1", "q1", "x"), lambda: store.join(typed, "s1")):
        with pytest.raises(NoSuchClass) as refused:
            call()
        assert "\n" not in str(refused.value) and len(str(refused.value)) < 80


def test_messages_are_plain_sentences():
    errors = (NoSuchClass("ABCDEFGH"), NotAllowed(), StoreFull(), TooManyClasses(5), TooManyClasses(1), ClassFull(),
              ClassLocked(), JoinsThrottled(0.2), JoinsThrottled(2.5), AnswersClosed(True), AnswersClosed(False))
    for error in errors:
        assert isinstance(error, StoreError) and str(error).endswith(".") and str(error)[0].isupper()
        assert "\n" not in str(error)
    assert str(TooManyClasses(5)) == "You already lead 5 classes on this server: end one first."
    assert str(TooManyClasses(1)) == "You already lead 1 class on this server: end one first."
    assert str(ClassLocked()) == "The class is closed to new students: ask your teacher to open it."
    assert str(JoinsThrottled(0.2)) == "Many students are joining right now: try again in 1 s."
    assert str(JoinsThrottled(2.5)) == "Many students are joining right now: try again in 3 s."
    assert JoinsThrottled(2.5).wait == 2.5 and TooManyClasses(5).open_classes == 5


# --- room on the server


def test_open_classes_are_capped_while_their_teachers_are_there(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_CLASSES", 3)
    first, token = store.create()
    second, _ = store.create()
    clock.advance(IDLE_RELEASE_SECONDS / 2)
    third, _ = store.create()
    with pytest.raises(StoreFull):
        store.create()
    store.end(first, token)
    fourth, _ = store.create()
    with pytest.raises(StoreFull):
        store.create()
    assert [store.state(c) is not None for c in (first, second, third, fourth)] == [False, True, True, True]
    assert store.ended(second) is None


def test_a_full_store_releases_the_longest_idle_class(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_CLASSES", 3)
    a, _ = open_class(store)
    store.answer(a, "s1", "q1", "x")
    clock.advance(10)
    b, b_token = store.create()
    clock.advance(10)
    c, _ = open_class(store)
    clock.advance(IDLE_RELEASE_SECONDS + 5)  # all three idle: a the longest
    d, _ = store.create()
    assert store.state(a) is None and store.ended(a) == "released" and leftovers(store, a) == 0
    with pytest.raises(NoSuchClass):
        store.answer(a, "s1", "q1", "y")
    assert all(store.state(code) is not None for code in (b, c, d))
    store.teacher(b, b_token)  # b's teacher is back: c is now the only idle class
    e, _ = store.create()
    assert store.ended(c) == "released" and store.state(b) is not None and store.ended(b) is None
    with pytest.raises(StoreFull):  # b, d and e all have their teachers: nobody is released
        store.create()
    assert [store.state(code) is not None for code in (b, d, e)] == [True, True, True]


def test_one_owner_leads_a_few_classes_at_most(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_CLASSES_PER_OWNER", 2)
    first, token = store.create("10.0.0.1")
    store.create("10.0.0.1")
    with pytest.raises(TooManyClasses) as refused:
        store.create("10.0.0.1")
    assert str(refused.value) == "You already lead 2 classes on this server: end one first."
    store.create("10.0.0.2")  # another owner
    for _ in range(6):
        store.create()  # no owner: never limited
    store.end(first, token)
    store.create("10.0.0.1")  # a class ended frees its place
    clock.advance(EXPIRY_SECONDS)  # ... and so does one expired
    store.create("10.0.0.1")
    store.create("10.0.0.1")
    with pytest.raises(TooManyClasses):
        store.create("10.0.0.1")


def test_a_new_class_never_gets_a_code_in_use_or_remembered(store, monkeypatch):
    open_code, _ = store.create()
    ended_code, token = store.create()
    store.end(ended_code, token)
    fresh = unknown_code(open_code, ended_code)
    codes = iter([open_code, ended_code, fresh])
    monkeypatch.setattr(store_module, "new_code", lambda: next(codes))
    assert store.create()[0] == fresh


# --- expiry, and what is said of a class that is gone


def test_a_class_expires_hours_after_its_teacher_was_last_seen(store, clock):
    code, token = open_class(store)
    clock.advance(EXPIRY_SECONDS - 10)
    store.join(code, "s1")  # students do not keep a class alive
    store.answer(code, "s2", "q1", "a")
    assert store.state(code) is not None  # reading is not the teacher either...
    assert store.purge() == 0
    clock.advance(10)
    assert store.state(code) is None  # ...so it expires on time
    assert store.ended(code) == "expired"  # even before it is purged
    for call in (lambda: store.answer(code, "s1", "q1", "b"), lambda: store.count(code, "q1"),
                 lambda: store.set_scene(code, token, 2, "q2"), lambda: store.reveal(code, token),
                 lambda: store.join(code, "s3"), lambda: store.teacher(code, token)):
        with pytest.raises(NoSuchClass):
            call()
    assert store.purge() == 1
    assert store.purge() == 0
    assert leftovers(store) == 0
    assert store.ended(code) == "expired"
    clock.advance(EXPIRY_SECONDS)  # a tombstone is kept as long as a class lives, then forgotten
    assert store.ended(code) is None


def test_only_the_teacher_postpones_expiry(store, clock):
    code, token = open_class(store)
    other, _ = store.create()
    clock.advance(EXPIRY_SECONDS - 10)
    store.teacher(code, token)
    store.join(other, "s1")  # a student of the other class changes nothing
    clock.advance(EXPIRY_SECONDS - 10)
    assert store.state(other) is None and store.ended(other) == "expired" and store.ended(code) is None
    store.reveal(code, token)
    assert store.purge() == 1  # the other class
    clock.advance(EXPIRY_SECONDS - 10)
    assert store.purge() == 0 and store.state(code).revealed


def test_what_is_said_of_a_class_that_is_gone(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_CLASSES", 2)
    expired, _ = store.create()
    clock.advance(EXPIRY_SECONDS - IDLE_RELEASE_SECONDS)
    ended, token = store.create()
    store.end(ended, token)
    assert store.ended(ended) == "ended"
    released, _ = store.create()
    clock.advance(IDLE_RELEASE_SECONDS)
    store.create()  # purges the expired class
    store.create()  # the store is full: releases the idle one
    assert [store.ended(c) for c in (ended, expired, released)] == ["ended", "expired", "released"]
    assert store.ended(unknown_code(ended, expired, released)) is None
    assert store.state(released) is None and store.state(expired) is None


def test_only_the_newest_tombstones_are_kept(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_TOMBSTONES", 3)
    codes = []
    for _ in range(5):
        code, token = store.create()
        store.end(code, token)
        codes.append(code)
        clock.advance(1)
    assert [store.ended(c) for c in codes] == [None, None, "ended", "ended", "ended"]


def test_a_class_the_store_lost_is_not_said_to_have_ended(store):
    code, token = open_class(store)
    store.answer(code, "s1", "q1", "a")
    if is_redis(store):
        store.redis.flushdb()  # a Redis server restarted without persistence
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store.path}{suffix}").unlink(missing_ok=True)
    assert store.state(code) is None and store.ended(code) is None
    with pytest.raises(NoSuchClass):
        store.teacher(code, token)
    assert store.create()[0] != code


# --- a model of one class, under any sequence of calls


_STUDENTS = st.sampled_from(["s1", "s2", "s3", "s4"])
_QUESTIONS = st.sampled_from(["q1", "q2"])
_CALLS = st.lists(st.one_of(
    st.tuples(st.just("scene"), st.sampled_from(["q1", "q2", ""])),
    st.tuples(st.just("reveal")),
    st.tuples(st.just("discard"), _QUESTIONS),
    st.tuples(st.just("lock"), st.booleans()),
    st.tuples(st.just("join"), _STUDENTS),
    st.tuples(st.just("answer"), _STUDENTS, _QUESTIONS, st.sampled_from(["1", "2"])),
), max_size=30)


class ClassModel:
    """What one class should hold after each call, in plain Python."""

    def __init__(self, seats: int) -> None:
        self.seats, self.question, self.reveals, self.locked = seats, "", set(), False
        self.joined: set[str] = set()
        self.answers: dict[str, dict[str, str]] = {"q1": {}, "q2": {}}

    def call(self, name: str, *args) -> type | None:
        """Apply a call; the StoreError class it must raise, or None."""
        if name == "scene":
            self.question = args[0]
        elif name == "reveal" and self.question:
            self.reveals.add(self.question)
        elif name == "discard":
            self.answers[args[0]].clear()
            self.reveals.discard(args[0])
        elif name == "lock":
            self.locked = args[0]
        elif name in ("join", "answer"):
            student = args[0]
            if name == "answer" and (args[1] != self.question or self.question in self.reveals):
                return AnswersClosed
            if student not in self.joined:
                if self.locked:
                    return ClassLocked
                if len(self.joined) >= self.seats:
                    return ClassFull
                self.joined.add(student)
            if name == "answer":
                self.answers[args[1]][student] = args[2]
        return None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=_CALLS)
def test_a_class_behaves_as_its_model(store, monkeypatch, calls):
    monkeypatch.setattr(store_module, "MAX_STUDENTS", 3)
    code, token = store.create()
    model = ClassModel(seats=3)
    for n, (name, *args) in enumerate(calls):
        expected = model.call(name, *args)
        if name == "scene":
            method, args = "set_scene", [n + 1, *args]
        else:
            method = name
        credentials = (code, token) if name in ("scene", "reveal", "discard", "lock") else (code,)
        if expected is None:
            getattr(store, method)(*credentials, *args)
        else:
            with pytest.raises(expected):
                getattr(store, method)(*credentials, *args)
        state = store.state(code)
        assert (state.question, state.reveals, state.revealed, state.joined, state.locked) == (
            model.question, model.reveals, model.question in model.reveals, len(model.joined), model.locked)
        for question, answers in model.answers.items():
            assert sorted(store.answers(code, question)) == sorted(answers.values())


# --- several writers at once


def _run_threads(target, n: int) -> list[BaseException]:
    start, errors = threading.Barrier(n), []

    def run(t: int) -> None:
        try:
            start.wait()
            target(t)
        except Exception as error:  # reported by the caller: an exception in a thread would be lost
            errors.append(error)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_threads_lose_no_answer(store, monkeypatch):
    monkeypatch.setattr(store_module, "JOIN_BURST", 1000)
    code, _ = open_class(store)

    def students(t: int) -> None:
        for i in range(25):  # 25 students, each answering twice: 50 answers per thread
            store.answer(code, f"t{t}-s{i}", "q1", "first")
            store.answer(code, f"t{t}-s{i}", "q1", f"{t}.{i}")

    assert _run_threads(students, 8) == []
    assert store.count(code, "q1") == store.state(code).joined == 200
    assert sorted(store.answers(code, "q1")) == sorted(f"{t}.{i}" for t in range(8) for i in range(25))


def test_threads_never_share_the_last_seat(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_STUDENTS", 50)
    monkeypatch.setattr(store_module, "JOIN_BURST", 1000)
    code, _ = open_class(store)
    seated, full = [], []

    def students(t: int) -> None:
        for i in range(10):
            try:
                store.join(code, f"t{t}-s{i}")
                seated.append((t, i))
            except ClassFull:
                full.append((t, i))

    assert _run_threads(students, 8) == []
    assert len(seated) == store.state(code).joined == 50 and len(full) == 30


def _process_students(where: dict, now: float, code: str, p: int, students: int, limits: dict, start,
                      results) -> None:
    """One app server's students (in a process of its own): each joins, then answers twice if seated."""
    for name, value in limits.items():
        setattr(store_module, name, value)
    store = open_store(**where, clock=lambda: now)  # each process with its own store, as each app server
    seated = []
    start.wait()
    for i in range(students):
        try:
            store.join(code, f"p{p}-s{i}")
        except ClassFull:
            continue
        store.answer(code, f"p{p}-s{i}", "q1", "first")
        store.answer(code, f"p{p}-s{i}", "q1", f"{p}.{i}")
        seated.append(f"{p}.{i}")
    results.put(seated)
    store.close()


def _gather(workers: list, results, timeout: float = 60.0) -> list:
    """What each worker put in `results`; stops early when one of them failed, rather than waiting on it."""
    gathered, deadline = [], time.monotonic() + timeout
    while len(gathered) < len(workers) and time.monotonic() < deadline:
        try:
            gathered.append(results.get(timeout=0.2))
        except queue.Empty:
            if any(w.exitcode not in (None, 0) for w in workers):
                break
    for worker in workers:
        worker.join(max(0.1, deadline - time.monotonic()))
        if worker.is_alive():
            worker.terminate()
            worker.join()
    return gathered


def test_processes_lose_no_answer_and_never_share_the_last_seat(store, where, clock, monkeypatch):
    limits = {"JOIN_BURST": 1000}  # 600 students arriving at once: the bucket is not what is tested here
    for name, value in limits.items():
        monkeypatch.setattr(store_module, name, value)
    code, _ = open_class(store)
    start, results = SPAWN.Barrier(4), SPAWN.Queue()
    workers = [SPAWN.Process(target=_process_students, args=(where, clock.now, code, p, 150, limits, start, results))
               for p in range(4)]
    for worker in workers:
        worker.start()
    seated = [value for values in _gather(workers, results) for value in values]
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert len(seated) == len(set(seated)) == store.state(code).joined == store_module.MAX_STUDENTS == 500
    assert store.count(code, "q1") == 500
    assert sorted(store.answers(code, "q1")) == sorted(seated)


# --- SQLite: where the file goes, and what it mends by itself


def test_the_sqlite_file_goes_to_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROGRAD_DATA_DIR", str(tmp_path / "data"))
    store = open_store()
    code, _ = store.create()
    assert store.path == tmp_path / "data" / "classes.sqlite3" and store.path.exists()
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()
    other = open_store(path=store.path)
    assert other.state(code).code == code  # another process's store sees it
    assert store.notices == other.notices == []
    for opened in (store, other):
        opened.close()


@pytest.mark.parametrize("deleted", ["file", "folder"])
def test_sqlite_starts_again_when_its_file_is_deleted_under_it(tmp_path, clock, deleted):
    store = open_store(path=tmp_path / "data" / "classes.sqlite3", clock=clock)
    old, old_token = open_class(store)
    store.answer(old, "s1", "q1", "a")
    if deleted == "folder":
        shutil.rmtree(store.path.parent)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store.path}{suffix}").unlink(missing_ok=True)
    seen = {}

    def elsewhere(_: int) -> None:  # a new thread: a new connection, to a new, empty file
        seen["old"] = (store.state(old), store.ended(old))
        code, token = open_class(store)
        store.join(code, "s1")
        store.answer(code, "s2", "q1", "b")
        store.reveal(code, token)
        store.lock(code, token, True)
        seen["answers"] = (store.answers(code, "q1"), store.count(code, "q1"), store.purge())
        seen["state"] = store.teacher(code, token)
        seen["discarded"] = store.discard(code, token, "q1")
        store.end(code, token)
        seen["ended"] = store.ended(code)

    assert _run_threads(elsewhere, 1) == []
    assert seen["old"] == (None, None)  # lost, not ended
    assert seen["answers"] == (["b"], 1, 0)
    assert (seen["state"].joined, seen["state"].locked, seen["state"].reveals) == (2, True, {"q1"})
    assert seen["discarded"].reveals == frozenset() and seen["ended"] == "ended"
    assert store.path.exists() and store.state(old) is None  # this thread too moved to the new file
    code, _ = open_class(store)
    assert store.join(code, "s1").joined == 1
    with pytest.raises(NoSuchClass):
        store.end(old, old_token)


GARBAGE = b"these bytes are not an SQLite database\n" * 200


def test_sqlite_moves_a_damaged_file_aside(tmp_path, clock):
    path = tmp_path / "classes.sqlite3"
    path.write_bytes(GARBAGE)
    store = open_store(path=path, clock=clock)
    code, token = open_class(store)
    store.answer(code, "s1", "q1", "a")
    assert store.answers(code, "q1") == ["a"]
    [aside] = tmp_path.glob("classes.sqlite3.damaged-*")
    assert aside.read_bytes() == GARBAGE
    assert store.notices == [f"The class store's file was damaged; it was moved aside to {aside} and a new one was "
                             "started. Classes open before are lost."]
    assert open_store(path=path).notices == []  # the new file is sound


def test_sqlite_moves_aside_a_file_damaged_while_it_runs(tmp_path, clock):
    store = open_store(path=tmp_path / "classes.sqlite3", clock=clock)
    code, _ = open_class(store)
    assert store.notices == []
    broken = tmp_path / "broken"
    broken.write_bytes(GARBAGE)
    for suffix in ("-wal", "-shm"):  # as a bad copy or restore of the file alone would leave it
        Path(f"{store.path}{suffix}").unlink(missing_ok=True)
    os.replace(broken, store.path)
    assert store.state(code) is None  # lost with the file, and not an error
    assert store.ended(code) is None
    fresh, _ = open_class(store)
    assert store.state(fresh).question == "q1"
    assert len(store.notices) == 1 and "was damaged; it was moved aside to" in store.notices[0]
    assert any(p.read_bytes() == GARBAGE for p in tmp_path.glob("classes.sqlite3.damaged-*"))


@pytest.fixture
def temp_folder(tmp_path, monkeypatch) -> Path:
    """The system's temporary folder, as the store sees it: one of this test's own."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _falls_back(store: ClassStore, wanted: Path, temp: Path) -> None:
    fallback = temp / f"micrograd-data-{os.getuid()}"
    assert store.path == fallback / "classes.sqlite3"
    assert fallback.stat().st_mode & 0o777 == 0o700  # answers are nobody else's to read
    assert store.notices == [
        f"The app cannot write to {wanted}, so classes are kept in {fallback} instead: they are lost when the "
        "machine restarts. Set MICROGRAD_DATA_DIR to a folder the app can write to."]
    code, _ = open_class(store)
    store.answer(code, "s1", "q1", "a")
    assert open_store(path=wanted / "classes.sqlite3").answers(code, "q1") == ["a"]  # every process finds it


@pytest.mark.parametrize("refusal", ["unable to open database file", "attempt to write a readonly database"])
def test_sqlite_falls_back_to_a_temporary_folder_sqlite_cannot_write(tmp_path, temp_folder, monkeypatch, refusal):
    wanted = tmp_path / "read-only"
    real_connect = sqlite3.connect

    def connect(path, *args, **kwargs):  # root writes anywhere: the refusal an unprivileged user gets
        if Path(path).parent == wanted:
            raise sqlite3.OperationalError(refusal)
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(sqlite_file.sqlite3, "connect", connect)
    _falls_back(open_store(path=wanted / "classes.sqlite3"), wanted, temp_folder)


def test_sqlite_falls_back_when_the_data_folder_cannot_be_made(tmp_path, temp_folder):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    wanted = blocker / "data"  # no one, not even root, can make a folder inside a file
    _falls_back(open_store(path=wanted / "classes.sqlite3"), wanted, temp_folder)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders")
def test_sqlite_falls_back_from_a_read_only_folder(tmp_path, temp_folder):
    wanted = tmp_path / "read-only"
    wanted.mkdir()
    wanted.chmod(0o555)
    try:
        _falls_back(open_store(path=wanted / "classes.sqlite3"), wanted, temp_folder)
    finally:
        wanted.chmod(0o755)


def test_the_fallback_folder_is_never_another_users(temp_folder):
    elsewhere = temp_folder / "someone-elses"
    elsewhere.mkdir()
    (temp_folder / f"micrograd-data-{os.getuid()}").symlink_to(elsewhere)
    folder = sqlite_file.fallback_folder()
    assert folder.parent == temp_folder and folder.name.startswith("micrograd-data-") and not folder.is_symlink()
    assert folder.resolve() != elsewhere.resolve()


_FIRST_SCHEMA = """
CREATE TABLE classes (
    code TEXT PRIMARY KEY, token_hash TEXT NOT NULL, scene INTEGER NOT NULL DEFAULT 0,
    question TEXT NOT NULL DEFAULT '', revealed INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE answers (
    code TEXT NOT NULL, question TEXT NOT NULL, student TEXT NOT NULL, value TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (code, question, student)
) WITHOUT ROWID;
CREATE TABLE students (code TEXT NOT NULL, student TEXT NOT NULL, PRIMARY KEY (code, student)) WITHOUT ROWID;
"""


def test_sqlite_opens_a_file_of_the_first_store_and_keeps_its_classes(tmp_path, clock):
    path = tmp_path / "classes.sqlite3"
    revealed, quiet = unknown_code(), unknown_code()
    with sqlite3.connect(path) as db:
        db.executescript(_FIRST_SCHEMA)
        db.executemany("INSERT INTO classes VALUES (?, ?, ?, ?, ?, ?)",
                       [(revealed, token_hash("t1"), 2, "q1", 1, START - 60), (quiet, token_hash("t2"), 1, "q9", 0,
                                                                                   START - 30)])
        db.execute("INSERT INTO answers VALUES (?, 'q1', 's1', 'a', ?)", (revealed, START - 70))
        db.execute("INSERT INTO students VALUES (?, 's1')", (revealed,))
    db.close()
    store = open_store(path=path, clock=clock)
    assert store.state(revealed) == ClassState(revealed, 2, "q1", True, frozenset({"q1"}), 1, False, START - 60,
                                               START - 60)
    assert store.state(quiet) == ClassState(quiet, 1, "q9", False, frozenset(), 0, False, START - 30, START - 30)
    assert store.answers(revealed, "q1") == ["a"]
    assert store.teacher(quiet, "t2").teacher_seen == START  # the teacher's token still works
    with pytest.raises(NotAllowed):
        store.teacher(quiet, "t1")
    store.join(quiet, "s2")
    assert store.lock(revealed, "t1", True).locked
    code, _ = open_class(store, owner="10.0.0.1")
    assert store.join(code, "s1").joined == 1
    again = open_store(path=path, clock=clock)  # a second start finds the new tables as they are
    assert again.state(revealed).locked and again.state(quiet).joined == 1 and again.notices == []


# --- Redis: every key dies with its class; what a restart would lose


@pytest.fixture
def redis_store(redis_url, clock) -> Iterator[ClassStore]:
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    store = open_store(redis_url=redis_url, clock=clock)
    yield store
    store.close()


def test_redis_keys_live_as_long_as_the_teacher_is_seen(redis_store):
    store = redis_store
    code, token = open_class(store, "q0")
    store.join(code, "s1")
    store.reveal(code, token)
    store.set_scene(code, token, 2, "q1")
    store.answer(code, "s2", "q1", "a")
    keys = store.redis.keys("*")
    assert len(keys) == 6 and all(0 < store.redis.ttl(k) <= 2 * EXPIRY_SECONDS for k in keys)
    mine = [k for k in keys if k.endswith(code) or f":{code}:" in k]
    assert len(mine) == 5 and all(store.redis.ttl(k) > EXPIRY_SECONDS - 60 for k in mine)
    for key in mine:
        store.redis.expire(key, 100)
    store.join(code, "s3")  # students renew nothing...
    store.answer(code, "s4", "q1", "b")
    assert all(0 < store.redis.ttl(k) <= 100 for k in mine)
    assert store.state(code).joined == 4
    store.teacher(code, token)  # ...the teacher renews everything
    assert all(store.redis.ttl(k) > EXPIRY_SECONDS - 60 for k in mine)


def test_redis_keys_a_student_makes_get_the_class_s_time_left(redis_store):
    store = redis_store
    code, token = open_class(store)
    store.redis.expire(f"{store.prefix}class:{code}", 100)
    store.join(code, "s1")  # the first student makes the students' set
    store.answer(code, "s1", "q1", "a")  # the first answer makes the answers' hash and the questions' set
    made = [f"{store.prefix}students:{code}", f"{store.prefix}answers:{code}:q1", f"{store.prefix}questions:{code}"]
    assert [0 < store.redis.ttl(k) <= 100 for k in made] == [True, True, True]


def test_redis_says_a_class_it_dropped_itself_expired(redis_store, clock):
    store = redis_store
    code, _ = open_class(store)
    lost, _ = open_class(store)
    store.answer(code, "s1", "q1", "a")
    store.redis.delete(*store.redis.keys(f"{store.prefix}*:{lost}*"))  # dropped early (memory ran out)
    assert store.ended(lost) is None
    assert store.purge() == 1  # forgotten from the list of classes, and not called expired
    assert store.ended(lost) is None
    clock.advance(EXPIRY_SECONDS)
    store.redis.delete(*store.redis.keys(f"{store.prefix}*:{code}*"))  # as its TTL would, on time
    assert store.ended(code) == "expired"
    assert store.purge() == 1
    assert store.ended(code) == "expired" and store.ended(lost) is None
    assert store.redis.keys(f"{store.prefix}class*") == []


def test_redis_opens_a_class_of_the_first_store(redis_store, clock):
    store, code = redis_store, unknown_code()
    p = store.prefix  # the keys and fields the first store wrote, for a class still open at an upgrade
    store.redis.hset(f"{p}class:{code}", mapping={"token_hash": token_hash("t1"), "scene": 2, "question": "q1",
                                                  "revealed": 0, "updated": repr(START - 60)})
    store.redis.sadd(f"{p}students:{code}", "s1")
    store.redis.hset(f"{p}answers:{code}:q1", "s1", "a")
    store.redis.sadd(f"{p}questions:{code}", "q1")
    store.redis.zadd(f"{p}classes", {code: START - 60})
    for key in store.redis.keys(f"{p}*"):
        store.redis.expire(key, EXPIRY_SECONDS)
    assert store.state(code) == ClassState(code, 2, "q1", False, frozenset(), 1, False, START - 60, START - 60)
    assert store.answers(code, "q1") == ["a"] and store.ended(code) is None
    assert store.join(code, "s2").joined == 2  # a full join bucket
    store.answer(code, "s3", "q1", "b")
    assert store.teacher(code, "t1").teacher_seen == START
    with pytest.raises(NotAllowed):
        store.reveal(code, "t2")
    assert store.reveal(code, "t1").reveals == {"q1"}
    assert sorted(store.answers(code, "q1")) == ["a", "b"]
    clock.advance(EXPIRY_SECONDS)
    assert store.state(code) is None and store.ended(code) == "expired"


def test_redis_without_appendonly_or_snapshots_says_every_class_is_at_risk(redis_store):
    assert redis_store.notices == [
        "Redis keeps classes only in memory (appendonly is off and so are its snapshots): if the Redis server "
        "restarts, every class and answer is lost. Turn on appendonly (appendfsync everysec) to keep them."]


def _notices_of(options: Sequence[str]) -> list[str]:
    _need_redis_server()
    with redis_server(options=options) as url:
        store = open_store(redis_url=url)
        try:
            code, _ = open_class(store)  # the store works whatever it says
            store.answer(code, "s1", "q1", "a")
            assert store.answers(code, "q1") == ["a"]
            return store.notices
        finally:
            store.close()


def test_redis_with_snapshots_only_says_what_a_crash_loses():
    assert _notices_of(["--save", "3600 1", "--appendonly", "no"]) == [
        "Redis keeps classes only in its periodic snapshots (appendonly is off): if the Redis server crashes, the "
        "classes and answers since the last snapshot are lost. Turn on appendonly (appendfsync everysec) to keep "
        "them."]


def test_redis_with_appendonly_says_nothing():
    assert _notices_of(["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]) == []


def test_redis_that_refuses_config_says_it_could_not_check():
    [notice] = _notices_of([*NO_PERSISTENCE, "--rename-command", "CONFIG", ""])
    assert notice.startswith("Whether Redis keeps classes on disk could not be checked (it refused CONFIG GET): ")
    assert "appendonly on (appendfsync everysec)" in notice


def test_redis_that_is_not_up_yet_says_it_could_not_check():
    store = open_store(redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        [notice] = store.notices
        assert notice.startswith("Whether Redis keeps classes on disk could not be checked (the Redis server did not "
                                 "answer when the app started): ")
        with pytest.raises(redis.ConnectionError):
            store.create()
    finally:
        store.close()


# --- the package


def test_the_server_package_imports_no_view_code():
    for path in (ROOT / "server").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("streamlit", "ui", "pages") for n in names), path.name
