"""The class store in one SQLite file: every server process on the machine opens the same file.

WAL mode lets the projector's reads run beside the students' writes; a write takes the file's write
lock for the whole check-then-change (BEGIN IMMEDIATE), so two processes can never both take the
500th seat of a class or answer a question the teacher has just closed.
"""

from __future__ import annotations

import hmac
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import store as base
from .store import ClassState, ClassStore, NoSuchClass, NotAllowed, StoreFull

_SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, token_hash TEXT NOT NULL, scene INTEGER NOT NULL DEFAULT 0,
    question TEXT NOT NULL DEFAULT '', revealed INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL, question TEXT NOT NULL, student TEXT NOT NULL, value TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (code, question, student)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS students (
    code TEXT NOT NULL, student TEXT NOT NULL, PRIMARY KEY (code, student)
) WITHOUT ROWID;
"""
_BUSY_MS = 5000  # how long a write waits for another process's write before giving up


class SQLiteStore(ClassStore):
    """One connection per thread: Streamlit runs each session's script on its own thread."""

    def __init__(self, path: str | os.PathLike, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._write() as db:  # statement by statement: executescript() would commit on its own
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)

    def _db(self) -> sqlite3.Connection:
        # a connection must not cross a fork: a child process opens its own
        if getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=_BUSY_MS / 1000, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; a power cut may lose the last answers
            self._local.db, self._local.pid = db, os.getpid()
        return self._local.db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """Several reads from one snapshot of the file."""
        db = self._db()
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    def _live(self, db: sqlite3.Connection, code: str) -> tuple | None:
        """(token_hash, scene, question, revealed, updated) of an open, unexpired class."""
        row = db.execute("SELECT token_hash, scene, question, revealed, updated FROM classes WHERE code = ?",
                         (code,)).fetchone()
        if row is None or row[4] + base.EXPIRY_SECONDS <= self.clock():
            return None
        return row

    def _state(self, db: sqlite3.Connection, code: str) -> ClassState | None:
        row = self._live(db, code)
        if row is None:
            return None
        (students,) = db.execute("SELECT count(*) FROM students WHERE code = ?", (code,)).fetchone()
        return ClassState(code, row[1], row[2], bool(row[3]), students, row[4])

    def _teacher(self, db: sqlite3.Connection, code: str, token: str) -> tuple:
        row = self._live(db, code)
        if row is None:
            raise NoSuchClass(code)
        if not hmac.compare_digest(base.token_hash(token), row[0]):
            raise NotAllowed()
        return row

    def create(self) -> tuple[str, str]:
        token = base.new_token()
        with self._write() as db:
            self._purge(db)
            (open_classes,) = db.execute("SELECT count(*) FROM classes").fetchone()
            if open_classes >= base.MAX_CLASSES:
                raise StoreFull()
            code = base.new_code()
            while db.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                code = base.new_code()
            db.execute("INSERT INTO classes (code, token_hash, updated) VALUES (?, ?, ?)",
                       (code, base.token_hash(token), self.clock()))
        return code, token

    def state(self, code: str) -> ClassState | None:
        code = base.normalize_code(code)
        if code is None:
            return None
        with self._read() as db:
            return self._state(db, code)

    def set_scene(self, code: str, token: str, scene: int, question: str) -> ClassState:
        code = self._code(code)
        base.check_scene(scene, question)
        with self._write() as db:
            self._teacher(db, code, token)
            db.execute("UPDATE classes SET scene = ?, question = ?, revealed = 0, updated = ? WHERE code = ?",
                       (scene, question, self.clock(), code))
            return self._state(db, code)

    def reveal(self, code: str, token: str) -> ClassState:
        code = self._code(code)
        with self._write() as db:
            self._teacher(db, code, token)
            db.execute("UPDATE classes SET revealed = 1, updated = ? WHERE code = ?", (self.clock(), code))
            return self._state(db, code)

    def end(self, code: str, token: str) -> None:
        code = self._code(code)
        with self._write() as db:
            self._teacher(db, code, token)
            self._delete(db, [code])

    def answer(self, code: str, student: str, question: str, value: str) -> None:
        code = self._code(code)
        base.check_answer(student, value)
        with self._write() as db:
            row = self._live(db, code)
            if row is None:
                raise NoSuchClass(code)
            current, revealed = row[2], bool(row[3])
            if question != current or not current or revealed:
                raise base.AnswersClosed(revealed and question == current)
            if not db.execute("SELECT 1 FROM students WHERE code = ? AND student = ?", (code, student)).fetchone():
                (students,) = db.execute("SELECT count(*) FROM students WHERE code = ?", (code,)).fetchone()
                if students >= base.MAX_STUDENTS:
                    raise base.ClassFull()
                db.execute("INSERT INTO students (code, student) VALUES (?, ?)", (code, student))
            now = self.clock()
            db.execute("INSERT INTO answers (code, question, student, value, at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (code, question, student) DO UPDATE SET value = excluded.value, at = excluded.at",
                       (code, question, student, value, now))
            db.execute("UPDATE classes SET updated = ? WHERE code = ?", (now, code))

    def answers(self, code: str, question: str) -> list[str]:
        code = self._code(code)
        with self._read() as db:
            if self._live(db, code) is None:
                raise NoSuchClass(code)
            rows = db.execute("SELECT value FROM answers WHERE code = ? AND question = ?", (code, question))
            return [value for (value,) in rows]

    def count(self, code: str, question: str) -> int:
        code = self._code(code)
        with self._read() as db:
            if self._live(db, code) is None:
                raise NoSuchClass(code)
            (n,) = db.execute("SELECT count(*) FROM answers WHERE code = ? AND question = ?",
                              (code, question)).fetchone()
            return n

    def purge(self) -> int:
        with self._write() as db:
            return self._purge(db)

    def _purge(self, db: sqlite3.Connection) -> int:
        cutoff = self.clock() - base.EXPIRY_SECONDS
        expired = [code for (code,) in db.execute("SELECT code FROM classes WHERE updated <= ?", (cutoff,))]
        self._delete(db, expired)
        return len(expired)

    @staticmethod
    def _delete(db: sqlite3.Connection, codes: list[str]) -> None:
        for table in ("answers", "students", "classes"):
            db.executemany(f"DELETE FROM {table} WHERE code = ?", [(code,) for code in codes])
