"""A scalar autograd engine: `Value` and reverse-mode backpropagation.

Follows Andrej Karpathy's micrograd lecture ("The spelled-out intro to neural
networks and backpropagation") and github.com/karpathy/micrograd.

One difference from the lecture, on purpose: each operation stores its *local
derivatives* (`_local_grads`) next to its forward result, instead of a
`_backward` closure that refers to its own output. The chain rule is then one
line in `Value._backward`. The closures of the lecture make every graph a web
of reference cycles, which CPython can only free with its slow cyclic garbage
collector; without them a graph is freed as soon as it is dropped.

Numeric faults follow IEEE-754, as NumPy and PyTorch do: nothing raises.
exp overflow gives inf, log(0) gives -inf, log of a negative number gives nan,
x / 0 gives +-inf (0 / 0 gives nan), and a negative number to a fractional
power gives nan. Gradients through such values are inf or nan, never a finite
number that looks right; check `math.isfinite(v.data)` where it matters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Number = int | float


class Value:
    """A scalar in a computation graph: its data, and the gradient of the output with respect to it."""

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_local_grads")

    def __init__(
        self,
        data: Number,
        _children: tuple[Value, ...] = (),
        _op: str = "",
        label: str = "",
        _local_grads: tuple[float, ...] = (),
    ) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = tuple(_children)  # a tuple, not a set: stable order, and reuse (a + a) kept
        self._op = _op
        self._local_grads = _local_grads  # d(self)/d(child), one per child

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # --- operations: forward value and local derivatives, side by side ---

    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        # d(a + b)/da = 1, d(a + b)/db = 1
        return Value(self.data + other.data, (self, other), "+", "", (1.0, 1.0))

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        # d(a * b)/da = b, d(a * b)/db = a
        return Value(self.data * other.data, (self, other), "*", "", (other.data, self.data))

    def __pow__(self, k: Number) -> Value:
        if not isinstance(k, (int, float)):
            raise TypeError("only a number exponent is supported: Value ** int or Value ** float")
        # d(a**k)/da = k * a**(k-1)
        return Value(power(self.data, k), (self,), f"**{k:g}", "", (k * power(self.data, k - 1),))

    def exp(self) -> Value:
        e = exp(self.data)
        # d(e**a)/da = e**a
        return Value(e, (self,), "exp", "", (e,))

    def log(self) -> Value:
        x = self.data
        # d(ln a)/da = 1 / a
        local = 1.0 / x if x != 0 else math.copysign(math.inf, x)
        return Value(log(x), (self,), "log", "", (local,))

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        # d(tanh a)/da = 1 - tanh(a)**2
        return Value(t, (self,), "tanh", "", (1.0 - t * t,))

    def sigmoid(self) -> Value:
        s = sigmoid(self.data)
        # d(sigmoid a)/da = s * (1 - s)
        return Value(s, (self,), "sigmoid", "", (s * (1.0 - s),))

    def relu(self) -> Value:
        x = self.data
        # d(relu a)/da = 1 if a > 0 else 0
        return Value(relu(x), (self,), "relu", "", (1.0 if x > 0 else 0.0,))

    # --- operations built from the ones above, as in the lecture ---

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return self * other**-1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return Value(other) + (-self)

    def __rtruediv__(self, other: Number) -> Value:
        return Value(other) * self**-1

    # --- backpropagation ---

    def _backward(self) -> None:
        """Chain rule at this node: each child's gradient grows by local derivative * this gradient."""
        for child, local in zip(self._prev, self._local_grads):
            child.grad += local * self.grad  # +=, not =: a child used twice gets both contributions

    def backward(self) -> None:
        """Fill in `grad` of every node that this value depends on (d self / d node)."""
        topo = topological_order(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, each once, children before parents; `root` last.

    Iterative depth-first search, so a chain 100,000 operations deep does not hit
    Python's recursion limit. The order is the same on every run for the same graph.
    """
    topo: list[Value] = []
    visited: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            topo.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        # reversed, so that children are visited in their own order (as a recursive DFS would)
        for child in reversed(node._prev):
            if id(child) not in visited:
                stack.append((child, False))
    return topo


# --- the operations on plain floats, as Value computes them (IEEE-754 results where Python would raise) ---


def power(x: float, k: float) -> float:
    """x**k with IEEE results where Python's float power would raise."""
    odd = float(k).is_integer() and int(k) % 2 == 1
    try:
        r = x**k
    except ZeroDivisionError:  # 0.0 ** negative
        return math.copysign(math.inf, x) if odd else math.inf
    except OverflowError:
        return -math.inf if (x < 0 and odd) else math.inf
    if isinstance(r, complex):  # negative base, fractional exponent
        return math.nan
    return r


def exp(x: float) -> float:
    """e**x, inf where math.exp would overflow."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log(x: float) -> float:
    """ln x: -inf at 0, nan below, where math.log would raise."""
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def sigmoid(x: float) -> float:
    """1 / (1 + e**-x), written so that exp never overflows."""
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def relu(x: float) -> float:
    return x if x > 0 else 0.0


@dataclass(frozen=True)
class Function:
    """An operation of one Value: its method, the same on a float, and its local derivative as a formula.

    In `derivative`, {x} stands for the input and {out} for the result, e.g. "1 − {out}²" for tanh.
    A formula a student types may call any of them by name; the chain-rule panel writes the derivative.
    """

    name: str
    method: Callable[[Value], Value]
    of_float: Callable[[float], float]
    derivative: str


# Every operation of one input, by name: a new one is a method above and a line here.
FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("exp", Value.exp, exp, "{out}"),
    Function("log", Value.log, log, "1/{x}"),
    Function("tanh", Value.tanh, math.tanh, "1 − {out}²"),
    Function("sigmoid", Value.sigmoid, sigmoid, "{out}·(1 − {out})"),
    Function("relu", Value.relu, relu, "(1 if {x} > 0 else 0)"),
)}
