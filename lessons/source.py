"""The source code a page shows, read once per function or class.

`inspect.getsource` parses the whole module each time it is asked for a class: slow on a page a
class of students redraws, and in Python 3.11 the parser is not safe from several threads at once
(each session runs on its own thread; two parses at once can fail with "AST constructor recursion
depth mismatch"). One lock, and a bounded cache of text that is the same for everyone.
"""

from __future__ import annotations

import ast
import functools
import inspect
import threading

_LOCK = threading.Lock()


@functools.lru_cache(maxsize=256)
def _read(obj: object) -> str:
    return inspect.getsource(obj)


def source(obj: object) -> str:
    """The source text of a function, method or class, as `inspect.getsource` gives it."""
    with _LOCK:
        return _read(obj)


def parse(text: str) -> ast.Module:
    """`ast.parse` under the same lock, for code a page takes apart."""
    with _LOCK:
        return ast.parse(text)
