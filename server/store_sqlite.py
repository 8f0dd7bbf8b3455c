"""The class store in one SQLite file: every server process on the machine opens the same file.

WAL mode lets the projector's reads run beside the students' writes; a write takes the file's write
lock for the whole check-then-change (BEGIN IMMEDIATE), so two processes can never both take the
500th seat of a class or answer a question the teacher has just closed.

The store mends what a teacher could not: tables that went missing (the file was deleted while the
app ran) are made again and the call retried; a file that is not a database is moved aside and a new
one started; a folder the app cannot write to is swapped for one under the system's temporary folder.
Each repair that loses or risks classes leaves a sentence in `notices` for the teacher's page.
"""

from __future__ import annotations

import hmac
import os
import sqlite3
import stat
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import store as base
from .limits import refill, wait_for
from .store import ClassState, ClassStore, NoSuchClass, NotAllowed, StoreFull

T = TypeVar("T")

_TABLES = (
    """CREATE TABLE IF NOT EXISTS classes (
        code TEXT PRIMARY KEY, token_hash TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '',
        scene INTEGER NOT NULL DEFAULT 0, question TEXT NOT NULL DEFAULT '', locked INTEGER NOT NULL DEFAULT 0,
        teacher_seen REAL NOT NULL, created REAL NOT NULL, join_tokens REAL NOT NULL, join_at REAL NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS answers (
        code TEXT NOT NULL, question TEXT NOT NULL, student TEXT NOT NULL, value TEXT NOT NULL, at REAL NOT NULL,
        PRIMARY KEY (code, question, student)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS students (
        code TEXT NOT NULL, student TEXT NOT NULL, PRIMARY KEY (code, student)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS reveals (
        code TEXT NOT NULL, question TEXT NOT NULL, PRIMARY KEY (code, question)
    ) WITHOUT ROWID""",
    # a rowid table: tombstones written in the same instant are dropped in the order they were written
    "CREATE TABLE IF NOT EXISTS tombstones (code TEXT PRIMARY KEY, reason TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS tombstones_at ON tombstones (at)",
)
_CLASS_TABLES = ("answers", "students", "reveals", "classes")  # everything of a class, the class row last
_BUSY_MS = 5000  # how long a write waits for another process's write before giving up
_DAMAGED = ("file is not a database", "database disk image is malformed")
_UNWRITABLE = ("unable to open database file", "readonly database")


class _Connection(sqlite3.Connection):
    """A connection the store can find again to close it (sqlite3.Connection takes no weak reference)."""


def _file_id(path: Path) -> tuple[int, int] | None:
    """Which file `path` names now, or None when there is none: a file deleted or replaced under a
    connection leaves the connection on the old one."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def fallback_folder() -> Path:
    """A folder of this user's under the system's temporary folder, for when the data folder is not writable."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"micrograd-data-{uid if uid is not None else 'user'}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or (uid is not None and info.st_uid != uid):
        # another user made that name first (a link or a folder of theirs): never write answers there
        folder = Path(tempfile.mkdtemp(prefix="micrograd-data-"))
    return folder


def _matches(error: BaseException, messages: tuple[str, ...]) -> bool:
    return any(m in str(error) for m in messages)


def _unwritable(error: BaseException) -> bool:
    return isinstance(error, OSError) or (isinstance(error, sqlite3.OperationalError) and _matches(error, _UNWRITABLE))


class SQLiteStore(ClassStore):
    """One connection per thread: Streamlit runs each session's script on its own thread."""

    def __init__(self, path: str | os.PathLike, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()  # one repair at a time in this process
        self._connections: weakref.WeakSet[_Connection] = weakref.WeakSet()
        self._generation = 0  # close() moves it on, so every thread opens a new connection
        try:
            self._open()
        except (OSError, sqlite3.OperationalError) as error:
            if not _unwritable(error):
                raise
            wanted = self.path.parent
            self.close()
            self.path = fallback_folder() / self.path.name
            self._open()
            self._notice(f"The app cannot write to {wanted}, so classes are kept in {self.path.parent} instead: "
                         "they are lost when the machine restarts. Set MICROGRAD_DATA_DIR to a folder the app "
                         "can write to.")

    # ---- the file and its connections

    def _open(self) -> None:
        """Make the folder and the tables; a file that is not a database is moved aside first."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._schema()
        except sqlite3.DatabaseError as error:
            if not _matches(error, _DAMAGED):
                raise
            self._set_aside()
            self._schema()

    def _connect(self) -> _Connection:
        db = sqlite3.connect(self.path, timeout=_BUSY_MS / 1000, isolation_level=None, check_same_thread=False,
                             factory=_Connection)
        try:
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; a power cut may lose the last answers
        except BaseException:
            db.close()
            raise
        self._connections.add(db)
        return db

    def _db(self) -> sqlite3.Connection:
        local, file = self._local, _file_id(self.path)
        db = getattr(local, "db", None)
        if db is not None and file is not None and (local.pid, local.generation, local.file) == (
                os.getpid(), self._generation, file):
            return db
        if db is not None and local.pid == os.getpid():  # a connection must not cross a fork: a child opens its own
            db.close()
        if file is None:  # deleted under the app, perhaps with its folder: SQLite starts a new file
            self.path.parent.mkdir(parents=True, exist_ok=True)
        local.db = None  # until the new one is open: a failed connect leaves no closed connection behind
        local.db = self._connect()
        local.pid, local.generation, local.file = os.getpid(), self._generation, _file_id(self.path)
        return local.db

    def _once(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        db = self._db()
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            result = work(db)
        except BaseException:
            if db.in_transaction:  # SQLite has already rolled back after some errors
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result

    def _do(self, work: Callable[[sqlite3.Connection], T], write: bool = True) -> T:
        """Run `work` in one transaction; after a missing table or a damaged file is mended, once more."""
        try:
            return self._once(work, write)
        except sqlite3.DatabaseError as error:
            if not self._mend(error):
                raise
        return self._once(work, write)

    def _mend(self, error: sqlite3.DatabaseError) -> bool:
        """Repair what `error` says is wrong with the file; False when it is nothing this store can repair."""
        if isinstance(error, sqlite3.OperationalError) and "no such table" in str(error):
            self._schema()  # the file was deleted under the app: this is a new, empty one
            return True
        if _matches(error, _DAMAGED):
            self._set_aside()
            self._schema()
            return True
        return False

    def _schema(self) -> None:
        def work(db: sqlite3.Connection) -> None:  # statement by statement: executescript() would commit on its own
            for statement in _TABLES:
                db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(classes)")}
            if "teacher_seen" not in columns:
                self._migrate(db)

        self._once(work, write=True)

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """A classes table of the first store (revealed and updated columns): rebuilt with its classes kept,
        the last activity taken as the teacher's, a revealed question carried into reveals."""
        db.execute("ALTER TABLE classes RENAME TO classes_before")
        db.execute(_TABLES[0])
        db.execute("INSERT INTO classes (code, token_hash, scene, question, teacher_seen, created, join_tokens, "
                   "join_at) SELECT code, token_hash, scene, question, updated, updated, ?, updated "
                   "FROM classes_before",
                   (base.JOIN_BURST,))
        db.execute("INSERT OR IGNORE INTO reveals (code, question) "
                   "SELECT code, question FROM classes_before WHERE revealed = 1 AND question != ''")
        db.execute("DROP TABLE classes_before")

    def _set_aside(self) -> None:
        """Move a damaged file (with its -wal and -shm) aside, for someone to look at, and say so."""
        with self._lock:
            if not self._damaged():
                return  # another thread or process has already replaced it
            db = getattr(self._local, "db", None)
            if db is not None and self._local.pid == os.getpid():
                db.close()  # other threads see the file change and open the new one themselves
            self._local.db = None
            stamp = time.strftime("%Y%m%d-%H%M%S")  # the wall clock: a name for a person to read
            aside, n = self.path.with_name(f"{self.path.name}.damaged-{stamp}"), 1
            while aside.exists():
                aside, n = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}"), n + 1
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
                except FileNotFoundError:
                    pass
        self._notice(f"The class store's file was damaged; it was moved aside to {aside} and a new one was started. "
                     "Classes open before are lost.")

    def _damaged(self) -> bool:
        """Whether the file at the path now is damaged (opened afresh: the one that failed may be gone)."""
        try:
            db = sqlite3.connect(self.path, timeout=_BUSY_MS / 1000)
        except sqlite3.DatabaseError as error:
            return _matches(error, _DAMAGED)
        try:
            return db.execute("PRAGMA quick_check").fetchall() != [("ok",)]
        except sqlite3.DatabaseError as error:
            return _matches(error, _DAMAGED)
        finally:
            db.close()

    def close(self) -> None:
        with self._lock:
            self._generation += 1
            connections, self._connections = list(self._connections), weakref.WeakSet()
        for db in connections:
            db.close()

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
