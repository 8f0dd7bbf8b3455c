"""AppTest of the Bug lab page: the gallery, spot the bug, and a typed formula through every broken engine."""

import json

import pytest

from lessons.bug_lab import BUGS, BY_KEY
from tests.conftest import open_page, shown

PAGE = "pages/bug_lab.py"


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.key)
def test_each_bug_in_the_gallery_shows_its_diff_its_symptom_and_why(bug):
    at = open_page(PAGE, {"lab_bug": bug.key})
    assert not at.exception
    assert any(c.language == "diff" and "the bug" in c.value for c in at.code)
    if bug.training:
        chart = json.loads(at.get("plotly_chart")[0].proto.spec)
        names = [t["name"] for t in chart["data"]]
        assert names == ["the real loop", "with the bug"]
    else:
        checks = list(at.table[0].value["check"])
        assert "FAILS" in checks
    assert any(len(shown(m.value)) > 80 and "." in m.value for m in at.markdown)  # the explanation


def test_the_bug_is_in_the_link_and_a_bad_one_falls_back():
    at = open_page(PAGE, {"lab_bug": "twice"})
    assert at.selectbox(key="lab_bug").value == "twice"
    at.selectbox(key="lab_bug").set_value("mul_grad").run()
    assert at.query_params["lab_bug"] in (["mul_grad"], "mul_grad")
    bad = open_page(PAGE, {"lab_bug": "`[x](https://e.com)`"})
    assert any("lab_bug" in w.value and "ignored" in w.value for w in bad.warning)


def test_spot_the_bug_hides_the_answer_until_the_guess_is_revealed():
    at = open_page(PAGE, {"lab_mode": "spot"})
    mystery = at.session_state.lab_mystery
    page_text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.code)
    assert BY_KEY[mystery].title not in page_text and not any(c.language == "diff" for c in at.code)
    wrong = next(b.key for b in BUGS if b.key != mystery)
    at.radio(key="lab_guess").set_value(wrong).run()
    next(b for b in at.button if b.label == "Reveal").click().run()
    assert at.error and BY_KEY[mystery].title in at.error[0].value
    assert any(c.language == "diff" for c in at.code)
    next(b for b in at.button if b.label == "Another one").click().run()
    assert at.session_state.lab_mystery != mystery and not at.error and at.radio(key="lab_guess").value is None
    at.radio(key="lab_guess").set_value(at.session_state.lab_mystery).run()
    next(b for b in at.button if b.label == "Reveal").click().run()
    assert at.success and "Right" in at.success[0].value


def test_a_typed_formula_runs_through_every_engine():
    at = open_page(PAGE, {"lab_mode": "formula", "lab_formula": "a + b"})
    table = at.table[0].value.set_index("engine")
    assert table.loc["the real one", "gradient check"] == "passes"
    assert table.loc[BY_KEY["twice"].title, "gradient check"].startswith("FAILS")
    assert table.loc[BY_KEY["assign"].title, "gradient check"].startswith("passes")  # a + b shares nothing
    at.text_input(key="lab_formula").set_value("a*a").run()
    table = at.table[0].value.set_index("engine")
    assert table.loc[BY_KEY["assign"].title, "gradient check"].startswith("FAILS")
    assert table.loc[BY_KEY["mul_grad"].title, "gradient check"].startswith("passes")
    at.text_input(key="lab_formula").set_value("a*(b").run()
    assert not at.exception and "last good formula" in at.error[0].value


def test_the_inputs_of_a_typed_formula_are_in_the_link():
    at = open_page(PAGE, {"lab_mode": "formula", "lab_formula": "tanh(x)", "lab_leaves": "x:400"})
    table = at.table[0].value.set_index("engine")
    assert table.loc[BY_KEY["tanh_exp"].title, "gradient check"].startswith("FAILS")  # nan at x = 400
    assert table.loc["the real one", "gradient check"] == "passes"
