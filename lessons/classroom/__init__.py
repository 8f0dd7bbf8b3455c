"""Class mode: a teacher's live class, the students' answers to its questions, and where they are kept."""

from .store import (
    ALPHABET,
    CODE_LENGTH,
    EXPIRY_SECONDS,
    MAX_ANSWER_CHARS,
    MAX_CLASSES,
    MAX_STUDENTS,
    AnswersClosed,
    ClassFull,
    ClassState,
    ClassStore,
    NoSuchClass,
    NotAllowed,
    StoreError,
    StoreFull,
    normalize_code,
    open_store,
)

__all__ = [
    "ALPHABET", "CODE_LENGTH", "EXPIRY_SECONDS", "MAX_ANSWER_CHARS", "MAX_CLASSES", "MAX_STUDENTS",
    "AnswersClosed", "ClassFull", "ClassState", "ClassStore", "NoSuchClass", "NotAllowed", "StoreError",
    "StoreFull", "normalize_code", "open_store",
]
