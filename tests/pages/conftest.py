"""Fixtures of the page tests."""

import pytest

from ui.parts.mlp import live


@pytest.fixture(autouse=True)
def scheduler_of_its_own(monkeypatch):
    """A fresh training scheduler for each page test, stopped after it: no run outlives its test or reaches another."""
    monkeypatch.setattr(live, "_scheduler", None)
    yield
    if live._scheduler is not None:
        live._scheduler.close()
