"""Speed of the MLP training page: rerun times, training speed in the page against plain micrograd_core,
chart updates per second and Pause in a real browser, and time to the presets' targets.

    python benchmarks/pages/mlp_training.py [--no-browser] [--trials 3]

`bench_mlp_training()` (AppTest rerun medians) is what benchmarks/bench_pages.py collects.
"Plain core" is `Trainer.step` in a loop with the cyclic collector paused for each step, as
the server's scheduler steps (lessons.mlp.trajectory); the bare loop is printed beside it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.pages.common import median_ms, open_app  # noqa: E402
from lessons.mlp.runs import data_accuracy  # noqa: E402
from lessons.mlp.settings import PRESETS, make_trainer  # noqa: E402
from lessons.mlp.training import cyclic_gc_paused  # noqa: E402
from tests.conftest import preset_box  # noqa: E402

PAGE = "pages/mlp_training.py"
DEMO_QUERY = ("mlp_dataset=moons&mlp_neurons=16&mlp_activation=relu&mlp_model_seed=2&mlp_loss=hinge&mlp_lr=1"
              "&mlp_lr_decay=1")


def bench_mlp_training() -> dict[str, float]:
    """Median server time (ms) of the page's reruns after the interactions that matter."""
    at = open_app(PAGE)
    lrs = [0.01, 0.02, 0.05, 0.1]
    out = {
        "Step clicked (Lecture)": median_ms(at, lambda at, i: at.button(key="mlp_step").click()),
        "learning rate moved (Lecture)": median_ms(
            at, lambda at, i: at.select_slider(key="mlp_lr").set_value(lrs[i % 4])
        ),
    }
    preset_box(at).set_value("micrograd demo").run()
    out["Step clicked (micrograd demo)"] = median_ms(at, lambda at, i: at.button(key="mlp_step").click(), runs=10)
    at = open_app(PAGE)
    out["preset switched"] = median_ms(
        at, lambda at, i: preset_box(at).set_value(["micrograd demo", "Lecture"][i % 2]), runs=10
    )
    # a point added to the class's own data (what a click on the plane does): the run restarts on the new
    # data, and the boundary, the neurons' maps and the network are drawn again
    at = open_app(PAGE)
    at.selectbox(key="mlp_dataset").set_value("moons").run()
    at.selectbox(key="mlp_dataset").set_value("custom").run()  # the class's own points, starting from the moons
    out["point added (100 moons points, 4-4 tanh)"] = median_ms(at, _add_point, runs=15)
    return out


def _add_point(at, i: int) -> None:
    points = at.session_state.mlp_own_points
    at.session_state["mlp_own_points"] = (*points, (round(0.01 * i, 2), 0.25, 1.0 if i % 2 else -1.0))


def core_steps_per_second(preset: str, seconds: float = 3.0, collector_paused: bool = True) -> float:
    """Steps per second of plain micrograd_core, no Streamlit: `Trainer.step` in a loop."""
    trainer = make_trainer(PRESETS[preset])
    start = time.perf_counter()
    while time.perf_counter() - start < seconds and trainer.stopped is None:
        if collector_paused:
            with cyclic_gc_paused():
                trainer.step()
        else:
            trainer.step()
    return len(trainer.history) / (time.perf_counter() - start)


def apptest_steps_per_second(preset: str, seconds: float = 3.0) -> float:
    """Steps per second of the page under AppTest, at full pace, rerun four times a second as the browser would."""
    at = open_app(PAGE)
    preset_box(at).set_value(preset).run()
    at.select_slider(key="mlp_pace").set_value("max").run()
    at.button(key="mlp_train").click().run()
    run = at.session_state.mlp_run
    start = time.perf_counter()
    # until the window ends, or the run reaches its step limit (counting on would understate the pace)
    while time.perf_counter() - start < seconds and run.training:
        at.run()
        time.sleep(max(0.0, 0.25 - (time.perf_counter() - start) % 0.25))
    steps = run.position
    elapsed = time.perf_counter() - start
    run.pause()
    return steps / elapsed


def time_to_target() -> dict[str, float]:
    """Seconds of plain micrograd_core training for Lecture to reach loss < 0.01 and the demo 100% accuracy."""
    out = {}
    trainer = make_trainer(PRESETS["Lecture"])
    start = time.perf_counter()
    while True:
        with cyclic_gc_paused():
            if trainer.step().loss < 0.01:
                break
    out["Lecture: loss < 0.01"] = time.perf_counter() - start
    out["Lecture: steps"] = len(trainer.history)
    trainer = make_trainer(PRESETS["micrograd demo"])
    start = time.perf_counter()
    while data_accuracy(trainer.model, trainer.X, trainer.y) < 1.0:
        with cyclic_gc_paused():
            trainer.step()
    out["micrograd demo: 100% training accuracy"] = time.perf_counter() - start
    out["micrograd demo: steps"] = len(trainer.history)
    return out


# Counts redraws of the loss chart (its line was drawn anew) in the page.
WATCH_JS = """() => {
  window.__redraws = 0; let last = null;
  const tick = () => {
    const lines = [...document.querySelectorAll('.st-key-mlp_loss_chart g.mark-line path')];
    const now = lines.map(p => p.getAttribute('d')).join('|');
    if (now !== last) { if (last !== null) window.__redraws++; last = now; }
    requestAnimationFrame(tick);
  };
  tick();
}"""
# A click through the DOM, at a known moment: Playwright's own click first waits for the button to
# hold still, which a page busy redrawing charts delays by up to seconds.
PAUSE_JS = "() => [...document.querySelectorAll('button')].find(b => b.innerText.trim().endsWith('Pause')).click()"


def open_page(browser, url: str):
    from tests.browser.conftest import wait_idle

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    wait_idle(page)
    page.wait_for_selector('.st-key-mlp_loss_chart [data-testid="stVegaLiteChart"] .marks')
    return page


def browser_training(trials: int) -> dict[str, float]:
    """In headless Chromium, medians of `trials`: steps and loss-chart redraws per second while training,
    the time from Pause to the Train button back (and steps taken after it), and time to the targets."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, METRIC_JS, STEP_JS, Server

    samples: dict[str, list[float]] = {}
    server = Server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            for _ in range(trials):
                for name, query, seconds in (
                    ("Lecture", "mlp_pace=max", 2.0),  # 5,000 steps, the most a run takes, come in 2.5 s
                    ("micrograd demo", DEMO_QUERY + "&mlp_pace=max", 6.0),
                    ("Lecture at the default 10 steps per update", "", 3.0),
                ):
                    page = open_page(browser, f"{server.url}/mlp_training?{query}")
                    page.evaluate(WATCH_JS)
                    page.get_by_role("button", name="Train", exact=True).click()
                    page.wait_for_function(f"() => ({STEP_JS})() >= 1", timeout=60_000)
                    start_steps, start_redraws = page.evaluate(STEP_JS), page.evaluate("window.__redraws")
                    start = time.perf_counter()
                    page.wait_for_timeout(seconds * 1000)
                    steps = page.evaluate(STEP_JS) - start_steps
                    redraws = page.evaluate("window.__redraws") - start_redraws
                    elapsed = time.perf_counter() - start
                    samples.setdefault(f"{name}: steps/s in the page", []).append(steps / elapsed)
                    samples.setdefault(f"{name}: loss-chart redraws/s", []).append(redraws / elapsed)
                    start = time.perf_counter()
                    page.evaluate(PAUSE_JS)
                    expect(page.get_by_role("button", name="Train", exact=True)).to_be_enabled(timeout=30_000)
                    back = time.perf_counter() - start
                    samples.setdefault(f"{name}: Pause to Train button back (s)", []).append(back)
                    page.wait_for_timeout(1000)  # the counter catches up with the last redraw
                    shown = page.evaluate(STEP_JS)
                    page.wait_for_timeout(1500)
                    samples.setdefault(f"{name}: steps taken 1-2.5 s after Pause", []).append(
                        page.evaluate(STEP_JS) - shown
                    )
                    page.close()
                # time to target as the class sees it: from the Train click to the number on screen
                for name, query, label, reached in (
                    ("Lecture: loss < 0.01", "mlp_pace=max", "loss, all samples",
                     "v => v !== null && v !== '–' && Number(v) < 0.01"),
                    ("micrograd demo: 100% accuracy", DEMO_QUERY + "&mlp_pace=max", "accuracy, all samples",
                     "v => v === '100%'"),
                ):
                    page = open_page(browser, f"{server.url}/mlp_training?{query}")
                    start = time.perf_counter()
                    page.get_by_role("button", name="Train", exact=True).click()
                    page.wait_for_function(f"() => ({reached})(({METRIC_JS})('{label}'))", timeout=120_000, polling=50)
                    samples.setdefault(f"{name}, in the page (s)", []).append(time.perf_counter() - start)
                    page.evaluate(PAUSE_JS)
                    expect(page.get_by_role("button", name="Train", exact=True)).to_be_enabled(timeout=30_000)
                    page.close()
            browser.close()
    finally:
        server.stop()
    return {what: statistics.median(values) for what, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the measurements in Chromium")
    parser.add_argument("--trials", type=int, default=3, help="browser trials per measurement (medians)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}")
    for what, ms in bench_mlp_training().items():
        print(f"rerun after {what:36s} median {ms:8.1f} ms")
    core = {}
    for preset in ("Lecture", "micrograd demo"):
        # alternate core and page, three rounds, to even out machine noise
        plain, page = [], []
        for _ in range(3):
            plain.append(core_steps_per_second(preset))
            page.append(apptest_steps_per_second(preset))
        c, g = statistics.median(plain), statistics.median(page)
        core[preset] = c
        bare = core_steps_per_second(preset, collector_paused=False)
        print(f"{preset:15s} steps/s: plain core {c:8.1f}, page under AppTest {g:8.1f} (overhead {1 - g / c:5.1%}); "
              f"bare loop, collector on: {bare:.1f}")
    for what, value in time_to_target().items():
        unit = "" if "steps" in what else " s"
        print(f"plain core, {what:42s} {value:8.2f}{unit}")
    if not args.no_browser:
        figures = browser_training(args.trials)
        for what, value in figures.items():
            print(f"browser, {what:58s} {value:8.2f}")
        for preset, c in core.items():
            page = figures[f"{preset}: steps/s in the page"]
            print(f"browser, {preset}: page overhead against plain core {1 - page / c:5.1%} ({page:.1f} vs {c:.1f})")


if __name__ == "__main__":
    main()
