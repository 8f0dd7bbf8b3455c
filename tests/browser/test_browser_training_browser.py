"""Training in the students' own browsers, in headless Chromium: Pyodide loads from the app itself, several
students on runs of their own each advance, the numbers shown are the server's engine's, and Pause hands
the run back to the page."""

from __future__ import annotations

import math
from dataclasses import replace
from urllib.parse import urlencode, urlparse

import pytest

from lessons.mlp.settings import PRESETS, RunSettings, run_link
from lessons.mlp.trajectory import Trajectory
from tests.browser.conftest import STEP_JS, screenshot, wait_idle

pytestmark = pytest.mark.browser

DEMO = "mlp_dataset=moons&mlp_neurons=16&mlp_activation=relu&mlp_loss=hinge&mlp_lr=1&mlp_lr_decay=1"
FRAME = "iframe[title*='browser_training']"
LOADS = 180_000  # ms: several students load Python at once on two shared cores


def component(page):
    """The component's frame, once it is on the page."""
    page.wait_for_selector(FRAME, timeout=60_000)
    return next(f for f in page.frames if "browser_training" in f.url)


def open_student(browser, url: str, viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    wait_idle(page)
    return page, requests


def wait_loaded(page) -> None:
    component(page).wait_for_function("() => document.body.dataset.python", timeout=LOADS)


def browser_steps(page) -> int:
    return component(page).evaluate("() => Number(document.body.dataset.step || 0)")


def test_students_on_runs_of_their_own_each_train_in_their_browser(server, browser):
    seeds = (1, 2, 3, 4)
    # the second student trains with Adam: its m and v go to the browser and come back with the run
    students = [open_student(browser, f"{server.url}/mlp_training?{DEMO}&mlp_model_seed={s}&mlp_where=browser"
                             + ("&mlp_optimizer=Adam" if s == 2 else "")) for s in seeds]
    try:
        four_students(students, seeds)
    finally:  # four Pythons in one browser: never left running for the tests after
        for page, _ in students:
            page.context.close()


def four_students(students, seeds) -> None:
    """Each loads Python and trains; each one's chart advances; the numbers are the engine's; Pause hands back."""
    for page, _ in students:
        wait_loaded(page)
        assert component(page).evaluate("() => document.body.dataset.python").startswith("3.")
        page.get_by_role("button", name="Train", exact=True).click()
    for page, _ in students:
        component(page).wait_for_function("() => Number(document.body.dataset.step) >= 3", timeout=LOADS)
    before = [browser_steps(page) for page, _ in students]
    for page, _ in students:  # and they go on: every student's chart advances, none waits for another
        component(page).wait_for_function("n => Number(document.body.dataset.step) > n", arg=before[0] + 1,
                                          timeout=LOADS)
        assert component(page).evaluate("() => document.querySelector('#curve').getAttribute('aria-label')")

    # what the first two students are shown is what the server's engine computes for the same runs
    for (page, _), seed, optimizer in zip(students, seeds, ["gradient descent", "Adam"]):
        shown = component(page).evaluate("() => window.reports")
        server_run = Trajectory(replace(PRESETS["micrograd demo"], model_seed=seed, optimizer=optimizer))
        for _ in shown:
            server_run.advance()
        for got, want in zip(shown, server_run.reports(len(shown)), strict=True):
            assert got["step"] == want.step and got["lr"] == want.lr and got["accuracy"] == want.accuracy
            assert math.isclose(got["loss"], want.loss, rel_tol=1e-12, abs_tol=1e-12)
    adam = students[1][0]
    adam.get_by_role("button", name="Pause", exact=True).click()
    adam.wait_for_function(f"() => ({STEP_JS})() >= 3", timeout=60_000)
    wait_idle(adam)
    assert adam.locator('[data-testid="stException"]').count() == 0
    assert adam.get_by_role("button", name="Train", exact=True).is_enabled()

    page, requests = students[0]
    shown = component(page).evaluate("() => window.reports")

    # Pause: the run comes back to the page, which goes on from the browser's last step
    page.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_function(f"() => ({STEP_JS})() >= 3", timeout=60_000)
    wait_idle(page)
    last = page.evaluate(STEP_JS)
    assert last >= len(shown)
    assert page.get_by_role("button", name="Train", exact=True).is_enabled()
    screenshot(page, "mlp_browser_handed_back")
    # Python, the runtime and the page came from the app's own server, nothing from outside
    assert {urlparse(u).hostname for u in requests if u.startswith("http")} == {"127.0.0.1"}
    assert any(u.endswith("/pyodide/pyodide.asm.wasm.gz") for u in requests) or component(page).evaluate(
        "async () => (await caches.keys()).some(k => k.startsWith('micrograd-pyodide-'))")


def test_training_in_the_browser_on_the_stage_and_on_a_phone(server, browser):
    """The component's numbers and charts fit the stage at 1280×720 and a phone, and the stage never scrolls."""
    for name, viewport, extra in [("stage_1280", {"width": 1280, "height": 720}, "&present=1"),
                                  ("phone", {"width": 390, "height": 844}, "")]:
        page, _ = open_student(browser, f"{server.url}/mlp_training?{DEMO}&mlp_where=browser{extra}", viewport)
        with page.context:
            on_a_screen(page, name, viewport)


def on_a_screen(page, name: str, viewport: dict) -> None:
    """Train in the browser on this screen: the charts fit, nothing cut off at the side."""
    wait_loaded(page)
    page.get_by_role("button", name="Train", exact=True).click()
    component(page).wait_for_function("() => Number(document.body.dataset.step) >= 2", timeout=LOADS)
    frame = page.locator(FRAME).first
    box = frame.bounding_box()
    assert box["width"] <= viewport["width"]
    inner = component(page).evaluate("() => [document.body.scrollWidth, innerWidth]")
    assert inner[0] <= inner[1]  # nothing cut off at the side
    canvas = component(page).evaluate("() => document.querySelector('#curve').getBoundingClientRect().width")
    assert canvas >= 250
    screenshot(page, f"mlp_browser_{name}")
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_idle(page)


def test_three_classes_train_in_the_browser_and_come_back(server, browser):
    """A score per class and cross-entropy in Pyodide: the steps are the server's engine's, the plane is tinted by
    class, and Pause hands the run back to the page, which goes on from it."""
    settings = RunSettings(dataset="spiral3", n_points=60, layers=1, neurons=8, activation="relu",
                           loss="cross_entropy", lr=0.2)
    page, _ = open_student(browser, f"{server.url}/mlp_training?{urlencode(run_link(settings))}&mlp_where=browser")
    with page.context:
        wait_loaded(page)
        page.get_by_role("button", name="Train", exact=True).click()
        component(page).wait_for_function("() => Number(document.body.dataset.step) >= 5", timeout=LOADS)
        assert "class" in component(page).evaluate("() => document.querySelector('#plane').getAttribute('aria-label')")
        shown = component(page).evaluate("() => window.reports")
        server_run = Trajectory(settings)
        for _ in shown:
            server_run.advance()
        for got, want in zip(shown, server_run.reports(len(shown)), strict=True):
            assert got["step"] == want.step and got["accuracy"] == want.accuracy
            assert math.isclose(got["loss"], want.loss, rel_tol=1e-12)
        page.get_by_role("button", name="Pause", exact=True).click()
        page.wait_for_function(f"() => ({STEP_JS})() >= 5", timeout=60_000)
        wait_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlert"]').count() == 0  # the run was taken back, not refused
        screenshot(page, "mlp_browser_three_classes")
