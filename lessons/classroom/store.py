"""The shared state of class mode: open classes, the teacher's current question, the students' answers.

A teacher's session creates a class and gets a join code (for the students) and a token (kept in the
teacher's session only). Students' sessions, possibly in other server processes, answer the current
question with the code alone. Two backends share this interface: SQLite in a file (one machine, any
number of server processes) and Redis (several machines).

A class is deleted `EXPIRY_SECONDS` after its last activity; reading its state is not activity.
Every limit here is read when a call is made, so a test can lower it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# 8 digits and 23 letters: every letter and digit but 0/O and 1/I/L, which are misread on a projector.
# That leaves 31 symbols, not 32; secrets.choice draws uniformly from any number of symbols, so a code
# carries 8 * log2(31) = 39.6 bits, and a class is also protected by its short life and the class cap.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_CLASSES = 200  # open classes per store
MAX_STUDENTS = 500  # students per class
EXPIRY_SECONDS = 4 * 3600  # a class is deleted 4 h after its last activity
MAX_ANSWER_CHARS = 64
MAX_ID_CHARS = 64  # student ids and question ids

_CODE_RE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
_SHOWN_CHARS = 16  # of a malformed code quoted back in an error


class StoreError(Exception):
    """Base of the store's refusals; str() is a plain-text message fit to show a user as is."""


class NoSuchClass(StoreError):
    """Unknown, ended or expired code."""

    def __init__(self, code: str) -> None:
        shown = code if len(code) <= _SHOWN_CHARS else code[:_SHOWN_CHARS] + "…"
        super().__init__(f"No class with the code {shown} (it may have ended).")


class NotAllowed(StoreError):
    """The teacher token does not match."""

    def __init__(self) -> None:
        super().__init__("Only the teacher who started this class can do that.")


class StoreFull(StoreError):
    """MAX_CLASSES classes are open."""

    def __init__(self) -> None:
        super().__init__("Too many classes are open on this server right now; try again later.")


class ClassFull(StoreError):
    """MAX_STUDENTS students have answered; those already in the class can still change their answers."""

    def __init__(self) -> None:
        super().__init__("This class is full: it has reached its limit of students.")


class AnswersClosed(StoreError):
    """The question was revealed, or it is not the teacher's current question."""

    def __init__(self, revealed: bool) -> None:
        super().__init__("The answers to this question have been revealed." if revealed
                         else "This question is closed: the teacher has moved on.")


@dataclass(frozen=True)
class ClassState:
    code: str
    scene: int  # the teacher's current scene number (1-based; 0 = none yet)
    question: str  # id of the current question ("" when the scene asks none)
    revealed: bool
    students: int  # distinct students who have answered anything in this class
    updated: float  # time of last activity (store clock)


def normalize_code(code: object) -> str | None:
    """A join code as typed (spaces around, lower case) in its canonical form, or None if it cannot be one."""
    if not isinstance(code, str):
        return None
    code = code.strip().upper()
    return code if _CODE_RE.fullmatch(code) else None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: object) -> str:
    """What the store keeps of a token: a leaked store file then gives no control of a class."""
    raw = token if isinstance(token, str) else ""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def check_scene(scene: int, question: str) -> None:
    if not isinstance(scene, int) or isinstance(scene, bool) or scene < 0:
        raise ValueError(f"scene must be an int >= 0, not {scene!r}")
    _check_text("question id", question, MAX_ID_CHARS)


def check_answer(student: str, value: str) -> None:
    _check_text("student id", student, MAX_ID_CHARS)
    if not student:
        raise ValueError("student id must not be empty")
    _check_text("answer", value, MAX_ANSWER_CHARS)


def _check_text(what: str, text: str, limit: int) -> None:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a str")
    if len(text) > limit:
        raise ValueError(f"{what} longer than {limit} characters")


class ClassStore(ABC):
    """Where every server process finds the open classes. Safe to share between threads."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    @abstractmethod
    def create(self) -> tuple[str, str]:
        """Open a class: (join code, teacher token). Raises StoreFull."""

    @abstractmethod
    def state(self, code: str) -> ClassState | None:
        """The class now; None for unknown, ended, expired or malformed codes (never raises for a code)."""

    @abstractmethod
    def set_scene(self, code: str, token: str, scene: int, question: str) -> ClassState:
        """The teacher moves to `scene`, asking `question` ("" for none); revealed goes back to False.

        Answers are kept per question id, so coming back to a question shows (and reopens) them.
        """

    @abstractmethod
    def reveal(self, code: str, token: str) -> ClassState:
        """The teacher closes the current question to show its answers."""

    @abstractmethod
    def end(self, code: str, token: str) -> None:
        """The teacher ends the class: it and its answers are deleted."""

    @abstractmethod
    def answer(self, code: str, student: str, question: str, value: str) -> None:
        """A student's answer to the current question; a later one replaces it.

        Raises NoSuchClass, AnswersClosed (not the current question, or revealed), ClassFull (a new
        student past MAX_STUDENTS), and ValueError for a value over MAX_ANSWER_CHARS or a student
        id that is empty or over MAX_ID_CHARS.
        """

    @abstractmethod
    def answers(self, code: str, question: str) -> list[str]:
        """The answer values to `question`, one per student, in no particular order. Raises NoSuchClass."""

    @abstractmethod
    def count(self, code: str, question: str) -> int:
        """How many students answered `question`. Raises NoSuchClass."""

    @abstractmethod
    def purge(self) -> int:
        """Delete the expired classes; returns how many."""

    def _code(self, code: str) -> str:
        """The canonical code, or NoSuchClass quoting what was given."""
        canonical = normalize_code(code)
        if canonical is None:
            raise NoSuchClass(" ".join(code.split()) if isinstance(code, str) else "")  # on one line
        return canonical


def default_path() -> Path:
    folder = os.environ.get("MICROGRAD_DATA_DIR") or Path(__file__).resolve().parents[2] / "data"
    return Path(folder) / "classes.sqlite3"


def open_store(redis_url: str | None = None, path: str | os.PathLike | None = None,
               clock: Callable[[], float] = time.time) -> ClassStore:
    """Redis when a URL is given, else SQLite at `path` (default: $MICROGRAD_DATA_DIR or <project>/data,
    file classes.sqlite3); the folder is created."""
    if redis_url:
        from .store_redis import RedisStore  # the redis package is needed only when Redis is configured

        return RedisStore(redis_url, clock=clock)
    from .store_sqlite import SQLiteStore

    return SQLiteStore(Path(path) if path is not None else default_path(), clock=clock)
