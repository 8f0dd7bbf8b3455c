"""The projector's stage, walked as a teacher walks it: the whole tour with Page Down, in one session, at 1280x720
and 1920x1080 in presentation mode. At every scene the page has not scrolled itself, the scene bar is on
screen, the scene's focus starts on the first screen with its first visual whole and nothing that starts in
the upper three quarters of the screen cut by its bottom edge,
graph text is at least 60% of the body text, and the page shows the settings the scene's link names.
A run started in one scene never carries into the next. Each scene is saved in tests/screenshots/stage/.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from lessons.tour import SCENES
from tests.browser.conftest import SCREENSHOTS, STEP_JS, wait_idle

pytestmark = pytest.mark.browser

SIZES = {"1280": (1280, 720), "1920": (1920, 1080)}
# the layout has settled: the main area's height and every chart's size are the same over five frames in a row
SETTLED_JS = """() => new Promise(done => {
  const main = document.querySelector('[data-testid="stMain"]');
  let last = null, same = 0;
  const look = () => {
    const boxes = [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg, .js-plotly-plot, canvas')]
      .map(e => { const r = e.getBoundingClientRect(); return r.width + 'x' + r.height; }).join(',');
    const now = main.scrollHeight + ':' + boxes;
    same = now === last ? same + 1 : 0;
    last = now;
    if (same >= 5) done(true); else requestAnimationFrame(look);
  };
  look();
})"""
DRAWN_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(p => p.querySelector('svg.main-svg'))
  && [...document.querySelectorAll('[data-testid="stGraphVizChart"]')].every(g => g.querySelector('svg text'))
  && [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(v => v.querySelector('.marks'))
  && !document.querySelector('[data-testid="stSkeleton"]')"""
# what the stage shows of a scene: scrolling, the bar, the focus and its visuals, the smallest graph text
STAGE_JS = """focus => {
  const H = innerHeight;
  // anything scrolled but a code block, a table or a popover that scrolls inside itself
  const inner = '[data-testid="stCode"], [data-testid="stDataFrame"], [data-testid="stSidebar"], [role="dialog"]';
  const scrolled = [document.scrollingElement, ...document.querySelectorAll('[data-testid="stApp"] *')]
    .filter(e => e.scrollTop > 0 && !e.closest(inner))
    .map(e => (e.getAttribute('data-testid') || e.tagName) + ' ' + e.scrollTop);
  const bar = document.querySelector('.st-key-tour_bar').getBoundingClientRect();
  const section = document.querySelector('.st-key-section_' + focus);
  const box = section ? section.getBoundingClientRect() : null;
  const kinds = '[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"], [data-testid="stGraphVizChart"],'
    + ' [data-testid="stMetric"], [data-testid="stTable"], [data-testid="stDataFrame"], [data-testid="stCode"]';
  // the focus's first visual whole on the screen, and none that starts in its upper three quarters cut by its
  // bottom edge (one that starts lower down is the next thing to scroll to)
  const visuals = section ? [...section.querySelectorAll(kinds)].map(e => [e.getAttribute('data-testid'),
      e.getBoundingClientRect()]).filter(([k, r]) => r.height > 0) : [];
  const cut = visuals.filter(([k, r], i) => (i === 0 || r.top < 0.75 * H) && r.bottom > H + 2)
      .map(([k, r]) => k + ' ' + Math.round(r.top) + '-' + Math.round(r.bottom));
  const body = parseFloat(getComputedStyle(document.querySelector('[data-testid="stMarkdownContainer"] p')).fontSize);
  const sizes = [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg text')]
    .filter(t => { const r = t.getBoundingClientRect(); return r.top < H && r.bottom > 0 && r.height > 0; })
    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return {scrolled, bar: [bar.top, bar.bottom], focus: box && [box.top, box.bottom], cut, body,
          smallest: sizes.length ? Math.min(...sizes) : null};
}"""


def settle(page) -> None:
    wait_idle(page, 60_000)
    page.wait_for_function(DRAWN_JS, timeout=60_000, polling=200)
    page.evaluate(SETTLED_JS)
    wait_idle(page, 60_000)


def check_scene(page, scene, height: int, size: str) -> dict:
    settle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    link = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items() if k not in ("tour", "scene", "present")}
    assert link == dict(scene.params), f"scene {scene.number}: the page shows {link}, its link says {scene.params}"
    seen = page.evaluate(STAGE_JS, scene.focus)
    (SCREENSHOTS / "stage").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "stage" / f"scene{scene.number:02d}-{size}.png"))
    where = f"scene {scene.number} ({scene.id}) at {size}"
    assert not seen["scrolled"], f"{where}: the page scrolled by itself: {seen['scrolled']}"
    assert seen["bar"][0] >= 0 and seen["bar"][1] <= height * 0.2, f"{where}: the scene bar at {seen['bar']}"
    assert seen["focus"] is not None and seen["focus"][0] < height * 0.5, f"{where}: the focus at {seen['focus']}"
    assert not seen["cut"], f"{where}: cut by the screen's bottom edge: {seen['cut']}"
    if seen["smallest"] is not None:
        assert seen["smallest"] >= 0.6 * seen["body"], f"{where}: graph text {seen['smallest']:.1f} px " \
                                                       f"against body text {seen['body']:.1f} px"
    return seen


def next_scene(page, number: int) -> None:
    page.locator(".st-key-tour_bar p").first.click()  # the key goes to the page, not to a widget
    page.keyboard.press("PageDown")
    try:
        expect(page.get_by_text(f"Scene {number} of {len(SCENES)}", exact=False)).to_be_visible(timeout=60_000)
    except AssertionError:
        page.screenshot(path=str(SCREENSHOTS / "stage" / f"stuck-before-scene{number:02d}.png"))
        raise


@pytest.mark.parametrize("size", list(SIZES))
def test_the_whole_tour_is_one_clean_screen_per_scene(server, browser, size):
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{server.url}/?tour=1&scene=1&present=1")
        settle(page)
        page.reload()  # a browser that has opened the app before: the stage knows its screen (from a cookie)
        measures = {}
        for scene in SCENES:
            if scene.number > 1:
                next_scene(page, scene.number)
            measures[scene.id] = check_scene(page, scene, height, size)
            # what each scene measured, beside its screenshot: the figures a change of the stage is judged by
            (SCREENSHOTS / "stage" / f"measures-{size}.json").write_text(json.dumps(measures, indent=1))
            if scene.id == "parameters":  # the note says press Train: the next scene must not inherit the run
                page.get_by_role("button", name="Train").click()
                page.wait_for_function(f"() => ({STEP_JS})() >= 2", timeout=60_000, polling=200)
            if scene.id == "gradient-descent":
                assert page.evaluate(STEP_JS) == 0, "the run of the scene before carried over"
                expect(page.get_by_role("button", name="Train")).to_be_enabled()
    finally:
        page.close()
