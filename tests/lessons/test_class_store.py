"""The class store, each test run on both backends: SQLite in a file and Redis (a redis-server started here)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons.classroom import store as store_module
from lessons.classroom.store import (
    ALPHABET,
    CODE_LENGTH,
    EXPIRY_SECONDS,
    MAX_ANSWER_CHARS,
    AnswersClosed,
    ClassFull,
    ClassStore,
    NoSuchClass,
    NotAllowed,
    StoreError,
    StoreFull,
    new_code,
    open_store,
    token_hash,
)

START = 1_000_000.0


def _free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not 8600 <= port <= 8700:  # those are the app servers' ports on shared machines
            return port


@contextmanager
def redis_server(timeout: float = 10.0) -> Iterator[str]:
    """A throwaway redis-server on a free port, without persistence; yields its URL and stops it."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise FileNotFoundError("redis-server")
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen([exe, "--port", str(port), "--save", "", "--appendonly", "no",
                                   "--bind", "127.0.0.1", "--dir", folder],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"redis://127.0.0.1:{port}/0"
            client, deadline = redis.Redis.from_url(url), time.monotonic() + timeout
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not answer on port {port}") from None
                    time.sleep(0.02)
            client.close()
            yield url
        finally:
            server.terminate()
            try:
                server.wait(5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed ('apt-get install redis-server'): the Redis store is not tested"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
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
def store(where, clock) -> ClassStore:
    return open_store(**where, clock=clock)


def leftovers(store: ClassStore) -> int:
    """Rows or keys left in the store."""
    if hasattr(store, "redis"):
        return store.redis.dbsize()
    with sqlite3.connect(store.path) as db:
        return sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("classes", "answers", "students"))


def open_class(store: ClassStore, question: str = "q1", scene: int = 1) -> tuple[str, str]:
    code, token = store.create()
    store.set_scene(code, token, scene, question)
    return code, token


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
        state = store.state(code)
        assert (state.code, state.scene, state.question, state.revealed, state.students) == (code, 0, "", False, 0)
        assert state.updated == clock.now


def test_a_code_is_read_as_typed(store):
    code, _ = store.create()
    assert store.state(f"  {code.lower()}\n") == store.state(code)
    store.set_scene(code, _, 2, "q")
    store.answer(f" {code.lower()} ", "s1", "q", "4")
    assert store.count(code.lower(), "q") == 1


def test_the_store_keeps_only_a_hash_of_the_token(store):
    code, token = store.create()
    if hasattr(store, "redis"):
        kept = " ".join(str(store.redis.hgetall(k)) for k in store.redis.keys("*") if store.redis.type(k) == "hash")
    else:
        kept = b"".join(p.read_bytes() for p in store.path.parent.glob("classes.sqlite3*")).decode("latin-1")
    assert token not in kept
    assert token_hash(token) in kept


# --- the teacher's token


def test_only_the_teacher_controls_the_class(store):
    code, token = open_class(store)
    other_code, other_token = store.create()
    for wrong in ("", "x" * 32, other_token, code, token + "x", None):
        with pytest.raises(NotAllowed):
            store.set_scene(code, wrong, 5, "q9")
        with pytest.raises(NotAllowed):
            store.reveal(code, wrong)
        with pytest.raises(NotAllowed):
            store.end(code, wrong)
    state = store.state(code)
    assert (state.scene, state.question, state.revealed) == (1, "q1", False)


def test_a_student_cannot_move_the_class(store):
    code, _ = open_class(store, "q1", scene=3)
    with pytest.raises(AnswersClosed):
        store.answer(code, "s1", "q2", "x")
    state = store.state(code)
    assert (state.scene, state.question, state.students) == (3, "q1", 0)


def test_ending_deletes_the_class_and_its_answers(store):
    code, token = open_class(store)
    store.answer(code, "s1", "q1", "a")
    store.end(code, token)
    assert store.state(code) is None
    with pytest.raises(NoSuchClass):
        store.answers(code, "q1")
    with pytest.raises(NoSuchClass):
        store.end(code, token)
    assert leftovers(store) == 0


# --- answers


def test_one_answer_per_student_the_latest(store, clock):
    code, _ = open_class(store)
    store.answer(code, "s1", "q1", "1")
    store.answer(code, "s2", "q1", "2")
    clock.advance(3)
    store.answer(code, "s1", "q1", "3")
    assert sorted(store.answers(code, "q1")) == ["2", "3"]
    assert store.count(code, "q1") == 2
    assert store.state(code).students == 2
    assert store.state(code).updated == clock.now  # an answer is activity
    assert store.answers(code, "never asked") == [] and store.count(code, "never asked") == 0


def test_answers_only_to_the_open_question(store):
    code, token = open_class(store, "q1")
    with pytest.raises(AnswersClosed, match="moved on"):
        store.answer(code, "s1", "q0", "x")
    store.answer(code, "s1", "q1", "x")
    assert store.reveal(code, token).revealed
    with pytest.raises(AnswersClosed, match="revealed"):
        store.answer(code, "s2", "q1", "y")
    store.set_scene(code, token, 2, "")  # a scene without a question
    with pytest.raises(AnswersClosed):
        store.answer(code, "s1", "", "x")
    assert store.answers(code, "q1") == ["x"]


def test_a_new_scene_reopens_and_going_back_shows_old_answers(store, clock):
    code, token = open_class(store, "q1")
    store.answer(code, "s1", "q1", "a")
    store.reveal(code, token)
    clock.advance(10)
    state = store.set_scene(code, token, 2, "q2")
    assert (state.scene, state.question, state.revealed, state.updated) == (2, "q2", False, clock.now)
    store.answer(code, "s2", "q2", "b")
    state = store.set_scene(code, token, 1, "q1")
    assert not state.revealed and state.students == 2
    assert store.answers(code, "q1") == ["a"] and store.answers(code, "q2") == ["b"]
    store.answer(code, "s1", "q1", "c")  # open again
    assert store.answers(code, "q1") == ["c"]


def test_lengths_are_capped(store):
    code, token = open_class(store)
    store.answer(code, "s" * 64, "q1", "v" * MAX_ANSWER_CHARS)
    for student, value in (("s1", "v" * (MAX_ANSWER_CHARS + 1)), ("s" * 65, "v"), ("", "v"), ("s1", None)):
        with pytest.raises(ValueError):
            store.answer(code, student, "q1", value)
    for scene, question in ((-1, "q"), (1, "q" * 65), ("1", "q"), (True, "q")):
        with pytest.raises(ValueError):
            store.set_scene(code, token, scene, question)
    assert store.count(code, "q1") == 1


# --- codes that name no class


def test_unknown_codes(store):
    code, token = open_class(store)
    unknown = next(c for c in iter(new_code, None) if c != code)
    for bad in (unknown, "", "   ", code[:-1], code + "2", code.replace(code[0], "0"), "ABCD-EFGH", "é" * 8):
        assert store.state(bad) is None
        with pytest.raises(NoSuchClass, match="No class with the code"):
            store.answer(bad, "s1", "q1", "x")
        for method, args in (("answers", ("q1",)), ("count", ("q1",)), ("set_scene", (token, 2, "q2")),
                             ("reveal", (token,)), ("end", (token,))):
            with pytest.raises(NoSuchClass):
                getattr(store, method)(bad, *args)
    assert store.state(code).scene == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.one_of(st.text(), st.text(alphabet=ALPHABET + "01ilo -", max_size=12)))
def test_any_typed_code_is_at_worst_unknown(store, typed):
    assert store.state(typed) is None
    with pytest.raises(NoSuchClass) as refused:
        store.answer(typed, "s1", "q1", "x")
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 80


def test_messages_are_plain_sentences():
    for error in (NoSuchClass("ABCDEFGH"), NotAllowed(), StoreFull(), ClassFull(), AnswersClosed(True),
                  AnswersClosed(False)):
        assert isinstance(error, StoreError) and str(error).endswith(".") and str(error)[0].isupper()


# --- caps


def test_open_classes_are_capped(store, clock, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_CLASSES", 3)
    first, token = store.create()
    store.create()
    clock.advance(EXPIRY_SECONDS / 2)
    store.create()
    with pytest.raises(StoreFull):
        store.create()
    store.end(first, token)
    store.create()
    clock.advance(EXPIRY_SECONDS / 2)  # the second has expired: create() purges it
    store.create()
    with pytest.raises(StoreFull):
        store.create()


def test_students_are_capped_but_those_in_may_go_on(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_STUDENTS", 3)
    code, token = open_class(store)
    for s in ("s1", "s2", "s3"):
        store.answer(code, s, "q1", "a")
    with pytest.raises(ClassFull):
        store.answer(code, "s4", "q1", "a")
    store.answer(code, "s3", "q1", "changed")
    store.set_scene(code, token, 2, "q2")
    store.answer(code, "s1", "q2", "b")
    with pytest.raises(ClassFull):
        store.answer(code, "s4", "q2", "b")
    assert store.state(code).students == 3 and sorted(store.answers(code, "q1")) == ["a", "a", "changed"]


# --- expiry


def test_a_class_expires_after_hours_without_activity(store, clock):
    code, token = open_class(store)
    store.answer(code, "s1", "q1", "a")
    clock.advance(EXPIRY_SECONDS - 1)
    assert store.state(code) is not None  # reading is not activity...
    assert store.purge() == 0
    clock.advance(1)
    assert store.state(code) is None  # ...so it expires on time
    for call in (lambda: store.answer(code, "s1", "q1", "b"), lambda: store.count(code, "q1"),
                 lambda: store.set_scene(code, token, 2, "q2"), lambda: store.reveal(code, token)):
        with pytest.raises(NoSuchClass):
            call()
    assert store.purge() == 1
    assert store.purge() == 0
    assert leftovers(store) == 0


def test_activity_postpones_expiry(store, clock):
    code, token = open_class(store)
    other, _ = store.create()
    clock.advance(EXPIRY_SECONDS - 10)
    store.answer(code, "s1", "q1", "a")
    clock.advance(EXPIRY_SECONDS - 10)
    store.reveal(code, token)
    clock.advance(EXPIRY_SECONDS - 10)
    assert store.purge() == 1  # the other class
    assert store.state(other) is None
    assert store.answers(code, "q1") == ["a"] and store.state(code).revealed


# --- several writers at once


def test_threads_lose_no_answer(store):
    code, _ = open_class(store)
    start = threading.Barrier(8)
    errors = []

    def students(t: int) -> None:
        try:
            start.wait()
            for i in range(25):  # 25 students, each answering twice: 50 answers per thread
                store.answer(code, f"t{t}-s{i}", "q1", "first")
                store.answer(code, f"t{t}-s{i}", "q1", f"{t}.{i}")
        except Exception as error:  # reported below: an exception in a thread would be lost
            errors.append(error)

    threads = [threading.Thread(target=students, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count(code, "q1") == store.state(code).students == 200
    assert sorted(store.answers(code, "q1")) == sorted(f"{t}.{i}" for t in range(8) for i in range(25))


def _process_students(where: dict, now: float, code: str, p: int, start) -> None:
    store = open_store(**where, clock=lambda: now)  # each process with its own store, as each app server
    start.wait()
    for i in range(25):
        store.answer(code, f"p{p}-s{i}", "q1", "first")
        store.answer(code, f"p{p}-s{i}", "q1", f"{p}.{i}")


def test_processes_lose_no_answer(store, where, clock):
    code, _ = open_class(store)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(4)
    workers = [context.Process(target=_process_students, args=(where, clock.now, code, p, start)) for p in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert store.count(code, "q1") == store.state(code).students == 100
    assert sorted(store.answers(code, "q1")) == sorted(f"{p}.{i}" for p in range(4) for i in range(25))


# --- where the SQLite file goes


def test_the_sqlite_file_goes_to_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MICROGRAD_DATA_DIR", str(tmp_path / "data"))
    store = open_store()
    code, _ = store.create()
    assert store.path == tmp_path / "data" / "classes.sqlite3" and store.path.exists()
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert open_store(path=store.path).state(code).code == code  # another process's store sees it
