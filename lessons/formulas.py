"""Read a student's formula, such as "3*x**2 - 4*x + 5", into a graph of `Value`s.

A small tokenizer (formula_tokens.py) and a recursive-descent parser with an allow-list grammar: user text
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

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# the engine's own operations, so that evaluate() agrees with build() to the last bit
from micrograd_core.engine import FUNCTIONS as ENGINE_FUNCTIONS
from micrograd_core.engine import Value, power

from .formula_tokens import FUNCTIONS, SPACE, ExpressionError, Token, instead, tokens

MAX_LENGTH = 500  # characters of formula text
MAX_DEPTH = 50  # nesting of parentheses, function calls, signs and exponents
MAX_NODES = 500  # Values one build() creates; a bigger graph is unreadable when drawn
MAX_EXPONENT = 100  # largest |k| in x**k, so that 9**9**9 is refused instead of computed

# cost of each instruction in Values created: a - b is a + b*(-1), a / b is a * b**-1, -a is a*(-1)
_COST = {"num": 1, "var": 1, "+": 1, "-": 3, "*": 1, "/": 2, "neg": 2, "**": 1, "call": 1}
_BINARY = ("+", "-", "*", "/")


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
        self.tokens = tokens(text)
        self.prev: Token | None = None
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
                                      f"{', '.join(FUNCTIONS)}{instead(tok.text)}", tok.pos)
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

    def call(self, name: Token, depth: int) -> bool:
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

    def inside(self, paren: Token, depth: int) -> bool:
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
    if not text.strip(SPACE):
        raise ExpressionError("the formula is empty")
    parser = _Parser(text)
    parser.expr(0)
    if parser.tok.kind != "end":  # only a stray ')' can stop the top-level sum early
        raise parser.unexpected()
    return Expression(text, tuple(parser.variables), tuple(parser.program), tuple(parser.variables.values()))
