"""Tests of the app's graph drawing (ui/graph_drawing.py) and of the lecture's draw_dot (micrograd_core/graph.py),
on their DOT text: lecture records, reuse edges, hidden grads, highlight, colours, the node cap, escaping (checked
with the `dot` binary when installed), speed."""

import math
import shutil
import subprocess

import pytest

from micrograd_core.engine import Value
from micrograd_core.graph import draw_dot, trace
from ui.graph_drawing import GraphDrawing, draw_graph, format_number
from ui.palette import HIGHLIGHT as HIGHLIGHT_COLOR
from ui.palette import NEGATIVE as NEGATIVE_COLOR
from ui.palette import NEUTRAL as NEUTRAL_COLOR
from ui.palette import POSITIVE as POSITIVE_COLOR


def drawn(root: Value, **options):
    """The app's drawing of `root` as a Digraph."""
    return draw_graph(root, **options).dot


def lecture_expression() -> dict[str, Value]:
    """L = (a*b + c) * f from the lecture, after backward()."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    L.backward()
    return {"a": a, "b": b, "c": c, "e": e, "d": d, "f": f, "L": L}


def record_line(source: str, label: str) -> str:
    """The one DOT line of the record whose first field is `label`."""
    lines = [line for line in source.splitlines() if f'"{{ {label} | data' in line]
    assert len(lines) == 1, lines
    return lines[0]


def edges(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if "->" in line]


def chain(n: int) -> Value:
    """A chain of n multiplications: 2n + 1 Value nodes (each step adds a constant and a product)."""
    v = Value(1.0, label="x")
    for _ in range(n):
        v = v * 1.0
    return v


def assert_dot_renders(source: str) -> None:
    """Run `dot -Tsvg` on the source when the binary is installed; pages never need it."""
    if shutil.which("dot") is None:
        return
    result = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout
    assert "Warning" not in result.stderr, result.stderr


def test_lecture_records_ops_and_edges():
    v = lecture_expression()
    src = drawn(v["L"]).source
    assert "{ L | data -8.0000 | grad 1.0000 }" in record_line(src, "L")
    assert "{ a | data 2.0000 | grad 6.0000 }" in record_line(src, "a")
    assert "{ b | data -3.0000 | grad -4.0000 }" in record_line(src, "b")
    assert "{ c | data 10.0000 | grad -2.0000 }" in record_line(src, "c")
    assert "{ e | data -6.0000 | grad -2.0000 }" in record_line(src, "e")
    assert "{ d | data 4.0000 | grad -2.0000 }" in record_line(src, "d")
    assert "{ f | data -2.0000 | grad 4.0000 }" in record_line(src, "f")
    assert src.count('label="*"') == 2
    assert src.count('label="+"') == 1
    # 3 ops: each has 2 input edges and 1 output edge
    assert len(edges(src)) == 9
    assert "rankdir=LR" in src
    assert "bgcolor=transparent" in src
    assert_dot_renders(src)


def test_dot_is_deterministic():
    first = drawn(lecture_expression()["L"]).source
    assert drawn(lecture_expression()["L"]).source == first  # rebuilt from scratch
    L = lecture_expression()["L"]
    assert drawn(L).source == drawn(L).source
    assert "n0 [" in first and "n6 [" in first  # ids are topological positions


def test_trace_lists_nodes_in_order_and_one_edge_per_use():
    a = Value(3.0, label="a")
    b = a + a
    nodes, edge_list = trace(b)
    assert nodes == [a, b]
    assert len(edge_list) == 2
    assert all(child is a and parent is b for child, parent in edge_list)
    b.backward()
    src = drawn(b).source
    assert edges(src).count("n0 -> n1_op") == 2
    assert "grad 2.0000" in record_line(src, "a")


def test_trace_of_lecture_expression():
    v = lecture_expression()
    nodes, edge_list = trace(v["L"])
    assert len(nodes) == 7 and nodes[-1] is v["L"]
    assert len(edge_list) == 6
    position = {id(n): i for i, n in enumerate(nodes)}
    assert all(position[id(child)] < position[id(parent)] for child, parent in edge_list)


def test_show_grad_false_hides_every_grad():
    v = lecture_expression()
    src = drawn(v["L"], show_grad=False).source
    assert "grad ?" in record_line(src, "a")
    assert src.count("grad ?") == 7
    assert POSITIVE_COLOR not in src and NEGATIVE_COLOR not in src
    assert "grad 6.0000" not in src


def test_show_grad_collection_shows_only_those():
    v = lecture_expression()
    src = drawn(v["L"], show_grad=[v["L"], v["d"]]).source
    assert "grad 1.0000" in record_line(src, "L")
    assert "grad -2.0000" in record_line(src, "d")
    assert "grad ?" in record_line(src, "a")
    assert src.count("grad ?") == 5


def test_show_grad_uses_identity_not_equal_data():
    twin = Value(2.0, label="a")  # same data and label as a, but another node
    v = lecture_expression()
    src = drawn(v["L"], show_grad=[twin]).source
    assert src.count("grad ?") == 7


def test_highlight_changes_only_that_node():
    v = lecture_expression()
    plain = drawn(v["L"]).source
    lit = drawn(v["L"], highlight=[v["e"]]).source
    assert record_line(lit, "e") != record_line(plain, "e")
    assert "penwidth=3" in record_line(lit, "e")
    assert "fillcolor=" in record_line(lit, "e")
    assert record_line(lit, "a") == record_line(plain, "a")
    assert "penwidth=3" not in record_line(plain, "e")


def test_highlight_fill_is_a_light_tint_of_highlight_color():
    fill = "#FBE3B3"
    src = drawn(lecture_expression()["L"], highlight=[lecture_expression()["L"]]).source
    assert fill not in src  # another expression's node: nothing highlighted
    v = lecture_expression()
    src = drawn(v["L"], highlight=[v["L"]]).source
    assert f'fillcolor="{fill}"' in record_line(src, "L")
    # each channel lies between HIGHLIGHT_COLOR's and white's
    for i in (1, 3, 5):
        assert int(HIGHLIGHT_COLOR[i : i + 2], 16) <= int(fill[i : i + 2], 16) <= 255


def test_rankdir_tb():
    src = drawn(lecture_expression()["L"], rankdir="TB").source
    assert "rankdir=TB" in src and "rankdir=LR" not in src
    with pytest.raises(ValueError):
        draw_graph(Value(1.0), rankdir="sideways")


def test_colours_follow_the_sign_of_grad():
    v = lecture_expression()
    src = drawn(v["L"]).source
    assert f'color="{POSITIVE_COLOR}"' in record_line(src, "a")  # grad 6
    assert f'color="{NEGATIVE_COLOR}"' in record_line(src, "b")  # grad -4
    zero = Value(1.0, label="z")
    src = drawn(zero * 0.0, show_grad=True).source  # never backpropagated: grads 0
    assert POSITIVE_COLOR not in record_line(src, "z") and NEGATIVE_COLOR not in record_line(src, "z")
    assert NEUTRAL_COLOR in src


def test_names_override_labels_by_identity():
    v = lecture_expression()
    src = drawn(v["L"], names={v["a"]: "x₁", v["L"]: "loss"}).source
    assert "data 2.0000" in record_line(src, "x₁")
    assert "data -8.0000" in record_line(src, "loss")
    assert '"{ a |' not in src


def test_unlabelled_values_have_no_label_field():
    src = drawn(Value(1.5) + Value(-0.5)).source
    assert '"{ data 1.5000 | grad 0.0000 }"' in src
    assert '"{ data 1.0000 | grad 0.0000 }"' in src


def test_cap_draws_the_nodes_nearest_the_output():
    root = chain(150)
    drawing = draw_graph(root, max_nodes=20)
    assert isinstance(drawing, GraphDrawing)
    assert drawing.total == 301
    assert drawing.shown == 20
    assert drawing.omitted == 281
    assert "281 of 301" in drawing.note and "20 nodes" in drawing.note
    src = drawing.dot.source
    assert "281 of 301" in src
    assert "shape=note" in src
    assert src.count("shape=ellipse") < 20
    records = [line for line in src.splitlines() if "grad " in line]
    assert len(records) == 20
    assert "n300 [" in src  # the output is always drawn
    assert "n0 [" not in src  # the far input is not
    assert "style=dashed" in src  # the note points at where the cut inputs come in
    assert_dot_renders(src)


def test_cap_note_is_empty_when_nothing_is_left_out():
    drawing = draw_graph(lecture_expression()["L"])
    assert (drawing.shown, drawing.total, drawing.omitted, drawing.note) == (7, 7, 0, "")
    assert "shape=note" not in drawing.dot.source
    exact = draw_graph(chain(3), max_nodes=7)
    assert exact.note == "" and exact.shown == 7


def test_cap_of_one_and_invalid_cap():
    drawing = draw_graph(chain(5), max_nodes=1)
    assert drawing.shown == 1
    assert drawing.note == "Showing the node nearest the output; 10 of 11 nodes are left out."
    assert_dot_renders(drawing.dot.source)
    for bad in (0, -3):
        with pytest.raises(ValueError):
            draw_graph(Value(1.0), max_nodes=bad)


def test_cap_prefers_shallow_nodes_over_deep_ones():
    # root = deep + shallow: the shallow input (distance 1) beats the deep chain's inner nodes
    shallow = Value(5.0, label="shallow")
    root = chain(10) + shallow
    src = draw_graph(root, max_nodes=3).dot.source
    assert "shallow" in src


def test_escaping_record_special_characters():
    tricky = 'a|b{c}<d>"\\e'
    x = Value(1.0, label=tricky)
    y = x * Value(2.0, label="<html>")
    y.label = "back\\slash\nnewline"
    y.backward()
    src = drawn(y).source
    assert "\\|" in src and "\\{" in src and "\\<" in src
    assert_dot_renders(src)
    if shutil.which("dot"):
        svg = subprocess.run(["dot", "-Tsvg"], input=src, capture_output=True, text=True, timeout=30).stdout
        assert "a|b{c}&lt;d&gt;&quot;\\e" in svg  # drawn literally, one field
        assert "&lt;html&gt;" in svg


def test_numbers_are_readable():
    assert format_number(2.0) == "2.0000"
    assert format_number(-0.0) == "0.0000"
    assert format_number(1e9) == "1e+09"
    assert format_number(-1.5e-7) == "-1.5e-07"
    assert format_number(math.inf) == "inf"
    assert format_number(-math.inf) == "-inf"
    assert format_number(math.nan) == "nan"
    x = Value(800.0, label="x")
    y = x.exp()  # overflows to inf
    y.backward()
    src = drawn(y).source
    assert "data inf" in src
    assert_dot_renders(src)


def test_every_op_is_drawn():
    x = Value(0.5, label="x")
    y = ((x**2).tanh() + x.exp() - x.relu() / 3).sigmoid()
    y.backward()
    src = drawn(y).source
    ops = [line.split("label=")[1].split(" ")[0].strip('"') for line in src.splitlines() if "_op [" in line]
    assert sorted(set(ops)) == sorted(["**2", "tanh", "exp", "relu", "sigmoid", "**-1", "+", "*"])
    assert_dot_renders(src)


def test_large_and_deep_graphs_draw_only_what_is_shown():
    # speed is measured in benchmarks/, not asserted here
    drawing = draw_graph(chain(250), max_nodes=1000)  # 501 nodes
    assert drawing.shown == 501 and drawing.note == ""

    deep = chain(100_000)  # 100,000 operations deep: 200,001 nodes, no recursion limit hit
    drawing = draw_graph(deep, max_nodes=80)
    source = drawing.dot.source
    assert drawing.shown == 80 and drawing.total == 200_001
    assert len(source) < 20_000  # DOT only for the drawn nodes


def test_fontsize_sizes_values_and_operations_alike():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    big = draw_graph(a * b, fontsize=22).dot.source
    assert "fontsize=22" in big and "fontsize=31" in big  # the op's glyph a little larger
    assert "fontsize=12" not in big and "fontsize=14" not in big
    assert "fontsize=14" in draw_graph(a * b).dot.source


def test_number_format_switches_at_exactly_1e_4_and_1e6():
    assert format_number(1e-4) == "0.0001" and format_number(0.99e-4) == "9.9e-05"
    assert format_number(999999.0) == "999999.0000" and format_number(1e6) == "1e+06"


def test_a_graph_can_be_drawn_around_any_of_its_nodes():
    v = lecture_expression()
    drawing = draw_graph(v["L"], max_nodes=3, focus=v["e"])
    src = drawing.dot.source
    shown = {label for label in "abcdefL" if f'"{{ {label} | data' in src}
    assert "e" in shown and len(shown) == 3 and shown <= {"a", "b", "d", "e"}  # its inputs and its user
    assert drawing.center == "e" and "nearest e;" in drawing.note
    # the cut shows on both sides: dashed from the note into a kept node's operation, and from a kept node out
    dashed = [e for e in edges(src) if "dashed" in e]
    assert any(e.startswith("omitted ->") for e in dashed) or any("-> omitted [" in e for e in dashed)
    assert all("constraint=false" in e for e in dashed)  # the note never adds a rank to the drawing
    named = draw_graph(v["L"], max_nodes=2, focus=v["e"], names={v["e"]: "product"})
    assert named.center == "product"
    nameless = v["a"] * 3.0
    assert draw_graph(nameless + 1.0, max_nodes=2, focus=nameless).center == "the chosen node"
    with pytest.raises(ValueError, match="focus"):
        draw_graph(v["L"], focus=Value(1.0))


def test_a_kept_node_that_feeds_a_left_out_one_points_at_the_note():
    a = Value(1.0, label="a")
    b = a.tanh()
    b.label = "b"
    c = b.exp()
    c.label = "c"
    d = c.relu()
    d.label = "d"
    src = draw_graph(d, max_nodes=2, focus=b).dot.source  # b and its user c; a before them, d after
    assert '"{ b |' in src and '"{ c |' in src and '"{ a |' not in src and '"{ d |' not in src
    assert any("-> omitted [" in e and "style=dashed" in e for e in edges(src))
    assert any(e.startswith("omitted ->") for e in edges(src))


def test_no_grad_field_at_all_for_a_value_without_one():
    v = lecture_expression()
    src = drawn(v["L"], show_grad=None).source
    assert "grad" not in src and '"{ a | data 2.0000 }"' in src


def test_highlighted_nodes_are_named_and_classed_for_the_page():
    v = lecture_expression()
    drawing = draw_graph(v["L"], highlight=[v["d"]])
    line = record_line(drawing.dot.source, "d")
    assert "class=highlight" in line and drawing.highlighted == (line.split()[0],)
    assert draw_graph(v["L"]).highlighted == ()


def test_operations_are_small_ellipses():
    src = drawn(lecture_expression()["L"]).source
    op_lines = [line for line in src.splitlines() if "_op [" in line]
    assert op_lines and all("shape=ellipse" in line and "height=0.34" in line for line in op_lines)
    assert "arrowsize=0.7" in src  # the edges' style is applied


def test_the_lectures_draw_dot_draws_a_record_per_value_and_an_oval_per_operation():
    v = lecture_expression()
    src = draw_dot(v["L"]).source
    nodes, edges = trace(v["L"])
    assert src.count("shape=record") == len(nodes) == 7
    assert '"{ L | data -8.0000 | grad 1.0000 }"' in src and '"{ a | data 2.0000 | grad 6.0000 }"' in src
    assert src.count("label=\"*\"") + src.count("label=\"+\"") == 3  # e = a·b, d = e + c, L = d·f
    assert src.count(" -> ") == len(edges) + 3  # an edge per use, and each oval into its result
    doubled = Value(3.0, label="a")
    assert draw_dot(doubled + doubled).source.count("n0 -> n1_op") == 2  # a used twice: two arrows
    assert "rankdir=TB" in draw_dot(v["L"], rankdir="TB").source
