"""The words of a student's formula: numbers, names, operators, and a message for anything else.

Each character is matched against an allow-list; a character a formula cannot hold gets a message
naming it (by code point when it is invisible or a look-alike) and what to type instead.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from micrograd_core.engine import FUNCTIONS as ENGINE_FUNCTIONS

FUNCTIONS: tuple[str, ...] = tuple(ENGINE_FUNCTIONS)  # what a formula may call: every one-input operation
MAX_NUMBER_LENGTH = 50  # characters in one number literal
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # [0-9], not \d: no Unicode digits
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SPACE = " \t\r\n"  # not str.isspace(): that would let a non-breaking space pass unseen
_SYMBOLS = {"+": "+", "-": "-", "*": "*", "/": "/", "^": "**", "(": "(", ")": ")"}
ALLOWED = f"a formula uses numbers, names, + - * / ** ^ ( ) and {', '.join(FUNCTIONS)}"
_HINTS = {
    ".": "a '.' belongs inside a number such as 0.5 (things like x.grad are not formulas)",
    ",": "each function takes exactly one argument, e.g. exp(x)",
    "=": "write only the right-hand side, e.g. x**2 + 1",
    ";": "write a single formula",
    **dict.fromkeys("'\"", "text in quotes is not a formula"),
    **dict.fromkeys("[]{}", "use ( ) for grouping"),
    # look-alikes that arrive by copying a formula out of a document
    "\u2212": "type '-' instead",  # MINUS SIGN
    "\u00d7": "type '*' instead",  # MULTIPLICATION SIGN
    "\u00b7": "type '*' instead",  # MIDDLE DOT
    "\u00f7": "type '/' instead",  # DIVISION SIGN
    "\u00b2": "type **2 instead",  # SUPERSCRIPT TWO
    "\u00b3": "type **3 instead",
}


class ExpressionError(ValueError):
    """A formula that cannot be read; the message says what and where, for a student."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position  # 0-based character index of the problem, when known


class Token(NamedTuple):
    kind: str  # "num", "name", "end", or the symbol itself: + - * / ** ( )
    text: str  # as written, so "^" for a "**" token
    pos: int


# functions a student may reach for that the engine does not have as one operation
_OTHER_FUNCTIONS = {
    "sqrt": "x**0.5", "abs": "relu(x) + relu(-x)", "exp2": "exp(x*log(2))", "pow": "x**k with a number k",
    "ln": "log(x), the natural log", "log10": "log(x)/log(10)", "log2": "log(x)/log(2)",
    **dict.fromkeys(("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "max", "min", "floor", "ceil",
                     "round", "sign"), ""),
}


def instead(name: str) -> str:
    """What to write instead of an unknown function: a formula for it, or, for a one-letter name, a product."""
    if name.lower() in _OTHER_FUNCTIONS:
        other = _OTHER_FUNCTIONS[name.lower()]
        return f"; {name} is not one of them" + (f" (write {other} instead)" if other else "")
    return f" (for a product write {name}*(...))"


def _bad_character(ch: str, pos: int) -> ExpressionError:
    if " " < ch < "\x7f":
        what = f"'{ch}'"
    else:  # invisible or look-alike characters are named by code point, so a student can find them
        name = unicodedata.name(ch, "")
        what = f"character U+{ord(ch):04X}" + (f" ({name})" if name else "")
    plain = unicodedata.normalize("NFKC", ch)
    if ch in _HINTS:
        hint = _HINTS[ch]
    elif ch.isascii():
        hint = ALLOWED
    elif len(plain) == 1 and " " <= plain < "\x7f":
        hint = f"type a plain '{plain}' instead"
    else:
        hint = "use plain keyboard characters (retype the formula if you cannot see it)"
    return ExpressionError(f"{what} at position {pos} is not allowed: {hint}", pos)


def tokens(text: str) -> Iterator[Token]:
    """Tokens one at a time, so that errors come in reading order; ends with an "end" token."""
    i = 0
    while i < len(text):
        if text[i] in SPACE:
            i += 1
            continue
        if m := _NUMBER.match(text, i):
            tok = Token("num", m.group(), i)
            _check_number(tok, text)
        elif m := _NAME.match(text, i):
            tok = Token("name", m.group(), i)
        elif text.startswith("**", i):
            tok = Token("**", "**", i)
        elif text[i] in _SYMBOLS:
            tok = Token(_SYMBOLS[text[i]], text[i], i)
        else:
            raise _bad_character(text[i], i)
        yield tok
        i += len(tok.text)
    yield Token("end", "", len(text))


def _check_number(tok: Token, text: str) -> None:
    end = tok.pos + len(tok.text)
    if len(tok.text) > MAX_NUMBER_LENGTH:
        raise ExpressionError(f"the number at position {tok.pos} is over {MAX_NUMBER_LENGTH} characters long", tok.pos)
    if end < len(text) and text[end] == ".":
        raise ExpressionError(f"the number at position {tok.pos} has more than one '.'", end)
    if math.isinf(float(tok.text)):
        raise ExpressionError(f"the number {tok.text} at position {tok.pos} is too large", tok.pos)
