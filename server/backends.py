"""Which class store a server opens: Redis when one is configured, else SQLite in the data folder."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from .store import ClassStore


def default_path() -> Path:
    folder = os.environ.get("MICROGRAD_DATA_DIR") or Path(__file__).resolve().parents[1] / "data"
    return Path(folder) / "classes.sqlite3"


def open_store(redis_url: str | None = None, path: str | os.PathLike | None = None,
               clock: Callable[[], float] = time.time) -> ClassStore:
    """Redis when a URL is given, else SQLite at `path` (default: $MICROGRAD_DATA_DIR or <project>/data,
    file classes.sqlite3).

    The SQLite store makes its folder, and recovers by itself from a damaged file or a folder it cannot
    write to; `notices` says what it did, in words for a teacher.
    """
    if redis_url:
        from .store_redis import RedisStore  # the redis package is needed only when Redis is configured

        return RedisStore(redis_url, clock=clock)
    from .store_sqlite import SQLiteStore

    return SQLiteStore(Path(path) if path is not None else default_path(), clock=clock)
