"""The Expression graph page in headless Chromium: the lecture's graph drawn, stepping moves the highlight."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser

HIGHLIGHTED = """() => [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg g.node')]
  .filter(g => [...g.querySelectorAll('polygon')].some(p => (p.getAttribute('fill') || '').toLowerCase() === '#fbe3b3'))
  .map(g => g.querySelector('text').textContent.trim())"""


def test_stepping_moves_the_highlight(server, page):
    page.goto(f"{server.url}/expression_graph")
    wait_idle(page)
    graph = page.locator('[data-testid="stGraphVizChart"] svg').first
    for text in ("data -8.0000", "data -6.0000", "data 4.0000", "grad ?"):
        expect(graph).to_contain_text(text)
    assert page.evaluate(HIGHLIGHTED)[:1] == ["L"]
    page.get_by_role("button", name="Next step").click()
    expect(page.get_by_text("Step 1 of 3")).to_be_visible()
    page.get_by_role("button", name="Next step").click()
    expect(page.get_by_text("Step 2 of 3")).to_be_visible()
    wait_idle(page)
    assert page.evaluate(HIGHLIGHTED)[:1] == ["d"]
    expect(graph).to_contain_text("grad -2.0000")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
