"""On a projector (1920x1080 and 1280x720, presentation mode) each page's main visual and key numbers are on
the first screen and its graph text is legible; on a phone (390x844) it draws without error. Screenshots of
the first screen are saved in tests/screenshots/first-screen/ to be looked at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, wait_idle

pytestmark = pytest.mark.browser

PROJECTORS = {"1920": (1920, 1080), "1280": (1280, 720)}
# each page: what must be whole on the first screen (a CSS selector), and the key number's label
FIRST_SCREEN = {
    "derivatives": ('[data-testid="stPlotlyChart"]', "autograd slope"),
    "expression_graph": ('[data-testid="stGraphVizChart"]', None),
    "neuron": ('[data-testid="stGraphVizChart"]', "o = tanh(n)"),
    "mlp_training": (".st-key-mlp_loss_chart", "loss, all samples"),
    "bug_lab": ('[data-testid="stCode"]', None),
}
DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(p => p.querySelector('svg.main-svg'))
  && [...document.querySelectorAll('[data-testid="stGraphVizChart"]')].every(g => g.querySelector('svg text'))
  && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(v => v.querySelector('.marks'))"""
BOX_JS = "sel => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.top, r.bottom]; }"
METRIC_BOX_JS = """label => { const l = [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
  .find(e => e.innerText.trim() === label);
  return l ? l.closest('[data-testid="stMetric"]').getBoundingClientRect().bottom : null; }"""
# the smallest graph text as drawn on screen, against the body text
LEGIBLE_JS = """() => {
  const body = parseFloat(getComputedStyle(document.querySelector('[data-testid="stMarkdownContainer"] p')
    || document.body).fontSize);
  const sizes = [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg text')]
    .filter(t => t.getBoundingClientRect().top < innerHeight)
    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return [body, sizes.length ? Math.min(...sizes) : null];
}"""


# the layout has settled: the main area's height and scroll position are the same over five frames in a row
SETTLED_JS = """() => new Promise(done => {
  const main = document.querySelector('[data-testid="stMain"]');
  let last = null, same = 0;
  const look = () => {
    const now = main.scrollHeight + ':' + main.scrollTop;
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 5) done(true); else requestAnimationFrame(look);
  };
  look();
})"""


def open_at(page, url: str, visual: str | None = None) -> None:
    page.goto(url)
    if visual is not None:
        page.wait_for_selector(visual, timeout=30_000)
    wait_idle(page)
    page.wait_for_function(DRAWN, timeout=30_000)
    page.evaluate(SETTLED_JS)  # chart transitions and the graph's fit to the screen
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


@pytest.mark.parametrize("size", list(PROJECTORS))
@pytest.mark.parametrize("path", list(FIRST_SCREEN))
def test_main_visual_and_key_number_on_the_first_screen(server, browser, path, size):
    width, height = PROJECTORS[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        visual, number = FIRST_SCREEN[path]
        open_at(page, f"{server.url}/{path}?present=1", visual)
        (SCREENSHOTS / "first-screen").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "first-screen" / f"{path}-{size}.png"))
        scrolled = page.evaluate('document.querySelector(\'[data-testid="stMain"]\').scrollTop')
        assert scrolled == 0, f"the page scrolled by itself to {scrolled} px"
        top, bottom = page.evaluate(BOX_JS, visual)
        assert 0 <= top and bottom <= height + 2, f"{visual} spans {top:.0f}-{bottom:.0f} on a {height} px screen"
        if number is not None:
            page.wait_for_function(f"label => ({METRIC_BOX_JS})(label) !== null", arg=number, timeout=30_000)
            metric_bottom = page.evaluate(METRIC_BOX_JS, number)
            assert metric_bottom is not None and metric_bottom <= height, f"{number} ends at {metric_bottom}"
        body, smallest = page.evaluate(LEGIBLE_JS)
        if smallest is not None:
            assert smallest >= 0.6 * body, f"graph text {smallest:.1f} px against body text {body:.1f} px"
    finally:
        page.close()


@pytest.mark.parametrize("path", ["", *FIRST_SCREEN])
def test_a_phone_draws_every_page(server, browser, path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        open_at(page, f"{server.url}/{path}")
        (SCREENSHOTS / "first-screen").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "first-screen" / f"{path or 'home'}-phone.png"))
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 1, f"the page is {overflow} px wider than the phone"
    finally:
        page.close()


def test_a_failure_on_derivatives_changes_no_other_setting(server, page):
    """Typing formulas that are undefined somewhere leaves every slider and the link as they were."""
    page.goto(f"{server.url}/derivatives?deriv_a=1.5&deriv_lr=0.2")
    wait_idle(page)
    sliders = "() => [...document.querySelectorAll('[data-testid=stSlider] [role=slider]')].map(s => s.ariaValueNow)"
    before = page.evaluate(sliders)
    box = page.locator('input[aria-label="f(x) ="]')
    for formula in ("1/0", "x**2", "2x", "1/x", "log(x)"):
        box.fill(formula)
        box.press("Enter")
        wait_idle(page)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        assert page.evaluate(sliders) == before, formula
        assert "deriv_a=1.5" in page.url and "deriv_lr=0.2" in page.url and "deriv_b" not in page.url
    x = page.locator('input[aria-label="x exactly (a number or e.g. 2/3)"]')
    x.fill("0")
    x.press("Enter")
    wait_idle(page)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="f is not defined at x = 0")).to_be_visible()
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="autograd slope")).to_contain_text("undefined")
    expect(page.locator('[data-testid="stPlotlyChart"]').nth(1).locator("svg.main-svg").first).to_be_attached()
