"""The MLP training page in headless Chromium: live training, charts updated in place, Pause, two users at once."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import expect

from lessons.mlp.data import make_moons
from micrograd_core.engine import Value
from micrograd_core.nn import MLP
from tests.browser.conftest import METRIC_JS, SCREENSHOTS, STEP_JS, screenshot, wait_idle

pytestmark = pytest.mark.browser

DEMO = "mlp_dataset=moons&mlp_neurons=16&mlp_activation=relu&mlp_model_seed=2&mlp_loss=hinge&mlp_lr=1&mlp_lr_decay=1"
XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]

DRAWING_JS = "key => document.querySelector('.st-key-' + key + ' [data-testid=\"stVegaLiteChart\"] .marks')"


def steps(page) -> int:
    """The step counter shown on the page."""
    return page.evaluate(STEP_JS)


def wait_for_steps(page, at_least: int) -> None:
    page.wait_for_function(f"n => ({STEP_JS})() >= n", arg=at_least, timeout=90_000)


def tag_charts(page, *keys: str) -> None:
    """Mark the charts' drawings, to tell later whether the same ones were updated or new ones mounted."""
    for key in keys:
        page.evaluate(f"key => {{ ({DRAWING_JS})(key).dataset.probe = 'first'; }}", key)


def same_charts(page, *keys: str) -> bool:
    return all(page.evaluate(f"key => ({DRAWING_JS})(key)?.dataset.probe === 'first'", key) for key in keys)


def dots(page) -> int:
    """Points the loss chart draws for the current run (one per step, while the run is short)."""
    return page.evaluate("() => document.querySelectorAll('.st-key-mlp_loss_chart g.mark-symbol path').length")


CELLS = "g.mark-rect.layer_0_marks"  # the heatmap's layer (the legend's gradient is a rect mark too)


def wait_for_new_background(page, before: str) -> None:
    """Wait until the boundary is drawn differently from `before` (the plane is redrawn every few redraws)."""
    page.wait_for_function(f"""before => {{ const d = ({DRAWING_JS})('mlp_boundary_chart');
        if (!d) return false;
        const now = d.tagName === 'CANVAS' ? d.toDataURL() : d.querySelector('{CELLS}')?.innerHTML;
        return now && now !== before; }}""", arg=before, timeout=30_000)


def background(page) -> str:
    """The boundary chart as drawn, once its 1,600 cells are: an SVG's markup, or a canvas as a PNG."""
    page.wait_for_function(f"""() => {{ const d = ({DRAWING_JS})('mlp_boundary_chart');
        return d && (d.tagName === 'CANVAS' || d.querySelectorAll('{CELLS} path').length === 1600); }}""",
                           timeout=30_000)
    return page.evaluate(f"""() => {{ const d = ({DRAWING_JS})('mlp_boundary_chart');
        return d.tagName === 'CANVAS' ? d.toDataURL() : d.querySelector('{CELLS}').innerHTML; }}""")


def downloaded_losses(page) -> list[float]:
    """The loss history, through the page's CSV download."""
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the loss history (CSV)").click()
    with open(info.value.path()) as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


def open_training_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    expect(page.locator('.st-key-mlp_loss_chart [data-testid="stVegaLiteChart"] svg')).to_be_attached(timeout=30_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def pause(page) -> int:
    """Press Pause, wait until the run stops, and return the step it stopped at."""
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_enabled(timeout=30_000)
    wait_idle(page)
    return steps(page)


def lecture_losses(k: int) -> list[float]:
    """The lecture's loop by hand: the loss of each of k steps at lr 0.05."""
    n = MLP(3, [4, 4, 1], seed=0)
    losses = []
    for _ in range(k):
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, [n(x) for x in XS]))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    return losses


def demo_first_loss() -> float:
    """The untrained demo model's hinge loss + L2 on the moons, by hand."""
    X, y = make_moons(100, 0.1, seed=0)
    n = MLP(2, [16, 16, 1], "relu", "linear", seed=2)
    margins = [(1 + -float(t) * n([float(a), float(b)])).relu() for (a, b), t in zip(X, y)]
    data_loss = sum(margins, Value(0.0)) * (1 / len(margins))
    return data_loss.data + 1e-4 * sum(p.data**2 for p in n.parameters())


def test_train_grows_the_curve_and_moves_the_boundary_in_place_then_pause_stops(server, page):
    open_training_page(page, f"{server.url}/mlp_training?{DEMO}")
    assert steps(page) == 0
    before = background(page)
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_enabled()
    wait_for_steps(page, 2)
    charts = ("mlp_loss_chart", "mlp_boundary_chart", "mlp_accuracy_chart")
    tag_charts(page, *charts)
    shown = dots(page)
    wait_for_steps(page, steps(page) + 3)
    page.wait_for_function("n => document.querySelectorAll('.st-key-mlp_loss_chart g.mark-symbol path').length > n",
                           arg=shown, timeout=30_000)  # the curve grew with the steps
    assert same_charts(page, *charts)  # redrawn in place: no chart was mounted afresh (and blanked meanwhile)
    page.screenshot(path=str(SCREENSHOTS / "mlp_training-training.png"))
    wait_for_new_background(page, before)  # the boundary moved: the plane is redrawn every few redraws
    assert background(page) != before
    # the rest of the page answers while training: a lower learning rate applies to the running model
    slider = page.locator('input[type="range"][aria-label="learning rate"]')
    slider.focus()
    slider.press("ArrowLeft")  # 1 -> 0.5
    page.wait_for_function(f"() => Number(({METRIC_JS})('learning rate')) < 0.5", timeout=30_000)
    assert "mlp_lr=0.5" in page.url
    wait_for_steps(page, steps(page) + 2)  # still training
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_enabled()
    stopped = pause(page)
    assert stopped >= 5
    page.wait_for_timeout(1500)  # no more steps after Pause
    assert steps(page) == stopped
    losses = downloaded_losses(page)
    assert len(losses) == stopped and losses[0] == pytest.approx(demo_first_loss(), rel=1e-9)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    screenshot(page, "mlp_training-demo-paused")


def test_two_users_training_at_once_stay_independent(server, browser):
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True) for _ in range(2)]
    try:
        demo, lecture = (c.new_page() for c in contexts)
        open_training_page(demo, f"{server.url}/mlp_training?{DEMO}")
        open_training_page(lecture, f"{server.url}/mlp_training?mlp_pace=steady")
        demo.get_by_role("button", name="Train", exact=True).click()
        wait_for_steps(demo, 2)
        # the other user's page reruns on its own model: one step of the lecture, still paused, still its data
        assert steps(lecture) == 0
        lecture.get_by_role("button", name="Step", exact=True).click()
        wait_for_steps(lecture, 1)
        wait_idle(lecture)
        assert steps(lecture) == 1 and downloaded_losses(lecture) == pytest.approx(lecture_losses(1), abs=1e-12)
        expect(lecture.get_by_role("button", name="Train", exact=True)).to_be_enabled()
        expect(lecture.locator(".st-key-mlp_targets_chart")).to_be_visible()
        # now both train at once
        lecture.get_by_role("button", name="Train", exact=True).click()
        wait_for_steps(lecture, 6)
        demo_running = steps(demo)
        wait_for_steps(demo, demo_running + 1)
        n_lecture, n_demo = pause(lecture), pause(demo)
        # each run is exactly its own training, step for step
        assert downloaded_losses(lecture) == pytest.approx(lecture_losses(n_lecture), abs=1e-12)
        demo_losses = downloaded_losses(demo)
        assert len(demo_losses) == n_demo and demo_losses[0] == pytest.approx(demo_first_loss(), rel=1e-9)
        for p in (demo, lecture):
            expect(p.locator('[data-testid="stException"]')).to_have_count(0)
    finally:
        for c in contexts:
            c.close()


def test_a_closed_tab_stops_its_run_and_an_open_one_goes_on(server, browser):
    """A run stops when its browser is gone (within the 10 s a dropped connection has to come back), and
    never because another student left."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(2)]
    try:
        leaving, staying = (c.new_page() for c in contexts)
        for page in (leaving, staying):
            open_training_page(page, f"{server.url}/mlp_training?mlp_pace=slow")
            page.get_by_role("button", name="Train", exact=True).click()
            wait_for_steps(page, 1)
        together = staying.get_by_text("2 students are training on this server")
        expect(together).to_be_visible(timeout=30_000)
        contexts[0].close()  # the tab is closed
        expect(together).to_have_count(0, timeout=30_000)  # its run stopped
        shown = steps(staying)
        wait_for_steps(staying, shown + 1)  # the other run goes on
        expect(staying.get_by_role("button", name="Pause", exact=True)).to_be_enabled()
    finally:
        contexts[1].close()
