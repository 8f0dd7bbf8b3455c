"""The true answers of the tour's questions, each computed by the engine and the lessons, never typed in.

A scene's question names one of these functions and the arguments that fix the scene (a formula and
x, a preset and a node, the neuron's values, an MLP preset and what the scene changes in it). The
functions build the very objects the scene's page builds, from the same lesson modules, so an answer
follows the page if a lesson changes. Numbers come back as floats, choices as one of the choice texts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from micrograd_core.engine import Value, topological_order

from .. import landscape, softmax
from ..bug_lab import BY_KEY, example
from ..derivatives import autograd_slope, forward_difference, partial_slopes
from ..expression_graph import PRESETS, doubled, node_names, optimisation_step, replay, reuse_demo, two_branches
from ..expressions import LECTURE_VALUES, build_neuron
from ..formulas import parse
from ..mlp.settings import PRESETS as MLP_PRESETS
from ..mlp.settings import RunSettings, make_model, make_trainer
from ..mlp.training import DATA_LOSSES

Answer = Callable[..., float | str]


# --- derivatives: one input, then several ---


def slope(formula: str, x: float) -> float:
    """df/dx at x, by backpropagation (the page's "autograd slope")."""
    return autograd_slope(parse(formula), {"x": float(x)}, "x")


def best_step(formula: str, x: float, steps: Sequence[str]) -> str:
    """Which of the steps h (written as the choices are, e.g. "1e-6") brings (f(x+h) − f(x))/h closest to df/dx."""
    expression = parse(formula)
    exact = slope(formula, x)
    f = lambda v: expression.evaluate({"x": v})  # noqa: E731
    errors = {h: abs(forward_difference(f, float(x), float(h)) - exact) for h in steps}
    return min(errors, key=errors.__getitem__)


def grad(formula: str, wrt: str, values: Mapping[str, float]) -> float:
    """d formula / d wrt at `values`, by backpropagation (the page's "autograd gradient" column)."""
    return autograd_slope(parse(formula), {k: float(v) for k, v in values.items()}, wrt)


# --- the expression graph's presets (the lecture's L, the README example, the neuron) ---


def _graph(preset: str, leaves: Mapping[str, float] | None) -> tuple[Value, dict[str, Value]]:
    """The preset's graph, named as the page names its nodes (label, or what the node computes)."""
    start = PRESETS[preset]
    root, _ = start.build({**start.values, **(leaves or {})})
    names = node_names(root)
    return root, {names[id(n)]: n for n in topological_order(root)}


def graph_grad(preset: str, node: str, step: int | None = None, leaves: Mapping[str, float] | None = None) -> float:
    """The node's gradient on the Expression graph page after `step` steps of the stepper (None: all of them)."""
    root, nodes = _graph(preset, leaves)
    if step is None:
        root.backward()
    else:
        replay(root, step)  # the page's own replay: seed, then `step` nodes' _backward()
    return nodes[node].grad


def largest_grad(preset: str, among: Sequence[str], leaves: Mapping[str, float] | None = None) -> str:
    """Which of the named nodes has the largest gradient in size once backward() has run."""
    root, nodes = _graph(preset, leaves)
    root.backward()
    return max(among, key=lambda name: abs(nodes[name].grad))


def step_direction(preset: str, size: float, leaves: Mapping[str, float] | None = None) -> str:
    """"up" or "down": where the output goes when every leaf moves by size × its gradient (size < 0: against it)."""
    start = PRESETS[preset]
    nudge = optimisation_step(start.build, {**start.values, **(leaves or {})}, abs(size))
    after = nudge.up if size > 0 else nudge.down
    return "up" if after > nudge.before else "down"


# --- the neuron o = tanh(x1·w1 + x2·w2 + b), at the lecture's values unless the scene changes some ---


def _neuron(values: Mapping[str, float] | None, tanh_from_exp: bool) -> dict[str, Value]:
    o, nodes = build_neuron({**LECTURE_VALUES, **(values or {})}, tanh_from_exp)
    o.backward()
    return nodes


def neuron_grad(node: str, values: Mapping[str, float] | None = None, tanh_from_exp: bool = False) -> float:
    """do/d(node): an input such as "w1", or an inner node such as "n"."""
    return _neuron(values, tanh_from_exp)[node].grad


def neuron_value(node: str, values: Mapping[str, float] | None = None, tanh_from_exp: bool = False) -> float:
    """A node's data in the forward pass, such as o."""
    return _neuron(values, tanh_from_exp)[node].data


def neuron_largest_grad(among: Sequence[str], values: Mapping[str, float] | None = None,
                        tanh_from_exp: bool = False) -> str:
    """Which of the named nodes has the largest gradient in size."""
    nodes = _neuron(values, tanh_from_exp)
    return max(among, key=lambda name: abs(nodes[name].grad))


SAME, DIFFERENT = "the same as before", "different"


def tanh_from_exp_effect(node: str, values: Mapping[str, float] | None = None) -> str:
    """Whether do/d(node) stays the same when tanh is built from exp: SAME or DIFFERENT (to 9 digits)."""
    one, composed = _neuron(values, False)[node].grad, _neuron(values, True)[node].grad
    return SAME if math.isclose(one, composed, rel_tol=1e-9, abs_tol=1e-12) else DIFFERENT


# --- bugs ---

_REUSE_EXAMPLES = {"doubled": doubled, "two_branches": two_branches}


def reuse_bug_grad(example_name: str, leaf: str, buggy: bool = True) -> float:
    """A leaf's gradient in the Node-reuse tab's example, with the bug (= instead of +=) or fixed."""
    with_bug, fixed = reuse_demo(_REUSE_EXAMPLES[example_name])
    root = with_bug if buggy else fixed
    return next(n for n in topological_order(root) if n.label == leaf).grad


def bug_grad(bug: str, leaf: str) -> float:
    """The gradient a broken engine of the Bug lab gives an input of its own example."""
    return next(row.broken for row in example(BY_KEY[bug]).leaves if row.name == leaf)


# --- the MLP page: a preset, and what the scene changes in it ---


def mlp_settings(preset: str, changes: Mapping[str, Any] | None = None) -> RunSettings:
    """The run a scene opens: the preset with the scene's changes (fields of RunSettings)."""
    return replace(MLP_PRESETS[preset], **(changes or {}))


def _loss_now(settings: RunSettings, trainer) -> float:
    scores = [trainer.model(x) for x in trainer.X]
    return DATA_LOSSES[settings.loss](scores, trainer.y).data


def mlp_parameter_count(preset: str, changes: Mapping[str, Any] | None = None) -> float:
    """How many numbers model.parameters() collects: every weight and bias."""
    return float(len(make_model(mlp_settings(preset, changes)).parameters()))


def mlp_loss_direction(preset: str, steps: int = 1, changes: Mapping[str, Any] | None = None) -> str:
    """"down" or "up": the data loss after `steps` steps of the run, against the loss before."""
    settings = mlp_settings(preset, changes)
    trainer = make_trainer(settings)
    before = _loss_now(settings, trainer)
    trainer.steps(steps)
    return "down" if _loss_now(settings, trainer) < before else "up"


def zero_grad_effect(preset: str, steps: int, changes: Mapping[str, Any] | None = None) -> str:
    """"lower" or "higher": the loss after `steps` steps without zero_grad, against the same run with it."""
    losses = {}
    for forget in (False, True):
        settings = replace(mlp_settings(preset, changes), forget_zero_grad=forget)
        trainer = make_trainer(settings)
        trainer.steps(steps)
        losses[forget] = _loss_now(settings, trainer)
    return "lower" if losses[True] < losses[False] else "higher"


# --- after the lecture: the loss landscape and its optimisers ---


def landscape_leaves(optimiser: str, lr: float, steps: int) -> str:
    """Whether `steps` of `optimiser` at `lr` from the landscape's start stay in the valley or leave it."""
    return "leaves the valley" if landscape.descend(optimiser, landscape.START, lr, steps).left is not None \
        else "settles in the valley"


def lowest_after(lr: float, steps: int, among: Sequence[str]) -> str:
    """Which optimiser of `among` ends lowest after `steps` at `lr` from the landscape's start."""
    return min(among, key=lambda name: landscape.descend(name, landscape.START, lr, steps).end.loss)


def first_step(optimiser: str, lr: float, parameter: str) -> float:
    """How far `parameter` (w or b) moves on the optimiser's first step from the landscape's start."""
    path = landscape.descend(optimiser, landscape.START, lr, 1)
    before, after = path.steps
    return abs(getattr(after, parameter) - getattr(before, parameter))


def p_minus_y(sample: int, seed: int = 1) -> float:
    """p − y for the true class of spiral sample `sample` (1-based) under the page's untrained network: p − 1."""
    X, y = softmax.spiral()
    scores = [s.data for s in softmax.make_model(seed)(X[sample - 1])]
    check = softmax.check_sample(scores, y[sample - 1])
    return check.p_minus_y[y[sample - 1]]


ANSWERS: dict[str, Answer] = {
    f.__name__: f
    for f in (slope, best_step, grad, graph_grad, largest_grad, step_direction, neuron_grad, neuron_value,
              neuron_largest_grad, tanh_from_exp_effect, reuse_bug_grad, bug_grad, mlp_parameter_count,
              mlp_loss_direction, zero_grad_effect, landscape_leaves, lowest_after, first_step, p_minus_y)
}


# --- the givens: what a question needs that its prompt does not say, for the phones that do not see the page ---


def nudge_numbers(formula: str, wrt: str, values: Mapping[str, float], h: float, output: str) -> dict[str, float]:
    """The inputs, h, and the output before and after nudging `wrt` by h (the page's several-inputs table)."""
    row = partial_slopes(parse(formula), {k: float(v) for k, v in values.items()}, float(h))[wrt]
    return {**{k: float(v) for k, v in values.items()}, "h": float(h),
            f"{output} before": row["before"], f"{output} after": row["after"]}


def graph_numbers(preset: str, data: Sequence[str] = (), grads: Sequence[str] = (), step: int | None = None,
                  leaves: Mapping[str, float] | None = None) -> dict[str, float]:
    """Named nodes' data, and their gradients after `step` steps of the stepper (None: all), as dL/dx."""
    root, nodes = _graph(preset, leaves)
    if step is None:
        root.backward()
    else:
        replay(root, step)
    out = next(name for name, node in nodes.items() if node is root)
    return {**{name: nodes[name].data for name in data}, **{f"d{out}/d{name}": nodes[name].grad for name in grads}}


def neuron_numbers(data: Sequence[str] = (), grads: Sequence[str] = (), values: Mapping[str, float] | None = None,
                   tanh_from_exp: bool = False) -> dict[str, float]:
    """Named nodes' data, and their gradients do/dx, of the neuron at the scene's values."""
    nodes = _neuron(values, tanh_from_exp)
    return {**{name: nodes[name].data for name in data}, **{f"do/d{name}": nodes[name].grad for name in grads}}


GIVENS: dict[str, Callable[..., dict[str, float]]] = {
    f.__name__: f for f in (nudge_numbers, graph_numbers, neuron_numbers)
}
