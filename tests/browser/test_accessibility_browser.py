"""WCAG 2.x A and AA, as axe-core checks them, on every page in Chromium: on a laptop and on a phone, as a page and
on the projector's stage. Every violation axe sees is printed; a serious or critical one fails the test.

axe-core is installed by scripts/test.sh into tests/a11y (npm). It sees what a machine can: contrast, names and
roles, what a keyboard can reach. What it cannot (charts described in words, colour never the only cue, a whole
tour by keyboard) is checked by the tests of each page.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from lessons.tour import SCENES
from tests.browser.conftest import wait_idle
from tests.browser.test_class_browser import PHONE, QUESTION, answer, join, start_class, walk_to
from ui import PAGES
from ui.mode import PRESENT
from ui.registry import BY_PATH
from ui.tour import scene_query

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILS = ("serious", "critical")
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def need_axe() -> None:
    if not AXE.is_file():
        message = "axe-core is not installed (scripts/test.sh runs npm ci --prefix tests/a11y)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def violations(page) -> list[dict]:
    """axe-core's WCAG A/AA violations on the page as drawn (same-origin frames included)."""
    for frame in page.frames:
        frame.add_script_tag(path=str(AXE))
    return page.evaluate("""rules => axe.run(document, {runOnly: {type: 'tag', values: rules},
        resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 3)
        .join(' ')).slice(0, 6)})))""", RULES)


def report(where: str, found: list[dict]) -> list[str]:
    """Print every violation; the serious and critical ones, as lines for the failure message."""
    failing = []
    for v in found:
        line = f"{where}: [{v['impact']}] {v['id']}: {v['help']}"
        print(line)
        for node in v["nodes"]:
            print("    ", node)
        if v["impact"] in FAILS:
            failing.append(line + "\n    " + "\n    ".join(v["nodes"]))
    return failing


def check(page, where: str) -> list[str]:
    """The serious and critical violations on the page, as lines for a failure message.

    A page that reruns (its size just told to the server, a timer) is briefly drawn in part: a violation
    seen once is looked for again once the page is idle, and only one seen both times counts.
    """
    failing = report(where, violations(page))
    if failing:
        settle(page)
        again = {line.split("\n")[0] for line in report(where + " (again)", violations(page))}
        failing = [line for line in failing if line.split("\n")[0].replace(where, where + " (again)", 1) in again]
    return failing


def settle(page) -> None:
    """The page drawn with the app's own style, its charts too (axe reads what is on the page)."""
    wait_idle(page)
    page.wait_for_function("""() => [...document.querySelectorAll('style')]
        .some(s => s.textContent.includes('stCaptionContainer'))""", timeout=30_000)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .every(c => c.querySelector('.marks'))""", timeout=30_000)


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("present", [False, True], ids=["page", "stage"])
@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path or "home" for p in PAGES])
def test_every_page_meets_wcag_aa_as_axe_checks_it(server, browser, spec, present, device):
    need_axe()
    with browser.new_context(viewport=VIEWPORTS[device]) as context:
        page = context.new_page()
        page.goto(f"{server.url}/{spec.url_path}{'?present=1' if present else ''}")
        settle(page)
        failing = check(page, f"{spec.url_path or 'home'} {device}{' stage' if present else ''}")
    assert not failing, "\n".join(failing)


@pytest.mark.parametrize("scene", SCENES, ids=[f"scene{s.number}" for s in SCENES])
def test_every_scene_of_the_tour_on_the_stage_meets_wcag_aa(server, browser, scene):
    need_axe()
    with browser.new_context(viewport={"width": 1280, "height": 720}) as context:
        page = context.new_page()
        query = urlencode(scene_query(scene, {PRESENT.key: "1"}))
        page.goto(f"{server.url}/{BY_PATH[scene.page].url_path}?{query}")
        settle(page)
        failing = check(page, f"scene {scene.number} stage")
    assert not failing, "\n".join(failing)


def test_both_sides_of_a_class_meet_wcag_aa(server, browser):
    """The teacher's Class page with a class running, and a student's phone with the question, then the reveal."""
    need_axe()
    with browser.new_context(viewport={"width": 1280, "height": 800}) as teacher_context:
        teacher = teacher_context.new_page()
        code = start_class(teacher, server.url)
        teacher.get_by_role("button", name="Begin the lecture tour").click()
        walk_to(teacher, QUESTION.number)
        failing = check(teacher, "class: the stage with a question")
        student_context, student = join(browser, server.url, code, PHONE)
        with student_context:
            expect(student.get_by_text(QUESTION.question.prompt)).to_be_visible(timeout=20_000)
            failing += check(student, "class: a student's phone, the question")
            answer(student, str(QUESTION.question.truth()))
            teacher.get_by_role("button", name="Reveal").click()
            expect(teacher.get_by_role("dialog")).to_be_visible(timeout=20_000)
            expect(student.get_by_text(": right.")).to_be_visible(timeout=15_000)
            failing += check(teacher, "class: the reveal on the stage")
            failing += check(student, "class: a student's phone, revealed")
    assert not failing, "\n".join(failing)


ZOOMED = {"width": PHONE["width"] // 2, "height": PHONE["height"] // 2}  # the phone's screen at 200% zoom

LAYOUT = """() => ({overflow: document.documentElement.scrollWidth - innerWidth,
  controls: [...document.querySelectorAll('button, input, [role=radio], a[href]')]
    .filter(e => e.offsetParent !== null && !e.closest('[data-testid=stSidebar]'))
    .filter(e => e.getBoundingClientRect().width > 1)  /* the skip link, 1 px until it has the focus */
    .map(e => { const r = e.getBoundingClientRect();
                return {name: (e.innerText || e.getAttribute('aria-label') || e.tagName).trim().slice(0, 40),
                        width: r.width, height: r.height, right: r.right}; })})"""


def test_a_students_phone_at_200_percent_zoom_reflows_with_targets_of_24_px(server, browser):
    """WCAG 1.4.4, 1.4.10 and 2.5.8 on the student's side: at twice the text size (half the CSS width) the question
    wraps without a sideways scroll, its answer box and Send stay in reach, every control at least 24×24 px."""
    with browser.new_context(viewport={"width": 1280, "height": 800}) as teacher_context:
        teacher = teacher_context.new_page()
        code = start_class(teacher, server.url)
        teacher.get_by_role("button", name="Begin the lecture tour").click()
        walk_to(teacher, QUESTION.number)
        student_context, student = join(browser, server.url, code, ZOOMED)
        with student_context:
            prompt = student.get_by_text(QUESTION.question.prompt)
            expect(prompt).to_be_visible(timeout=20_000)
            wait_idle(student)
            box = prompt.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= ZOOMED["width"] + 1, box
            layout = student.evaluate(LAYOUT)
            assert layout["overflow"] <= 1, f"the page scrolls sideways by {layout['overflow']} px"
            small = [c for c in layout["controls"] if c["width"] < 24 or c["height"] < 24]
            assert not small, small
            assert all(c["right"] <= ZOOMED["width"] + 1 for c in layout["controls"]), layout["controls"]
            answer(student, str(QUESTION.question.truth()))  # typed and sent at this size


@pytest.mark.parametrize("path", ["classroom", "mlp_training", "bug_lab", "expression_graph"])
def test_the_dark_theme_meets_wcag_aa(server, browser, path):
    """A browser that asks for a dark scheme gets the app's dark theme: its colours are checked as the light's are
    (Streamlit writes a primary button's text in white, 2.3:1 on the dark theme's sky blue)."""
    need_axe()
    with browser.new_context(viewport=VIEWPORTS["laptop"], color_scheme="dark") as context:
        page = context.new_page()
        page.goto(f"{server.url}/{path}")
        settle(page)
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(14, 17, 23)"
        failing = check(page, f"{path} dark")
    assert not failing, "\n".join(failing)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_mlp_page_on_three_classes_meets_wcag_aa(server, browser, device):
    """Its own controls (the radio buttons of a click, class 0/1/2 to type) and the plane's legend of shapes."""
    need_axe()
    with browser.new_context(viewport=VIEWPORTS[device]) as context:
        page = context.new_page()
        page.goto(f"{server.url}/mlp_training?mlp_dataset=spiral3&mlp_n_points=60&mlp_neurons=8&mlp_activation=relu")
        settle(page)
        expect(page.get_by_role("radio", name="add class 2", exact=True)).to_have_count(1, timeout=30_000)
        failing = check(page, f"mlp_training three classes {device}")
    assert not failing, "\n".join(failing)
