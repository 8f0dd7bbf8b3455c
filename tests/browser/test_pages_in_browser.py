"""Every page in headless Chromium: opened by direct URL, drawn without an exception, charts rendered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, wait_idle
from ui import PAGES

pytestmark = pytest.mark.browser


def url_of(path: str) -> str:
    """The page's URL path: "" for home (the default page), else the file name without .py."""
    return "" if path == PAGES[0].path else path.removeprefix("pages/").removesuffix(".py")


def assert_frame(page) -> None:
    """The shared frame: our navigation with every page, and the presentation switch."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    for spec in PAGES:
        expect(sidebar.get_by_role("link", name=spec.title, exact=True)).to_be_visible()
    expect(sidebar.get_by_text("Presentation mode")).to_be_visible()
    # Streamlit's own page list (legacy labels like "derivatives") must not appear
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_deep_link_on_a_fresh_server_shows_the_full_frame(fresh_server, page, path):
    page.goto(f"{fresh_server.url}/{url_of(path)}?present=1")
    wait_idle(page)
    assert_frame(page)
    expect(page.locator("h1").first).to_be_visible()
    # presentation mode from the link took effect: larger root font (its style comes after the navigation,
    # so wait for it as for the rest of the frame; a page that never applies it fails here)
    page.wait_for_function("parseFloat(getComputedStyle(document.documentElement).fontSize) === 22", timeout=15_000)


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_page_draws_its_charts(server, page, path):
    page.goto(f"{server.url}/{url_of(path)}")
    wait_idle(page)
    assert_frame(page)
    plots = page.locator('[data-testid="stPlotlyChart"]')
    for i in range(plots.count()):
        expect(plots.nth(i).locator("svg.main-svg").first).to_be_attached(timeout=15_000)
    vegas = page.locator('[data-testid="stVegaLiteChart"]')
    for i in range(vegas.count()):
        expect(vegas.nth(i).locator(".marks")).to_be_attached(timeout=15_000)
    graphs = page.locator('[data-testid="stGraphVizChart"]')
    for i in range(graphs.count()):
        expect(graphs.nth(i).locator("svg")).to_be_attached(timeout=15_000)
    screenshot(page, url_of(path) or "home")
    page.locator('[data-testid="stSidebar"]').get_by_text("Presentation mode").click()
    wait_idle(page)
    screenshot(page, f"{url_of(path) or 'home'}-presentation")


def test_navigation_links_move_between_pages(server, page):
    page.goto(server.url)
    wait_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Derivatives").click()
    expect(page.get_by_role("heading", name="Derivatives: how does the output respond to a nudge?")).to_be_visible()
    assert page.url.rstrip("/").endswith("/derivatives")


def test_derivatives_slider_moves_the_slope(server, page):
    page.goto(f"{server.url}/derivatives")
    wait_idle(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="autograd slope")
    metric = metric.locator('[data-testid="stMetricValue"]')
    expect(metric).to_have_text("14")
    slider = page.locator('input[type="range"][aria-label="x"]')
    slider.focus()
    slider.press("ArrowRight")  # x: 3.00 -> 3.05, f'(x) = 6x - 4
    expect(metric).to_have_text("14.3")
    assert "deriv_x=3.05" in page.url
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_derivatives_bad_formula_in_the_browser(server, page):
    page.goto(f"{server.url}/derivatives")
    wait_idle(page)
    box = page.locator('input[aria-label="f(x) ="]')
    box.fill("3*x**")
    box.press("Enter")
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="last good formula")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stPlotlyChart"]').first.locator("svg.main-svg").first).to_be_attached()


def test_pages_load_nothing_from_the_internet(server, page):
    """A classroom may have no connection: every request goes to the app's own server."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for spec in PAGES:
        page.goto(f"{server.url}/{url_of(spec.path)}")
        wait_idle(page)
        page.wait_for_timeout(500)
    external = [u for u in requested if not u.startswith((server.url, "data:", "blob:"))]
    assert requested and not external, external
