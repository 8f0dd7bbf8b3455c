"""Every one-input operation of the engine, typed on every page that takes a formula, and stepped through."""

from __future__ import annotations

import pytest

from micrograd_core.engine import FUNCTIONS
from tests.conftest import open_page

LINKS = {
    "derivatives": ("pages/derivatives.py", lambda f: {"deriv_formula": f"{f}(x) + x"}),
    "expression_graph": ("pages/expression_graph.py",
                         lambda f: {"graph_preset": "Type a formula", "graph_formula": f"{f}(x*y) + x"}),
    "bug_lab": ("pages/bug_lab.py", lambda f: {"lab_mode": "formula", "lab_formula": f"{f}(x*y) + x"}),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("page", list(LINKS))
def test_a_formula_calling_it_opens_on_the_page_without_an_error(page, name):
    path, query = LINKS[page]
    at = open_page(path, query(name))
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if page == "expression_graph":  # the chain-rule stepper through every node, the operation's own included
        steps, code_shown = 0, []
        while any(b.label == "Next step" and not b.disabled for b in at.button) and steps < 10:
            next(b for b in at.button if b.label == "Next step").click().run()
            assert not at.exception, at.exception
            steps += 1
            code_shown += [c.value for c in at.code]
        assert steps == 3  # through +, the operation and *
        assert any(f"def {name}(self)" in c for c in code_shown)  # the engine's own code for it
