"""Read a student's formula, such as "3*x**2 - 4*x + 5", into a graph of `Value`s.

A small tokenizer and recursive-descent parser with an allow-list grammar: user text
never reaches eval, exec, compile or the ast module. Python's precedence, loosest first:

    expr    := term (('+' | '-') term)*
    term    := factor (('*' | '/') factor)*
    factor  := ('+' | '-') factor | power
    power   := primary [('**' | '^') factor]      the exponent must be a number expression
    primary := number | name | function '(' expr ')' | '(' expr ')'

So -x**2 is -(x**2) and 2**3**2 is 2**9. Names are variables, except the FUNCTIONS.
The parser compiles a formula to a postfix program; `Expression.build` runs it on
`Value`s (for backpropagation), `Expression.evaluate` on floats (for plotting). Neither
recurses, and the parser's recursion is bounded by MAX_DEPTH, so no input can raise
RecursionError. A number literal that overflows a float (1e999) is refused.
"""

from __future__ import annotations

import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

# the engine's own operations, so that evaluate() agrees with build() to the last bit
from micrograd_core.engine import FUNCTIONS as ENGINE_FUNCTIONS
from micrograd_core.engine import Value, power

FUNCTIONS: tuple[str, ...] = tuple(ENGINE_FUNCTIONS)  # what a formula may call: every one-input operation

MAX_LENGTH = 500  # characters of formula text
MAX_DEPTH = 50  # nesting of parentheses, function calls, signs and exponents
MAX_NODES = 500  # Values one build() creates; a bigger graph is unreadable when drawn
MAX_NUMBER_LENGTH = 50  # characters in one number literal
MAX_EXPONENT = 100  # largest |k| in x**k, so that 9**9**9 is refused instead of computed

_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # [0-9], not \d: no Unicode digits
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = " \t\r\n"  # not str.isspace(): that would let a non-breaking space pass unseen
_SYMBOLS = {"+": "+", "-": "-", "*": "*", "/": "/", "^": "**", "(": "(", ")": ")"}
_ALLOWED = f"a formula uses numbers, names, + - * / ** ^ ( ) and {', '.join(FUNCTIONS)}"
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
# cost of each instruction in Values created: a - b is a + b*(-1), a / b is a * b**-1, -a is a*(-1)
_COST = {"num": 1, "var": 1, "+": 1, "-": 3, "*": 1, "/": 2, "neg": 2, "**": 1, "call": 1}
_BINARY = ("+", "-", "*", "/")


class ExpressionError(ValueError):
    """A formula that cannot be read; the message says what and where, for a student."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position  # 0-based character index of the problem, when known


class _Token(NamedTuple):
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


def _instead(name: str) -> str:
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
        hint = _ALLOWED
    elif len(plain) == 1 and " " <= plain < "\x7f":
        hint = f"type a plain '{plain}' instead"
    else:
        hint = "use plain keyboard characters (retype the formula if you cannot see it)"
    return ExpressionError(f"{what} at position {pos} is not allowed: {hint}", pos)


def _tokens(text: str) -> Iterator[_Token]:
    """Tokens one at a time, so that errors come in reading order; ends with an "end" token."""
    i = 0
    while i < len(text):
        if text[i] in _SPACE:
            i += 1
            continue
        if m := _NUMBER.match(text, i):
            tok = _Token("num", m.group(), i)
            _check_number(tok, text)
        elif m := _NAME.match(text, i):
            tok = _Token("name", m.group(), i)
        elif text.startswith("**", i):
            tok = _Token("**", "**", i)
        elif text[i] in _SYMBOLS:
            tok = _Token(_SYMBOLS[text[i]], text[i], i)
        else:
            raise _bad_character(text[i], i)
        yield tok
        i += len(tok.text)
    yield _Token("end", "", len(text))


def _check_number(tok: _Token, text: str) -> None:
    end = tok.pos + len(tok.text)
    if len(tok.text) > MAX_NUMBER_LENGTH:
        raise ExpressionError(f"the number at position {tok.pos} is over {MAX_NUMBER_LENGTH} characters long", tok.pos)
    if end < len(text) and text[end] == ".":
        raise ExpressionError(f"the number at position {tok.pos} has more than one '.'", end)
    if math.isinf(float(tok.text)):
        raise ExpressionError(f"the number {tok.text} at position {tok.pos} is too large", tok.pos)


_FLOAT_FUNCS = {name: f.of_float for name, f in ENGINE_FUNCTIONS.items()}
_VALUE_FUNCS = {name: f.method for name, f in ENGINE_FUNCTIONS.items()}

# each instruction as the engine computes it; the float versions copy the engine's order of operations
_VALUE_OPS = {
    "num": lambda arg: Value(arg[0], label=arg[1]),
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "neg": lambda a, _: -a,
    "**": operator.pow,
    "call": lambda a, name: _VALUE_FUNCS[name](a),
}
_FLOAT_OPS = {
    "num": lambda arg: arg[0],
    "+": operator.add,
    "-": lambda a, b: a + b * -1.0,
    "*": operator.mul,
    "/": lambda a, b: a * power(b, -1),
    "neg": lambda a, _: a * -1.0,
    "**": power,
    "call": lambda a, name: _FLOAT_FUNCS[name](a),
}


def _value_ops(operations: Mapping[str, Callable] | None) -> dict:
    if not operations:
        return _VALUE_OPS
    functions = {**_VALUE_FUNCS, **{k: f for k, f in operations.items() if k in FUNCTIONS}}
    return {**_VALUE_OPS, **{k: f for k, f in operations.items() if k in _BINARY},
            "call": lambda a, name: functions[name](a)}


def _run(program: tuple | list, leaves: Mapping, ops: dict):
    """Run a postfix program with a stack (no recursion, however long the formula)."""
    stack = []
    for op, arg in program:
        if op == "num":
            stack.append(ops["num"](arg))
        elif op == "var":
            stack.append(leaves[arg])
        elif op in _BINARY:
            b = stack.pop()
            stack.append(ops[op](stack.pop(), b))
        else:
            stack.append(ops[op](stack.pop(), arg))
    return stack[0]


@dataclass(frozen=True)
class Expression:
    """A parsed formula: its text, its variables, and a program that computes it."""

    text: str
    variables: tuple[str, ...]  # names used, in order of first appearance
    _program: tuple = field(repr=False, compare=False)
    _positions: tuple[int, ...] = field(repr=False, compare=False)  # first appearance of each variable

    def _inputs(self, values: Mapping[str, float]) -> dict[str, float]:
        for name, pos in zip(self.variables, self._positions, strict=True):
            if name not in values:
                raise ExpressionError(f"no value given for '{name}'", pos)
        return {name: float(values[name]) for name in self.variables}

    def build(
        self, values: Mapping[str, float], operations: Mapping[str, Callable] | None = None
    ) -> tuple[Value, dict[str, Value]]:
        """Fresh Value graph: (root, {name: leaf Value}), one leaf per name however often it appears.

        `operations` replaces some of the engine's operations by name ("*", "tanh", ...): the formula
        then runs through a changed engine, as the bug lab does.
        """
        leaves = {name: Value(x, label=name) for name, x in self._inputs(values).items()}
        return _run(self._program, leaves, _value_ops(operations)), leaves

    def evaluate(self, values: Mapping[str, float]) -> float:
        """Same result as build(values)[0].data, with plain floats; inf/nan instead of errors."""
        return _run(self._program, self._inputs(values), _FLOAT_OPS)


class _Parser:
    """Recursive descent over the tokens, emitting a postfix program."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.prev: _Token | None = None
        self.tok = next(self.tokens)
        self.program: list[tuple[str, object]] = []
        self.variables: dict[str, int] = {}  # name -> position of first appearance
        self.nodes = 0

    def advance(self) -> None:
        self.prev, self.tok = self.tok, next(self.tokens)

    def emit(self, op: str, arg: object = None, cost: int | None = None) -> None:
        self.program.append((op, arg))
        self.nodes += _COST[op] if cost is None else cost
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"the formula is too big: it would build over {MAX_NODES} nodes", self.tok.pos)

    def expr(self, depth: int) -> bool:
        """Parse a sum; return whether it is constant (uses no variable)."""
        const = self.term(depth)
        while self.tok.kind in ("+", "-"):
            op = self.tok.kind
            self.advance()
            const &= self.term(depth)
            self.emit(op)
        return const

    def term(self, depth: int) -> bool:
        const = self.factor(depth)
        while self.tok.kind in ("*", "/"):
            op = self.tok.kind
            self.advance()
            const &= self.factor(depth)
            self.emit(op)
        return const

    def factor(self, depth: int) -> bool:
        if depth > MAX_DEPTH:  # every nesting passes through here
            msg = f"the formula is nested too deeply at position {self.tok.pos} (at most {MAX_DEPTH} levels)"
            raise ExpressionError(msg, self.tok.pos)
        if self.tok.kind in ("+", "-"):
            sign = self.tok.kind
            self.advance()
            const = self.factor(depth + 1)
            if sign == "-":
                self.emit("neg")
            return const
        return self.power(depth)

    def power(self, depth: int) -> bool:
        start = self.tok.pos
        const = self.primary(depth)
        if self.tok.kind != "**":
            return const
        op_pos = self.tok.pos
        self.advance()
        mark, nodes, exp_pos = len(self.program), self.nodes, self.tok.pos
        if not self.factor(depth + 1):
            base, exponent = self.text[start:op_pos].strip(), self.text[exp_pos : self.tok.pos].strip()
            raise ExpressionError(
                f"the exponent at position {exp_pos} uses a variable: only number exponents are supported,"
                f" such as x**2 or x**(1/2); for a variable exponent write exp({exponent}*log({base}))",
                exp_pos,
            )
        k = _run(self.program[mark:], {}, _FLOAT_OPS)  # fold the constant exponent into one number
        del self.program[mark:]
        self.nodes = nodes
        if not abs(k) <= MAX_EXPONENT:  # also catches nan
            raise ExpressionError(
                f"the exponent at position {exp_pos} must be from -{MAX_EXPONENT} to {MAX_EXPONENT}", exp_pos
            )
        self.emit("**", int(k) if k.is_integer() else k)
        return const

    def primary(self, depth: int) -> bool:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            self.emit("num", (float(tok.text), tok.text))
            const = True
        elif tok.kind == "name" and tok.text in FUNCTIONS:
            const = self.call(tok, depth)
        elif tok.kind == "name":
            self.advance()
            if self.tok.kind == "(":
                raise ExpressionError(f"unknown function '{tok.text}' at position {tok.pos}: the functions are "
                                      f"{', '.join(FUNCTIONS)}{_instead(tok.text)}", tok.pos)
            self.emit("var", tok.text, cost=0 if tok.text in self.variables else 1)
            self.variables.setdefault(tok.text, tok.pos)
            const = False
        elif tok.kind == "(":
            self.advance()
            const = self.inside(tok, depth)
        else:
            raise self.unexpected()
        self.check_operator_follows()
        return const

    def call(self, name: _Token, depth: int) -> bool:
        self.advance()
        if self.tok.kind != "(":
            msg = f"'{name.text}' at position {name.pos} is a function: write it with one argument, e.g. {name.text}(x)"
            raise ExpressionError(msg, name.pos)
        paren = self.tok
        self.advance()
        if self.tok.kind == ")":
            raise ExpressionError(
                f"{name.text}() at position {name.pos} needs an argument, e.g. {name.text}(x)", paren.pos
            )
        const = self.inside(paren, depth)
        self.emit("call", name.text)
        return const

    def inside(self, paren: _Token, depth: int) -> bool:
        """The expression after an opening parenthesis, and its closing one."""
        const = self.expr(depth + 1)
        if self.tok.kind != ")":
            raise ExpressionError(f"missing ')' for the '(' at position {paren.pos}", self.tok.pos)
        self.advance()
        return const

    def check_operator_follows(self) -> None:
        # "3x" and "2(x+1)" are products on paper, but here they need a '*'
        nxt, prev = self.tok, self.prev
        if nxt.kind in ("num", "name", "(") and prev is not None:
            left = prev.text if prev.kind in ("num", "name") else "(...)"
            right = nxt.text if nxt.kind in ("num", "name") else "(...)"
            msg = f"missing operator before '{nxt.text}' at position {nxt.pos}: for a product write {left}*{right}"
            raise ExpressionError(msg, nxt.pos)

    def unexpected(self) -> ExpressionError:
        tok, prev = self.tok, self.prev
        if tok.kind == "end" and prev is not None:
            msg = f"the formula is incomplete: something is missing after '{prev.text}' at position {prev.pos}"
            return ExpressionError(msg, tok.pos)
        if tok.kind == ")" and prev is not None and prev.kind == "(":
            return ExpressionError(f"empty parentheses '()' at position {prev.pos}", prev.pos)
        if tok.kind == ")":
            return ExpressionError(f"unexpected ')' at position {tok.pos}: it has no matching '('", tok.pos)
        return ExpressionError(f"unexpected '{tok.text}' at position {tok.pos}: a number or name is missing", tok.pos)


def parse(text: str) -> Expression:
    """Read a formula; raise ExpressionError, with a message for a student, if it cannot be read."""
    if not isinstance(text, str):
        raise ExpressionError("the formula must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the formula is too long: {len(text)} characters (at most {MAX_LENGTH})")
    if not text.strip(_SPACE):
        raise ExpressionError("the formula is empty")
    parser = _Parser(text)
    parser.expr(0)
    if parser.tok.kind != "end":  # only a stray ')' can stop the top-level sum early
        raise parser.unexpected()
    return Expression(text, tuple(parser.variables), tuple(parser.program), tuple(parser.variables.values()))
