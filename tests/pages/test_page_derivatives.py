"""AppTest of the Derivatives page: every widget, numbers checked against values computed here by hand."""

import json
import math

import pytest

from tests.conftest import open_page

PAGE = "pages/derivatives.py"


def f(x):
    return 3 * x**2 - 4 * x + 5


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_defaults_show_the_lecture_slope():
    at = open_page(PAGE)
    assert not at.exception
    m = metrics(at)
    assert float(m["autograd slope"]) == pytest.approx(14.0)  # f'(3) = 6*3 - 4
    x, h = 3.0, 1e-3
    assert float(m["(f(x+h) − f(x)) / h"]) == pytest.approx((f(x + h) - f(x)) / h, rel=1e-5)
    assert float(m["difference"]) == pytest.approx(3 * h, rel=1e-2)  # (f(x+h)-f(x))/h - f'(x) = 3h


def test_x_and_h_sliders_change_the_slopes():
    at = open_page(PAGE)
    at.slider(key="deriv_x").set_value(-1.5).run()
    at.slider(key="deriv_log_h").set_value(-1).run()
    m = metrics(at)
    assert float(m["autograd slope"]) == pytest.approx(6 * -1.5 - 4)
    assert float(m["(f(x+h) − f(x)) / h"]) == pytest.approx(6 * -1.5 - 4 + 3 * 0.1, rel=1e-5)
    assert at.query_params["deriv_x"] == ["-1.5"] or at.query_params["deriv_x"] == "-1.5"


def test_charts_draw_function_secant_tangent_and_error_curve():
    at = open_page(PAGE)
    charts = at.get("plotly_chart")
    assert len(charts) == 3
    fig = json.loads(charts[0].proto.spec)
    names = [t.get("name") for t in fig["data"]]
    assert names == ["f(x)", "secant, x to x+h", "tangent (autograd)", "f(x), f(x+h)"]
    curve = fig["data"][0]
    assert curve["y"][150] == pytest.approx(f(0.0))  # midpoint of linspace(-6, 6, 301)
    err = json.loads(charts[1].proto.spec)["data"][0]
    ys = [e for e in err["y"] if e is not None]
    # the V of the lesson: the error is smallest in the middle, larger at both ends
    assert min(ys) < ys[-1] and min(ys) < max(ys[:10])


def test_typed_formula_changes_slope():
    at = open_page(PAGE)
    at.text_input(key="deriv_formula").set_value("tanh(x)").run()
    at.slider(key="deriv_x").set_value(0.5).run()
    assert not at.exception and not at.error
    assert float(metrics(at)["autograd slope"]) == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-5)


@pytest.mark.parametrize("bad", ["3*x**", "__import__('os')", "x + y", "sin(x)", "", "ｘ+1"])
def test_bad_formula_shows_an_error_and_the_page_keeps_working(bad):
    at = open_page(PAGE)
    at.text_input(key="deriv_formula").set_value(bad).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "last good formula" in at.error[0].value
    assert float(metrics(at)["autograd slope"]) == pytest.approx(14.0)  # the default formula still drawn
    at.slider(key="deriv_a").set_value(1.0).run()  # the rest of the page still answers
    assert not at.exception


def test_several_inputs_table_matches_hand_slopes():
    at = open_page(PAGE)
    at.slider(key="deriv_a").set_value(1.5).run()
    at.slider(key="deriv_b").set_value(-2.0).run()
    at.slider(key="deriv_c").set_value(4.0).run()
    at.slider(key="deriv_nudge").set_value(-3).run()
    table = next(t.value for t in at.table if "autograd gradient" in t.value.columns)
    a, b, c, h = 1.5, -2.0, 4.0, 1e-3
    d = a * b + c
    assert list(table["autograd gradient"]) == pytest.approx([b, a, 1.0])
    assert list(table["d before"]) == pytest.approx([d, d, d])
    assert list(table["d after"]) == pytest.approx([(a + h) * b + c, a * (b + h) + c, d + h])
    assert list(table["slope (after − before) / h"]) == pytest.approx([b, a, 1.0], rel=1e-6)


def hand_descent(w, x, goal, lr, steps):
    for _ in range(steps):
        w -= lr * (w * x - goal) * x
    return w


def test_step_run_and_reset_follow_the_update_rule():
    at = open_page(PAGE)
    at.button[0].click().run()  # Step
    w1 = hand_descent(0.0, 2.0, 0.8, 0.1, 1)
    assert float(metrics(at)["weight"]) == pytest.approx(w1, rel=1e-5)
    at.button[1].click().run()  # Run 10 steps
    assert metrics(at)["step"] == "11"
    w11 = hand_descent(0.0, 2.0, 0.8, 0.1, 11)
    assert float(metrics(at)["weight"]) == pytest.approx(w11, rel=1e-5)
    assert float(metrics(at)["error"]) == pytest.approx(0.5 * (w11 * 2.0 - 0.8) ** 2, rel=1e-4, abs=1e-9)
    assert not at.warning
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)
    weights = [d for d in chart["data"] if d["name"] == "weight"][0]["y"]
    assert weights[-1] == pytest.approx(w11, rel=1e-9) and len(weights) == 12
    layout = chart["layout"]
    assert layout["yaxis"]["title"]["text"] == "weight" and layout["yaxis2"]["range"][0] == 0  # error from 0
    at.button[2].click().run()  # Reset
    assert metrics(at)["step"] == "0"


def test_too_large_learning_rate_diverges_with_a_note():
    at = open_page(PAGE)
    at.slider(key="deriv_lr").set_value(0.7).run()  # lr * input^2 = 2.8 > 2
    at.button[1].click().run()
    assert not at.exception
    assert any("Diverging" in w.value for w in at.warning)
    assert abs(hand_descent(0.0, 2.0, 0.8, 0.7, 10)) > 10
    assert float(metrics(at)["weight"]) == pytest.approx(hand_descent(0.0, 2.0, 0.8, 0.7, 10), rel=1e-5)


@pytest.mark.parametrize(
    "query, key, expected, notice",
    [
        ({"deriv_x": "2.5"}, "deriv_x", 2.5, False),
        ({"deriv_x": "99"}, "deriv_x", 3.0, True),
        ({"deriv_x": "abc"}, "deriv_x", 3.0, True),
        ({"deriv_log_h": "-20"}, "deriv_log_h", -3, True),
        ({"deriv_log_h": "-5"}, "deriv_log_h", -5, False),
        ({"deriv_lr": "inf"}, "deriv_lr", 0.1, True),
        ({"deriv_formula": "tanh(x)"}, "deriv_formula", "tanh(x)", False),
    ],
)
def test_url_values_seed_the_page_or_fall_back_with_a_notice(query, key, expected, notice):
    at = open_page(PAGE, query)
    assert not at.exception
    assert at.session_state[key] == expected
    assert any(key in w.value and "ignored" in w.value for w in at.warning) == notice


SETTINGS = ["deriv_log_h", "deriv_a", "deriv_b", "deriv_c", "deriv_nudge", "deriv_input", "deriv_goal", "deriv_w0",
            "deriv_lr", "deriv_steps"]


@pytest.mark.parametrize(
    "formula, x, undefined",
    [("1/0", 1.0, True), ("1/x", 0.0, True), ("log(x)", 0.0, True), ("log(x)", -1.0, True),
     ("x**0.5", -1.0, True), ("x**0.5", 0.0, False), ("x/x", 0.0, True), ("exp(1000*x)", 1.0, True),
     ("1/(x - 0.001)", 0.0, False)],
)
def test_undefined_points_are_shown_not_crashed_and_change_no_other_setting(formula, x, undefined):
    at = open_page(PAGE, {"deriv_a": "1.5", "deriv_lr": "0.2", "deriv_steps": "3"})
    before = {k: at.session_state[k] for k in SETTINGS}
    at.text_input(key="deriv_formula").set_value(formula).run()
    at.slider(key="deriv_x").set_value(x).run()
    assert not at.exception
    assert {k: at.session_state[k] for k in SETTINGS} == before
    m = metrics(at)
    assert "undefined" in (m["(f(x+h) − f(x)) / h"], m["autograd slope"])
    if undefined:
        assert m["autograd slope"] == "undefined"
        assert any("not defined" in w.value for w in at.warning)
    for chart in at.get("plotly_chart"):  # inf and nan are gaps (null), never numbers or NaN in the JSON
        assert "NaN" not in chart.proto.spec and "Infinity" not in chart.proto.spec
    at.text_input(key="deriv_formula").set_value("x**2").run()  # and the page goes on as before
    assert not at.exception and not at.warning
    assert {k: at.session_state[k] for k in SETTINGS} == before


def test_your_h_is_marked_where_h_is_on_the_log_axis():
    at = open_page(PAGE, {"deriv_log_h": "-7"})
    chart = json.loads(at.get("plotly_chart")[1].proto.spec)
    label = [a for a in chart["layout"]["annotations"] if a["text"] == "your h"][0]
    assert label["x"] == pytest.approx(-7)  # log10 units on a log axis, not 1e-7


def test_x_can_be_set_exactly_where_the_slope_is_zero():
    at = open_page(PAGE)
    at.text_input(key="deriv_x_exact").set_value("2/3").run()
    assert not at.exception
    assert at.session_state["deriv_x"] == 2 / 3
    assert abs(float(metrics(at)["autograd slope"])) < 1e-12  # f'(x) = 6x - 4 = 0 at x = 2/3
    assert at.query_params["deriv_x"] in (["0.6666666666666666"], "0.6666666666666666")  # exact in the link


@pytest.mark.parametrize("bad", ["2/x", "9", "1/0", "2 3", "`[a](https://e.com)`"])
def test_a_bad_exact_x_is_explained_and_changes_nothing(bad):
    at = open_page(PAGE)
    at.text_input(key="deriv_x_exact").set_value(bad).run()
    assert not at.exception
    assert at.session_state["deriv_x"] == 3.0
    assert len(at.error) == 1 and "slider keeps 3" in at.error[0].value


def test_the_step_count_of_the_one_weight_lesson_is_in_the_link():
    at = open_page(PAGE)
    at.button[0].click().run()
    at.button[0].click().run()
    assert at.query_params["deriv_steps"] in (["2"], "2")
    again = open_page(PAGE, {"deriv_steps": "2"})
    assert metrics(again)["step"] == "2"
    assert metrics(again)["weight"] == metrics(at)["weight"]


def test_descent_chart_shows_weight_and_error_in_separate_panels():
    at = open_page(PAGE)
    at.button[1].click().run()
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)
    axes = {d["name"]: d.get("yaxis", "y") for d in chart["data"]}
    assert axes["weight"] == axes["best weight"] != axes["error"]
    assert chart["layout"]["yaxis2"]["range"][0] == 0  # the error measured from 0


def test_relu_at_its_corner_says_there_is_no_derivative_and_why_the_two_slopes_differ():
    at = open_page(PAGE, {"deriv_formula": "relu(x)", "deriv_x": "0"})
    assert not at.exception
    said = " ".join(w.value for w in at.warning)
    assert "corner at x = 0" in said and "no derivative" in said and "from the right 1" in said


def test_the_error_table_shows_the_error_falling_then_rising_as_h_shrinks():
    at = open_page(PAGE, {"deriv_log_h": "-12"})
    table = next(t for t in at.table if "nudged slope" in t.value.columns)
    errors = dict(zip(table.value["h"], table.value["error"]))
    assert errors["1e-06"] < errors["0.001"] and errors["1e-06"] < errors["1e-12 (yours)"] < errors["1e-14"]
