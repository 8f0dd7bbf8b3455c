"""The class store in one SQLite file: every server process on the machine opens the same file.

WAL mode lets the projector's reads run beside the students' writes; a write takes the file's write
lock for the whole check-then-change (BEGIN IMMEDIATE), so two processes can never both take the
500th seat of a class or answer a question the teacher has just closed.

The file itself (its tables, its connections, and the repairs when it is deleted, damaged or cannot
be written) is `sqlite_file.SQLiteFile`'s; this module reads and changes the classes in it.
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Callable

from . import store as base
from .limits import refill, wait_for
from .sqlite_file import SQLiteFile
from .store import ClassState, NoSuchClass, NotAllowed, StoreFull

_CLASS_TABLES = ("answers", "students", "reveals", "classes")  # everything of a class, the class row last


class SQLiteStore(SQLiteFile):
    """The classes in the file: each call is one transaction of `SQLiteFile._do`."""

    # ---- reading a class

    def _live(self, db: sqlite3.Connection, code: str, now: float) -> sqlite3.Row | None:
        """The row of an open class whose teacher was seen less than EXPIRY_SECONDS ago."""
        row = db.execute("SELECT * FROM classes WHERE code = ?", (code,)).fetchone()
        if row is None or row["teacher_seen"] + base.EXPIRY_SECONDS <= now:
            return None
        return row

    def _open_class(self, db: sqlite3.Connection, code: str, now: float) -> sqlite3.Row:
        row = self._live(db, code, now)
        if row is None:
            raise NoSuchClass(code)
        return row

    @staticmethod
    def _reveals(db: sqlite3.Connection, code: str) -> frozenset[str]:
        return frozenset(q for (q,) in db.execute("SELECT question FROM reveals WHERE code = ?", (code,)))

    def _state(self, db: sqlite3.Connection, code: str, now: float) -> ClassState | None:
        row = self._live(db, code, now)
        if row is None:
            return None
        (joined,) = db.execute("SELECT count(*) FROM students WHERE code = ?", (code,)).fetchone()
        reveals = self._reveals(db, code)
        return ClassState(code, row["scene"], row["question"], bool(row["question"]) and row["question"] in reveals,
                          reveals, joined, bool(row["locked"]), row["teacher_seen"], row["created"])

    def state(self, code: str) -> ClassState | None:
        code = base.normalize_code(code)
        if code is None:
            return None
        return self._do(lambda db: self._state(db, code, self.clock()), write=False)

    def answers(self, code: str, question: str) -> list[str]:
        code = self._code(code)

        def work(db: sqlite3.Connection) -> list[str]:
            self._open_class(db, code, self.clock())
            rows = db.execute("SELECT value FROM answers WHERE code = ? AND question = ?", (code, question))
            return [value for (value,) in rows]

        return self._do(work, write=False)

    def count(self, code: str, question: str) -> int:
        code = self._code(code)

        def work(db: sqlite3.Connection) -> int:
            self._open_class(db, code, self.clock())
            return db.execute("SELECT count(*) FROM answers WHERE code = ? AND question = ?",
                              (code, question)).fetchone()[0]

        return self._do(work, write=False)

    def ended(self, code: str) -> str | None:
        code = base.normalize_code(code)
        if code is None:
            return None

        def work(db: sqlite3.Connection) -> str | None:
            now = self.clock()
            row = db.execute("SELECT teacher_seen FROM classes WHERE code = ?", (code,)).fetchone()
            if row is not None:  # open, or expired and not purged yet
                expired_at = row[0] + base.EXPIRY_SECONDS
                return base.EXPIRED if expired_at <= now and base.still_mourned(expired_at, now) else None
            stone = db.execute("SELECT reason, at FROM tombstones WHERE code = ?", (code,)).fetchone()
            return stone[0] if stone is not None and base.still_mourned(stone[1], now) else None

        return self._do(work, write=False)

    # ---- the teacher

    def create(self, owner: str = "") -> tuple[str, str]:
        owner = base.owner_key(owner)
        token = base.new_token()

        def work(db: sqlite3.Connection) -> str:
            now = self.clock()
            self._purge(db, now)
            if owner:
                (theirs,) = db.execute("SELECT count(*) FROM classes WHERE owner = ?", (owner,)).fetchone()
                if theirs >= base.MAX_CLASSES_PER_OWNER:
                    raise base.TooManyClasses(theirs)
            self._make_room(db, now)
            code = base.new_code()
            # a code still in use, or still remembered as gone, is never given again: its old students may come back
            while db.execute("SELECT 1 FROM classes WHERE code = ? UNION ALL SELECT 1 FROM tombstones WHERE code = ?",
                             (code, code)).fetchone():
                code = base.new_code()
            db.execute("INSERT INTO classes (code, token_hash, owner, teacher_seen, created, join_tokens, join_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (code, base.token_hash(token), owner, now, now, base.JOIN_BURST, now))
            return code

        return self._do(work), token

    def _make_room(self, db: sqlite3.Connection, now: float) -> None:
        """Release the longest-idle classes so that one more fits, or StoreFull (releasing none)."""
        (open_classes,) = db.execute("SELECT count(*) FROM classes").fetchone()
        surplus = open_classes - base.MAX_CLASSES + 1
        if surplus <= 0:
            return
        idle = [code for (code,) in db.execute(
            "SELECT code FROM classes WHERE teacher_seen <= ? ORDER BY teacher_seen LIMIT ?",
            (now - base.IDLE_RELEASE_SECONDS, surplus))]
        if len(idle) < surplus:
            raise StoreFull()
        self._delete(db, idle)
        self._bury(db, [(code, base.RELEASED, now) for code in idle], now)

    def _as_teacher(self, code: str, token: str,
                    change: Callable[[sqlite3.Connection, str, sqlite3.Row], None]) -> ClassState:
        """Check the token, make the change, and mark the teacher as seen: all in one transaction."""
        code = self._code(code)

        def work(db: sqlite3.Connection) -> ClassState:
            now = self.clock()
            row = self._open_class(db, code, now)
            if not hmac.compare_digest(base.token_hash(token), row["token_hash"]):
                raise NotAllowed()
            change(db, code, row)
            db.execute("UPDATE classes SET teacher_seen = ? WHERE code = ?", (now, code))
            return self._state(db, code, now)

        return self._do(work)

    def teacher(self, code: str, token: str) -> ClassState:
        return self._as_teacher(code, token, lambda db, code, row: None)

    def set_scene(self, code: str, token: str, scene: int, question: str) -> ClassState:
        base.check_scene(scene, question)
        return self._as_teacher(code, token, lambda db, code, row: db.execute(
            "UPDATE classes SET scene = ?, question = ? WHERE code = ?", (scene, question, code)))

    def reveal(self, code: str, token: str) -> ClassState:
        def change(db: sqlite3.Connection, code: str, row: sqlite3.Row) -> None:
            if row["question"]:  # a scene that asks nothing has nothing to reveal
                db.execute("INSERT OR IGNORE INTO reveals (code, question) VALUES (?, ?)", (code, row["question"]))

        return self._as_teacher(code, token, change)

    def discard(self, code: str, token: str, question: str) -> ClassState:
        base.check_question(question)

        def change(db: sqlite3.Connection, code: str, row: sqlite3.Row) -> None:
            for table in ("answers", "reveals"):
                db.execute(f"DELETE FROM {table} WHERE code = ? AND question = ?", (code, question))

        return self._as_teacher(code, token, change)

    def lock(self, code: str, token: str, locked: bool) -> ClassState:
        return self._as_teacher(code, token, lambda db, code, row: db.execute(
            "UPDATE classes SET locked = ? WHERE code = ?", (int(bool(locked)), code)))

    def end(self, code: str, token: str) -> None:
        def change(db: sqlite3.Connection, code: str, row: sqlite3.Row) -> None:
            now = self.clock()
            self._delete(db, [code])
            self._bury(db, [(code, base.ENDED, now)], now)

        self._as_teacher(code, token, change)

    # ---- the students

    def _admit(self, db: sqlite3.Connection, code: str, row: sqlite3.Row, student: str, now: float) -> None:
        """Seat `student` unless already in: refused when locked, full, or the join bucket is empty."""
        if db.execute("SELECT 1 FROM students WHERE code = ? AND student = ?", (code, student)).fetchone():
            return
        if row["locked"]:
            raise base.ClassLocked()
        (joined,) = db.execute("SELECT count(*) FROM students WHERE code = ?", (code,)).fetchone()
        if joined >= base.MAX_STUDENTS:
            raise base.ClassFull()
        tokens = refill(row["join_tokens"], row["join_at"], now, base.JOIN_BURST, base.JOIN_EVERY)
        if tokens < 1.0:
            raise base.JoinsThrottled(wait_for(tokens, base.JOIN_EVERY))
        db.execute("UPDATE classes SET join_tokens = ?, join_at = ? WHERE code = ?", (tokens - 1.0, now, code))
        db.execute("INSERT INTO students (code, student) VALUES (?, ?)", (code, student))

    def join(self, code: str, student: str) -> ClassState:
        code = self._code(code)
        base.check_student(student)

        def work(db: sqlite3.Connection) -> ClassState:
            now = self.clock()
            self._admit(db, code, self._open_class(db, code, now), student, now)
            return self._state(db, code, now)

        return self._do(work)

    def answer(self, code: str, student: str, question: str, value: str) -> None:
        code = self._code(code)
        base.check_answer(student, value)

        def work(db: sqlite3.Connection) -> None:
            now = self.clock()
            row = self._open_class(db, code, now)
            current = row["question"]
            revealed = bool(current) and db.execute("SELECT 1 FROM reveals WHERE code = ? AND question = ?",
                                                    (code, current)).fetchone() is not None
            if question != current or not current or revealed:
                raise base.AnswersClosed(revealed and question == current)
            self._admit(db, code, row, student, now)
            db.execute("INSERT INTO answers (code, question, student, value, at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (code, question, student) DO UPDATE SET value = excluded.value, at = excluded.at",
                       (code, question, student, value, now))

        self._do(work)

    # ---- housekeeping

    def purge(self) -> int:
        return self._do(lambda db: self._purge(db, self.clock()))

    def _purge(self, db: sqlite3.Connection, now: float) -> int:
        expired = db.execute("SELECT code, teacher_seen FROM classes WHERE teacher_seen <= ?",
                             (now - base.EXPIRY_SECONDS,)).fetchall()
        self._delete(db, [code for code, _ in expired])
        self._bury(db, [(code, base.EXPIRED, seen + base.EXPIRY_SECONDS) for code, seen in expired], now)
        return len(expired)

    @staticmethod
    def _delete(db: sqlite3.Connection, codes: list[str]) -> None:
        for table in _CLASS_TABLES:
            db.executemany(f"DELETE FROM {table} WHERE code = ?", [(code,) for code in codes])

    @staticmethod
    def _bury(db: sqlite3.Connection, stones: list[tuple[str, str, float]], now: float) -> None:
        """Write why these classes are gone, then forget what is older than EXPIRY_SECONDS or past MAX_TOMBSTONES."""
        db.executemany("INSERT OR REPLACE INTO tombstones (code, reason, at) VALUES (?, ?, ?)", stones)
        db.execute("DELETE FROM tombstones WHERE at <= ?", (now - base.EXPIRY_SECONDS,))
        db.execute("DELETE FROM tombstones WHERE rowid IN "
                   "(SELECT rowid FROM tombstones ORDER BY at DESC, rowid DESC LIMIT -1 OFFSET ?)",
                   (base.MAX_TOMBSTONES,))
