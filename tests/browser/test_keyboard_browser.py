"""A class from both sides with the keyboard alone, in Chromium: the teacher starts a class, begins the tour and
walks it with Page Down, reveals with A; a student on a phone answers with Tab, typing and Enter. Whatever has
the focus shows it (WCAG 2.4.7), and no press of a key needs a mouse first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lessons.tour import SCENES
from tests.browser.conftest import wait_idle
from tests.browser.test_class_browser import PHONE, QUESTION

pytestmark = pytest.mark.browser

FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {text: (e.innerText || e.getAttribute('aria-label') || e.value || '').trim(), tag: e.tagName,
          visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none'}; }"""


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focus is on the control named `name`, which must show that it has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and name in focused["text"] and focused["tag"] in ("BUTTON", "INPUT", "A", "TEXTAREA"):
            assert focused["visible"], f"{name!r} has the focus and does not show it"
            return
    pytest.fail(f"{limit} presses of Tab never reached {name!r}")


def test_a_class_from_both_sides_without_a_mouse(server, browser):
    teacher_context = browser.new_context(viewport={"width": 1280, "height": 800})
    teacher = teacher_context.new_page()
    teacher.goto(f"{server.url}/classroom?present=1")
    wait_idle(teacher)
    tab_to(teacher, "Start a class")
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_text("Scan to join")).to_be_visible(timeout=30_000)
    code = re.search(r"join=([A-Z0-9]{8})", teacher.content()).group(1)
    tab_to(teacher, "Begin the lecture tour")
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_text(f"Scene 1 of {len(SCENES)}")).to_be_visible(timeout=30_000)
    for n in range(2, QUESTION.number + 1):  # a clicker's Page Down, wherever the focus is
        wait_idle(teacher)
        teacher.keyboard.press("PageDown")
        expect(teacher.get_by_text(f"Scene {n} of {len(SCENES)}", exact=False)).to_be_visible(timeout=30_000)

    student_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    student = student_context.new_page()
    student.goto(f"{server.url}/classroom?join={code}")
    wait_idle(student)
    expect(student.get_by_text(QUESTION.question.prompt)).to_be_visible(timeout=20_000)
    tab_to(student, "Your answer")
    student.keyboard.type(str(QUESTION.question.truth()))
    tab_to(student, "Send")
    student.keyboard.press("Enter")
    expect(student.get_by_text("Sent:")).to_be_visible(timeout=20_000)

    expect(teacher.locator(".st-key-tour_bar").get_by_text("1 answer", exact=True)).to_be_visible(timeout=15_000)
    wait_idle(teacher)
    teacher.keyboard.press("a")  # Reveal
    expect(teacher.get_by_role("dialog").get_by_text("1 of 1 right")).to_be_visible(timeout=20_000)
    expect(student.get_by_text(": right.")).to_be_visible(timeout=15_000)

    # the class's answers in numbers, from the keyboard, on the student's phone (a text alternative of the chart)
    wait_idle(student)
    tab_to(student, "Numbers")
    student.keyboard.press("Enter")
    table = student.get_by_role("dialog").locator("table")
    expect(table).to_be_visible(timeout=20_000)
    expect(table.get_by_role("columnheader", name="not quite")).to_be_visible()
    student.keyboard.press("Escape")
    student_context.close()
    teacher_context.close()


def test_a_charts_numbers_open_from_the_keyboard_and_follow_the_run(server, browser):
    """Tab to the loss chart's Numbers, Enter: the table of the run's steps, which grows while it trains."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/mlp_training?mlp_dataset=moons&mlp_n_points=40")
        expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible(timeout=30_000)
        wait_idle(page)
        tab_to(page, "Skip to main content")  # past the sidebar's settings, as a keyboard user would
        page.keyboard.press("Enter")
        tab_to(page, "Step")
        step = page.locator('[data-testid="stMetric"]:has([data-testid="stMetricLabel"] :text-is("step")) '
                            '[data-testid="stMetricValue"]')
        for n in range(1, 4):
            focused = page.evaluate(FOCUSED)
            if not focused or "Step" not in focused["text"]:  # a redraw took the focus away: find it again
                tab_to(page, "Step")
            page.keyboard.press("Enter")
            expect(step).to_have_text(str(n), timeout=30_000)
            wait_idle(page)
        tab_to(page, "Numbers")  # the first one: the loss chart's
        page.keyboard.press("Enter")
        rows = page.get_by_role("dialog").locator("table tbody tr")
        expect(rows).to_have_count(3, timeout=20_000)
        expect(page.get_by_role("dialog").get_by_text("at each step of this run")).to_be_visible()
    finally:
        context.close()
