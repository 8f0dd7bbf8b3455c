"""The shared state of class mode: open classes, the teacher's current question, the students and their answers.

A teacher's session creates a class and gets a join code (for the students) and a token (kept in the
teacher's browser only). Students' sessions, possibly in other server processes, join and answer with
the code alone. Two backends share this interface: SQLite in a file (one machine, any number of server
processes) and Redis (several machines).

A class lives as long as its teacher: it is deleted `EXPIRY_SECONDS` after the teacher was last seen
(any teacher action, or `teacher()`, which an open teacher tab calls every few seconds); students'
joins and answers do not keep it alive, so a class nobody leads cannot be held open by its phones.
When the store is full, a class whose teacher has been gone `IDLE_RELEASE_SECONDS` gives its room to
a new one. A class that is gone leaves a tombstone saying why ("ended", "released", "expired"), so
the views never tell a teacher "your class ended" when the store merely lost it.

Every limit here is read when a call is made, so a test can lower it.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

# 8 digits and 23 letters: every letter and digit but 0/O and 1/I/L, which are misread on a projector.
# That leaves 31 symbols, not 32; secrets.choice draws uniformly from any number of symbols, so a code
# carries 8 * log2(31) = 39.6 bits, and a class is also protected by its short life and the class cap.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_CLASSES = 200  # open classes per store
MAX_STUDENTS = 500  # students per class
MAX_CLASSES_PER_OWNER = 5  # open classes started from one client key (one address)
EXPIRY_SECONDS = 4 * 3600  # a class is deleted 4 h after its teacher was last seen
IDLE_RELEASE_SECONDS = 10 * 60  # when the store is full, a class whose teacher is gone this long makes room
JOIN_BURST = 60  # new students a class admits at once...
JOIN_EVERY = 0.5  # ...then one every this many seconds (a script cannot fill a class with made-up students)
MAX_ANSWER_CHARS = 64
MAX_ID_CHARS = 64  # student ids and question ids
MAX_TOMBSTONES = 2000  # why-it-is-gone notes kept, the oldest dropped first

ENDED, RELEASED, EXPIRED = "ended", "released", "expired"  # what ended() can say of a class that is gone

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
    """MAX_CLASSES classes are open and every teacher was seen recently."""

    def __init__(self) -> None:
        super().__init__("Too many classes are open on this server right now; try again later.")


class TooManyClasses(StoreError):
    """One owner already leads MAX_CLASSES_PER_OWNER open classes."""

    def __init__(self, open_classes: int) -> None:
        self.open_classes = open_classes
        classes = "class" if open_classes == 1 else "classes"
        super().__init__(f"You already lead {open_classes} {classes} on this server: end one first.")


class ClassFull(StoreError):
    """MAX_STUDENTS students have joined; those already in the class can still answer."""

    def __init__(self) -> None:
        super().__init__("This class is full: it has reached its limit of students.")


class ClassLocked(StoreError):
    """The teacher closed the class to new students; those already in can still answer."""

    def __init__(self) -> None:
        super().__init__("The class is closed to new students: ask your teacher to open it.")


class JoinsThrottled(StoreError):
    """The class's join bucket is empty: a new student may try again in `wait` seconds."""

    def __init__(self, wait: float) -> None:
        self.wait = wait
        super().__init__(f"Many students are joining right now: try again in {max(1, math.ceil(wait))} s.")


class AnswersClosed(StoreError):
    """The question was revealed, or it is not the teacher's current question."""

    def __init__(self, revealed: bool) -> None:
        self.revealed = revealed
        super().__init__("The answers to this question have been revealed." if revealed
                         else "This question is closed: the teacher has moved on.")


@dataclass(frozen=True)
class ClassState:
    """A class as the store holds it at one moment."""

    code: str
    scene: int  # the teacher's current scene number (1-based; 0 = none yet)
    question: str  # id of the current question ("" when the scene asks none)
    revealed: bool  # the current question has been revealed
    reveals: frozenset[str]  # every question id revealed in this class so far
    joined: int  # students who have joined (join() or a first answer)
    locked: bool  # the room is closed to new students
    teacher_seen: float  # store clock time of the teacher's last action or touch
    created: float


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


def owner_key(owner: str) -> str:
    """What the store keeps of an owner: "" for none, else a hash, of one length whatever the caller passes
    and with no client address in the store file."""
    if not isinstance(owner, str):
        raise ValueError("owner must be a str")
    return hashlib.sha256(owner.encode("utf-8", "surrogatepass")).hexdigest() if owner else ""


def check_scene(scene: int, question: str) -> None:
    if not isinstance(scene, int) or isinstance(scene, bool) or scene < 0:
        raise ValueError(f"scene must be an int >= 0, not {scene!r}")
    check_question(question)


def check_question(question: str) -> None:
    _check_text("question id", question, MAX_ID_CHARS)


def check_student(student: str) -> None:
    _check_text("student id", student, MAX_ID_CHARS)
    if not student:
        raise ValueError("student id must not be empty")


def check_answer(student: str, value: str) -> None:
    check_student(student)
    _check_text("answer", value, MAX_ANSWER_CHARS)


def _check_text(what: str, text: str, limit: int) -> None:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a str")
    if len(text) > limit:
        raise ValueError(f"{what} longer than {limit} characters")


def still_mourned(at: float, now: float) -> bool:
    """Whether a tombstone written at `at` is still kept at `now`."""
    return at + EXPIRY_SECONDS > now


class ClassStore(ABC):
    """Where every server process finds the open classes. Safe to share between threads."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._notices: list[str] = []

    @property
    def notices(self) -> list[str]:
        """Plain-text sentences for a teacher about the store's health; empty when all is well."""
        return list(self._notices)

    def _notice(self, text: str) -> None:
        if text not in self._notices:
            self._notices.append(text)

    @abstractmethod
    def create(self, owner: str = "") -> tuple[str, str]:
        """Open a class: (join code, teacher token). Purges expired classes first.

        `owner` is an opaque client key (an address) or "" for none. Raises TooManyClasses when that
        owner already leads MAX_CLASSES_PER_OWNER classes, and StoreFull when MAX_CLASSES are open and
        no teacher has been gone IDLE_RELEASE_SECONDS (else the longest-idle class is released).
        """

    @abstractmethod
    def state(self, code: str) -> ClassState | None:
        """The class now; None for unknown, ended, expired or malformed codes (never raises for a code)."""

    @abstractmethod
    def teacher(self, code: str, token: str) -> ClassState:
        """Check the teacher's token and mark the teacher as seen now. Raises NoSuchClass, NotAllowed."""

    @abstractmethod
    def set_scene(self, code: str, token: str, scene: int, question: str) -> ClassState:
        """The teacher moves to `scene`, asking `question` ("" for none).

        Answers are kept per question id, so coming back to a question shows them again; it stays
        revealed if it was (discard() opens it again).
        """

    @abstractmethod
    def reveal(self, code: str, token: str) -> ClassState:
        """The teacher closes the current question to show its answers."""

    @abstractmethod
    def discard(self, code: str, token: str, question: str) -> ClassState:
        """The teacher deletes every answer to `question` and unreveals it (open again if it is the current one)."""

    @abstractmethod
    def lock(self, code: str, token: str, locked: bool) -> ClassState:
        """The teacher closes (or opens again) the class to new students."""

    @abstractmethod
    def end(self, code: str, token: str) -> None:
        """The teacher ends the class: it, its students and answers are deleted; ended() says "ended"."""

    @abstractmethod
    def join(self, code: str, student: str) -> ClassState:
        """A student joins; one already in costs nothing and is never refused.

        A new student is refused with ClassLocked, ClassFull (MAX_STUDENTS) or JoinsThrottled (the
        class's join bucket is empty). Joining does not postpone the class's expiry.
        """

    @abstractmethod
    def answer(self, code: str, student: str, question: str, value: str) -> None:
        """A student's answer to the current question; a later one replaces it.

        A student not yet in the class joins first, as join() would. Raises NoSuchClass, AnswersClosed
        (not the current question, or revealed), ClassLocked, ClassFull and JoinsThrottled (a new
        student), and ValueError for a value over MAX_ANSWER_CHARS or a student id that is empty or
        over MAX_ID_CHARS.
        """

    @abstractmethod
    def answers(self, code: str, question: str) -> list[str]:
        """The answer values to `question`, one per student, in no particular order. Raises NoSuchClass."""

    @abstractmethod
    def count(self, code: str, question: str) -> int:
        """How many students answered `question`. Raises NoSuchClass."""

    @abstractmethod
    def ended(self, code: str) -> str | None:
        """Why a class is no longer open: ENDED, RELEASED or EXPIRED; None when the store knows nothing of it
        (never existed, the store lost it, or it is still open). Kept EXPIRY_SECONDS after the fact."""

    @abstractmethod
    def purge(self) -> int:
        """Delete the expired classes; returns how many."""

    @abstractmethod
    def close(self) -> None:
        """Release the store's connections."""

    def _code(self, code: str) -> str:
        """The canonical code, or NoSuchClass quoting what was given."""
        canonical = normalize_code(code)
        if canonical is None:
            raise NoSuchClass(" ".join(code.split()) if isinstance(code, str) else "")  # on one line
        return canonical
