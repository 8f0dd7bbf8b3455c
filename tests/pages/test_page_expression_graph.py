"""AppTest of the Expression graph page: presets, the stepper, quiz, formula errors, tabs, downloads."""

import re

import pytest

from tests.conftest import open_page, shown
from ui.parts import expression_graph as parts

PAGE = "pages/expression_graph.py"


def dot(at) -> str:
    return at.get("graphviz_chart")[0].proto.spec


def record(dot_source: str, label: str) -> str:
    """The DOT label text of the record whose first field is `label`."""
    return re.search(r'label="\{ ' + re.escape(label) + r' \|[^"]*"', dot_source).group(0)


def highlighted(dot_source: str) -> list[str]:
    return re.findall(r'label="\{ (\w+) \|[^"]*"[^\]]*fillcolor="#FBE3B3"', dot_source)


def press(at, label):
    next(b for b in at.button if b.label == label).click().run()


def test_lecture_default_starts_at_the_seed():
    at = open_page(PAGE)
    assert not at.exception
    src = dot(at)
    assert "grad 1.0000" in record(src, "L") and "grad ?" in record(src, "a")
    assert highlighted(src) == ["L"]
    assert any("Step 0 of 3" in m.value for m in at.markdown)


def test_stepping_fills_gradients_as_the_chain_rule_says():
    at = open_page(PAGE)
    press(at, "Next step")  # through L = d·f: dL/dd = f = -2, dL/df = d = 4
    src = dot(at)
    assert highlighted(src) == ["L"]
    assert "grad -2.0000" in record(src, "d") and "grad 4.0000" in record(src, "f")
    assert "grad ?" in record(src, "e") and "grad ?" in record(src, "a")
    chain = next(shown(m.value) for m in at.markdown if m.value.startswith("- "))
    # the rule in the graph's own names, then local × upstream
    assert "∂L/∂d = f = -2; d.grad += -2 × 1 = -2" in chain and "∂L/∂f = d = 4; f.grad += 4 × 1 = +4" in chain
    press(at, "Next step")  # through d = e + c: both get -2
    src = dot(at)
    assert highlighted(src) == ["d"]
    assert "grad -2.0000" in record(src, "e") and "grad -2.0000" in record(src, "c")
    press(at, "Next step")  # through e = a·b: da = b·(-2) = 6, db = a·(-2) = -4
    src = dot(at)
    assert "grad 6.0000" in record(src, "a") and "grad -4.0000" in record(src, "b")
    chain = next(shown(m.value) for m in at.markdown if m.value.startswith("- "))
    # an upstream gradient other than 1: the amount is local × upstream, not the local derivative alone
    assert "∂e/∂a = b = -3; a.grad += -3 × -2 = +6 → 6" in chain
    assert any("def __mul__" in c.value for c in at.code)
    press(at, "Back")
    assert "grad ?" in record(dot(at), "a")
    press(at, "Run all")
    assert "grad 6.0000" in record(dot(at), "a")
    press(at, "Reset")
    assert "grad ?" in record(dot(at), "f")
    assert at.session_state["graph_step"] == 0


def test_step_from_the_url_is_clamped():
    at = open_page(PAGE, {"graph_step": "2"})
    assert highlighted(dot(at)) == ["d"]
    at = open_page(PAGE, {"graph_step": "5000"})
    assert any("graph_step" in w.value for w in at.warning) and highlighted(dot(at)) == ["L"]


def test_readme_preset():
    at = open_page(PAGE)
    at.selectbox(key="graph_preset").set_value("micrograd README example").run()
    at.segmented_control(key="graph_view").set_value("whole").run()
    press(at, "Run all")
    src = dot(at)
    assert "data 24.7041" in record(src, "g")
    assert "grad 138.8338" in record(src, "a") and "grad 645.5773" in record(src, "b")


def test_neuron_preset_and_leaf_editing():
    at = open_page(PAGE)
    at.selectbox(key="graph_preset").set_value("Neuron: tanh(x1·w1 + x2·w2 + b)").run()
    press(at, "Run all")
    assert "grad -1.5000" in record(dot(at), "x1")
    at.number_input(key="graph_leaf_2_x2").set_value(1.0).run()  # a new graph starts at the seed again
    assert at.session_state["graph_step"] == 0
    press(at, "Run all")
    import math

    dn = 1 - math.tanh(2 * -3 + 1 * 1 + 6.8813735870195432) ** 2
    assert f"grad {-3 * dn:.4f}" in record(dot(at), "x1")


def test_typed_formula_and_a_bad_one():
    at = open_page(PAGE)
    at.selectbox(key="graph_preset").set_value("Type a formula").run()
    at.text_input(key="graph_formula").set_value("x*y + exp(x)").run()
    at.number_input(key="graph_leaf_f_x").set_value(0.0).run()
    at.number_input(key="graph_leaf_f_y").set_value(3.0).run()
    press(at, "Run all")
    assert "grad 4.0000" in record(dot(at), "x")  # y + e^x at x = 0
    at.text_input(key="graph_formula").set_value("x*(y").run()
    assert not at.exception and "last good formula" in at.error[0].value
    assert "grad 4.0000" in record(dot(at), "x")  # the last good graph stays


def test_large_formula_is_capped_with_a_note():
    at = open_page(PAGE)
    at.selectbox(key="graph_preset").set_value("Type a formula").run()
    at.text_input(key="graph_formula").set_value("*".join(["x"] * 100)).run()  # 100 nodes
    assert any("left out" in c.value for c in at.caption)
    at.segmented_control(key="graph_view").set_value("whole").run()  # the whole graph is capped at 60
    assert any("60 nodes nearest the output" in c.value for c in at.caption)


def test_quiz_right_and_wrong():
    at = open_page(PAGE)
    at.toggle(key="graph_quiz").set_value(True).run()
    assert "grad ?" in record(dot(at), "L")
    at.selectbox(key="graph_quiz_node").set_value(0).run()  # topological order starts with a
    at.number_input(key="graph_quiz_answer").set_value(-4.0).run()
    press(at, "Check")
    assert at.error and "6.0000" in at.error[0].value
    at.number_input(key="graph_quiz_answer").set_value(6.0).run()
    press(at, "Check")
    assert at.success and "Right" in at.success[0].value


def open_tab(at, name):
    at.session_state["graph_tab"] = name
    return at.run()


def test_tabs_gradient_check_optimisation_reuse_and_tanh():
    at = open_page(PAGE)
    assert len(at.get("graphviz_chart")) == 1  # only the open tab runs: no hidden graphs are built or sent
    table = at.table[0].value
    assert list(table["autograd"]) == pytest.approx([6.0, -4.0, -2.0, 4.0])
    assert (table["relative error"] < 1e-6).all()
    open_tab(at, "One optimisation step")
    metrics = {m.label: float(m.value) for m in at.metric}
    assert metrics["output now"] == -8.0
    assert metrics["every leaf += step × grad"] > -8.0 > metrics["every leaf −= step × grad"]
    # step × Σ grad² with the lecture's gradients 6, -4, -2, 4 and the default step 0.01
    assert any("0.72" in c.value for c in at.caption)
    open_tab(at, "Node-reuse bug")
    graphs = [g.proto.spec for g in at.get("graphviz_chart")]
    assert "grad 1.0000" in record(graphs[1], "a") and "grad 2.0000" in record(graphs[2], "a")  # b = a + a
    # f = (a·b)·(a + b) at a = -2, b = 3: df/da = b(a + b) + ab = 3 - 6 = -3; the bug keeps only one branch
    assert "grad -3.0000" in record(graphs[4], "a") and "grad -3.0000" not in record(graphs[3], "a")
    open_tab(at, "tanh from exp")
    tanh_table = at.table[0].value
    assert list(tanh_table["tanh"]) == pytest.approx(list(tanh_table["from exp"]), abs=1e-12)
    assert len(at.get("graphviz_chart")) == 3


def test_the_open_tab_is_in_the_link_and_a_bad_one_falls_back():
    at = open_page(PAGE, {"graph_tab": "Node-reuse bug"})
    assert not at.warning and len(at.get("graphviz_chart")) == 5  # the main graph and four reuse graphs
    at = open_page(PAGE, {"graph_tab": "nonsense"})
    assert any("graph_tab" in w.value for w in at.warning) and at.session_state["graph_tab"] == "Gradient check"


def test_presentation_mode_keeps_the_lessons_and_drops_the_download():
    at = open_page(PAGE, {"present": "1", "graph_tab": "Download"})
    assert not at.exception and at.session_state["graph_tab"] == "Gradient check"
    assert not at.get("download_button") and at.table


def test_topological_order_is_listed_with_the_current_node():
    at = open_page(PAGE)
    press(at, "Next step")
    press(at, "Next step")
    order = next(m.value for m in at.markdown if m.value.startswith("**Topological order**"))
    assert shown(order).endswith("a, b, e, c, d, f, L") and "**d**" in order
    assert any("L → d → e" in shown(c.value) for c in at.caption)


def test_downloads_with_and_without_graphviz(monkeypatch):
    at = open_page(PAGE, {"graph_tab": "Download"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download DOT source" in labels
    monkeypatch.setattr(parts.shutil, "which", lambda name: None)
    at = open_page(PAGE, {"graph_tab": "Download"})
    assert [b.proto.label for b in at.get("download_button")] == ["Download DOT source"]
    assert any("not installed" in i.value for i in at.info)


def test_leaf_values_are_in_the_link_and_a_link_opens_them():
    at = open_page(PAGE)
    at.number_input(key="graph_leaf_0_a").set_value(3.0).run()
    assert at.query_params["graph_leaves"] in (["a:3"], "a:3")
    again = open_page(PAGE, {"graph_leaves": "a:3"})
    assert again.number_input(key="graph_leaf_0_a").value == 3.0
    assert "data -2.0000" in record(dot(again), "L")  # (3·-3 + 10)·-2
    again.number_input(key="graph_leaf_0_a").set_value(2.0).run()  # back to the default: out of the link
    assert "graph_leaves" not in again.query_params


@pytest.mark.parametrize("raw", ["a:x", "a3", "a:1e99", ",".join(f"v{i}:1" for i in range(40)), "`[x](https://e.com)`:1"])
def test_a_bad_leaf_link_falls_back_with_a_notice(raw):
    at = open_page(PAGE, {"graph_leaves": raw})
    assert not at.exception
    assert any("graph_leaves" in w.value and "ignored" in w.value for w in at.warning)
    assert "data -8.0000" in record(dot(at), "L")


def test_quiz_hides_every_lesson_that_shows_gradients():
    at = open_page(PAGE, {"graph_tab": "Gradient check"})
    assert at.table
    at.toggle(key="graph_quiz").set_value(True).run()
    assert not at.table and not at.get("tabs") and not at.expander
    assert any("hidden while the quiz is on" in i.value for i in at.info)
    assert len(at.get("graphviz_chart")) == 1 and "grad 6" not in dot(at)


def test_nameless_nodes_get_names_and_no_text_is_read_as_markdown():
    at = open_page(PAGE, {"graph_preset": "micrograd README example", "graph_step": "3"})
    order = next(m.value for m in at.markdown if m.value.startswith("**Topological order**"))
    assert "()" not in shown(order) and "b**3" in shown(order)  # its stars shown, not read as bold
    assert re.search(r"#\d+", shown(order))  # long nameless results are called by their place in the order
    src = dot(at)
    assert "omitted" in src and src.count("data ") <= 9  # drawn around the current node: 40 values do not fit


def test_the_page_never_scrolls_itself_and_the_stage_draws_what_it_can_show_legibly():
    at = open_page(PAGE, {"graph_step": "1"})
    moves = re.compile(r"scrollIntoView|scrollTo\b|scrollBy|scrollTop\s*=|scrollLeft\s*=")  # what moves a page
    assert not any(moves.search(h.proto.body) for h in at.get("html"))
    at = open_page(PAGE, {"graph_preset": "micrograd README example", "graph_step": "29", "present": "1"})
    dot = at.get("graphviz_chart")[0].proto.spec
    assert 3 <= dot.count("data ") < 40 and "class=highlight" in dot  # the current node, and what fits around it
    assert "left out" in dot and any(b.label == "Whole graph" for b in at.button)
    off_stage = open_page(PAGE, {"graph_preset": "micrograd README example", "graph_step": "29"})
    assert off_stage.get("graphviz_chart")[0].proto.spec.count("data ") == 9  # the page's own view, nine nodes


def test_the_value_class_grows_stage_by_stage():
    at = open_page(PAGE, {"graph_tab": "Build the Value class"})
    assert any("no graph to draw" in m.value for m in at.markdown)  # stage 1: a number, no graph
    press(at, "Next stage")
    press(at, "Next stage")  # stage 3: _op
    diff = at.code[0].value
    assert "+        self._op = _op" in diff and "label" not in diff
    tab_graph = at.get("graphviz_chart")[1].proto.spec
    assert "*" in tab_graph and "grad" not in tab_graph and "{ a |" not in tab_graph  # ops, no names, no grads
    press(at, "End")  # the last stage: the lecture's _backward closures fill every grad, and numbers are wrapped
    tab_graph = at.get("graphviz_chart")[1].proto.spec
    assert "def __rmul__(self, other):" in at.code[0].value and "grad 6.0000" in record(tab_graph, "a")
    assert at.query_params["graph_stage"] in (["6"], "6")
    assert any("`2 * a` → `` Value(data=4.0) ``" in m.value or "Value(data=4.0)" in m.value for m in at.markdown)
    press(at, "Previous stage")  # stage 6: backward(), but a number beside a Value still fails
    assert any("TypeError" in m.value and "2 * a" in m.value for m in at.markdown)


def test_the_topological_sort_is_stepped_on_the_graph():
    at = open_page(PAGE, {"graph_tab": "Topological sort"})
    press(at, "End")
    tab_graph = at.get("graphviz_chart")[1].proto.spec
    for k, name in enumerate(["a", "b", "e", "c", "d", "f", "L"], 1):
        assert f'label="{{ #{k} {name} |' in tab_graph
    assert any("Order so far" in m.value and "#7 L" in shown(m.value) for m in at.markdown)
    press(at, "Start")
    press(at, "Next search step")
    press(at, "Next search step")
    assert "d (visited)" in at.get("graphviz_chart")[1].proto.spec


@pytest.mark.parametrize("formula, leaves", [("1/x", "x:0"), ("log(x)*y", "x:-1"), ("exp(1000*x) - x", ""),
                                             ("x**0.5", "x:0")])
def test_inf_and_nan_draw_on_every_tab_and_change_no_setting(formula, leaves):
    query = {"graph_preset": "Type a formula", "graph_formula": formula, "graph_leaves": leaves}
    for tab in parts.TABS:
        at = open_page(PAGE, {**query, "graph_tab": tab, "graph_step": "1"})
        assert not at.exception, (tab, at.exception)
        assert at.session_state["graph_tab"] == tab and at.session_state["graph_step"] == 1
        assert any(word in dot(at) for word in ("inf", "nan"))


def test_a_box_change_arriving_after_the_box_left_the_page_changes_nothing():
    """A number box's change can reach the server with the rerun that moves to the next scene on another
    page; by then the box is gone from the session. The change is dropped, not raised."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui import NamedNumbers
        from ui.formula_input import _apply_exact, _store_leaf

        leaves = NamedNumbers("late_leaves", "leaf values", {})
        _store_leaf(leaves, "a", "late_leaf_a", 2.0)
        _apply_exact("late_exact", "late_target", "late_error", 0.0, 1.0)
        st.write(f"kept {leaves.value} {st.session_state.get('late_target')}")

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert at.markdown[0].value == "kept {} None"
