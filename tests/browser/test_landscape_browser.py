"""The Loss landscape page in headless Chromium: a click on the landscape moves the start, and on a 1280×720
projector the landscape and its controls are on the first screen."""

import pytest
from playwright.sync_api import expect

from lessons import landscape as land
from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser


def landscape(context, url: str, query: str = ""):
    """The page opened in `context`, once its landscape is drawn: the page and the chart's canvas."""
    page = context.new_page()
    page.goto(f"{url}/landscape{query}")
    chart = page.locator("[data-testid=stVegaLiteChart] canvas").first
    expect(chart).to_be_visible(timeout=30_000)
    wait_idle(page)
    return page, chart


def test_a_click_on_the_landscape_starts_descent_there(server, browser):
    with browser.new_context(viewport={"width": 1400, "height": 1000}) as context:
        page, chart = landscape(context, server.url)
        start_w = page.get_by_label("start w")
        expect(start_w).to_have_value("0")
        box = chart.bounding_box()
        # a point in the lower right of the plot: larger w, lower b than the start (0, 4)
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7)
        expect(start_w).not_to_have_value("0", timeout=20_000)
        wait_idle(page)
        w, b = float(start_w.input_value()), float(page.get_by_label("start b").input_value())
        assert w > 1.0 and b < 2.0, (w, b)
        assert min(land.axes()[0], key=lambda v: abs(v - w)) == pytest.approx(w, abs=1e-3)  # a cell's centre
        page.get_by_role("button", name="10 steps").click()
        expect(page.get_by_text("after 10 steps")).to_be_visible(timeout=20_000)


def test_on_a_projector_the_landscape_and_its_controls_fit_the_first_screen(server, browser):
    with browser.new_context(viewport={"width": 1280, "height": 720}) as context:
        page, chart = landscape(context, server.url, "?present=1&land_opt=all+three&land_lr=0.08&land_steps=40")
        step = page.get_by_role("button", name="Step", exact=True)
        for element in (chart, step):
            box = element.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= 720, box
        assert chart.bounding_box()["height"] >= 300, "the landscape is drawn large enough to read"
