"""The class store's SQLite file and its connections: opened, mended when the file goes wrong, closed.

The store mends what a teacher could not: tables that went missing (the file was deleted while the
app ran) are made again and the call retried; a file that is not a database is moved aside and a new
one started; a folder the app cannot write to is swapped for one under the system's temporary folder.
Each repair that loses or risks classes leaves a sentence in `notices` for the teacher's page.

The classes themselves (what is read and written in the tables) are `store_sqlite.SQLiteStore`'s.
"""

from __future__ import annotations

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
from .store import ClassStore

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


class SQLiteFile(ClassStore):
    """One connection per thread: Streamlit runs each session's script on its own thread.

    Every call of the store runs through `_do`, one transaction, retried once after a repair.
    """

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
