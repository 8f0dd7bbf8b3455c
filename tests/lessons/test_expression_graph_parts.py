"""Tests of the expression-graph lesson's newer parts alone: the Value class stage by stage, the topological sort."""

import pytest

from lessons.expression_graph import PRESETS, topo_sort, value_class
from lessons.formulas import parse
from micrograd_core.engine import Value, topological_order

LECTURE = "Lecture: L = (a·b + c)·f"


@pytest.mark.parametrize("stage", range(len(value_class.STAGES)))
def test_every_stage_computes_the_lectures_L(stage):
    L = value_class.build(stage)
    assert L.data == -8.0
    assert repr(L) == "Value(data=-8.0)"


def test_each_stage_adds_what_its_title_says_in_the_lectures_order():
    has = [value_class.STAGES[k].has for k in range(6)]
    assert has == [set(), {"_prev"}, {"_prev", "_op"}, {"_prev", "_op", "label"},
                   {"_prev", "_op", "label", "grad"}, {"_prev", "_op", "label", "grad", "_backward"}]
    for stage, attribute in zip(value_class.STAGES[1:], ("_prev", "_op", "label", "grad", "backward")):
        assert attribute.strip("_") in stage.title
    times = [s.time for s in value_class.STAGES]
    assert times == sorted(times)


def test_a_stages_diff_marks_exactly_the_new_lines():
    first = value_class.diff(0)
    assert all(line.startswith("+") for line in first.splitlines() if line.strip())
    third = value_class.diff(2)
    added = [line[1:].strip() for line in third.splitlines() if line.startswith("+")]
    removed = [line[1:].strip() for line in third.splitlines() if line.startswith("-")]
    assert "self._op = _op" in added and 'def __init__(self, data, _children=()):' in removed
    assert not any(line.startswith("+") and "self.data = data" in line for line in third.splitlines())


def test_the_last_stage_backpropagates_as_the_lecture_does():
    L = value_class.build(5)
    mirror = value_class.as_engine_value(L)
    grads = {n.label: n.grad for n in topological_order(mirror)}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0, "e": -2.0, "d": -2.0, "L": 1.0}
    engine, _ = PRESETS[LECTURE].build(PRESETS[LECTURE].values)
    engine.backward()
    assert grads == {n.label: n.grad for n in topological_order(engine)}


def test_an_earlier_stage_draws_what_it_knows():
    mirror = value_class.as_engine_value(value_class.build(1))  # _prev only
    assert len(topological_order(mirror)) == 7
    assert {n._op for n in topological_order(mirror) if n._prev} == {"?"}
    assert {n.label for n in topological_order(mirror)} == {""} and {n.grad for n in topological_order(mirror)} == {0}
    labelled = value_class.as_engine_value(value_class.build(3))
    assert {n.label for n in topological_order(labelled)} == set("abcdefL")
    assert {n._op for n in topological_order(labelled) if n._prev} == {"+", "*"}


def test_the_traced_search_is_the_engines_order_step_by_step():
    for text in ("a*b + a", "(x + y)*(x - y)*x", "tanh(w*x + b)"):
        root, _ = parse(text).build(dict.fromkeys(parse(text).variables, 1.5))
        order, steps = topo_sort.traced_build_topo(root)
        assert [id(n) for n in order] == [id(n) for n in topological_order(root)]
        kinds = [s.kind for s in steps]
        assert kinds.count("enter") == kinds.count("place") == len(order)
        assert kinds.count("seen") == sum(len(n._prev) for n in order) + 1 - len(order)  # every extra use
        visited, placed = topo_sort.state_after(steps, len(steps))
        assert visited == {id(n) for n in order} and sorted(placed.values()) == list(range(1, len(order) + 1))


def test_the_search_places_a_node_only_after_its_inputs():
    a = Value(1.0, label="a")
    b = a + a
    c = b * a
    _, steps = topo_sort.traced_build_topo(c)
    assert [(s.kind, s.node) for s in steps] == [
        ("enter", c), ("enter", b), ("enter", a), ("place", a), ("seen", a), ("place", b), ("seen", a),
        ("place", c)]
    visited, placed = topo_sort.state_after(steps, 4)
    assert visited == {id(c), id(b), id(a)} and placed == {id(a): 1}


def test_a_number_beside_a_value_fails_until_the_last_stage_wraps_it_and_adds_rmul():
    earlier = [value_class.attempt(k, "2 * a") for k in range(len(value_class.STAGES) - 1)]
    assert all(e.startswith("TypeError: unsupported operand type(s) for *: 'int' and 'Value'") for e in earlier)
    assert value_class.attempt(0, "a + 1") == "AttributeError: 'int' object has no attribute 'data'"
    last = len(value_class.STAGES) - 1
    assert [value_class.attempt(last, e) for e in value_class.TRIES] == ["Value(data=3.0)", "Value(data=4.0)",
                                                                          "Value(data=4.0)"]
    assert value_class.STAGES[last].time == "01:27:05"


def test_the_questions_learners_ask_are_answered_with_the_engines_numbers():
    from lessons.expression_graph.questions import answers

    found = {a.question: a.shown for a in answers()}
    assert len(found) == 6 and all(a.answer and a.shown for a in answers())
    twice = next(v for k, v in found.items() if "backward() twice" in k)
    assert "a.grad is 6 after one backward(), 24 after two" in twice  # deeper nodes grow more than twice
    assert "dc/da is 4 with the topological order, 8 by recursion" in next(v for k, v in found.items() if "sort" in k)
    assert "41 parameters" in next(v for k, v in found.items() if "zero_grad" in k)
    assert "data inf" in next(v for k, v in found.items() if "large input" in k)
    assert "TypeError" in next(v for k, v in found.items() if "Value to a Value" in k or "raised" in k)


def test_the_code_shown_beside_the_search_is_the_lectures_and_gives_its_order():
    text = topo_sort.build_topo_source()
    assert text.startswith("topo, visited = [], set()") and text.endswith("build_topo(self)")
    for formula in ("a*b + a", "(x + y)*(x - y)*x"):
        root, _ = parse(formula).build(dict.fromkeys(parse(formula).variables, 1.5))
        names = {"self": root}
        exec(text, names)  # noqa: S102 (the project's own source, never anything typed)
        order, _ = topo_sort.traced_build_topo(root)
        assert [id(n) for n in names["topo"]] == [id(n) for n in order]
