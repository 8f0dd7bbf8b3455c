"""Training in the student's browser: the browser's loop is the server's, step for step, and what comes back is
checked. `BrowserRun` runs here under CPython exactly as the browser's worker runs it under Pyodide; the browser
test (tests/browser/test_browser_training_browser.py) runs it there."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lessons.mlp import in_browser
from lessons.mlp.browser_loop import BrowserRun, script_json
from lessons.mlp.settings import PRESETS, RunSettings
from lessons.mlp.trajectory import Trajectory

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "ui" / "components" / "browser_training" / "frontend" / "pyodide"
SMALL = RunSettings(dataset="moons", n_points=20, neurons=4, test_fraction=0.3)


def run_both(settings: RunSettings, before: int, after: int) -> tuple[Trajectory, BrowserRun]:
    """A server run `before` steps in, sent to a BrowserRun that takes `after` more; the server takes them too."""
    server = Trajectory(settings)
    for _ in range(before):
        server.advance()
    browser = BrowserRun(in_browser.start(server, before))
    for _ in range(after):
        json.loads(browser.step())
    for _ in range(after):
        server.advance()
    return server, browser


@pytest.mark.parametrize("name", [n for n, s in PRESETS.items() if in_browser.unsupported(s) is None])
def test_the_browser_takes_the_servers_steps_to_the_last_bit(name):
    settings = replace(PRESETS[name], test_fraction=0.3) if PRESETS[name].dataset != "tiny" else PRESETS[name]
    server, browser = run_both(settings, 2, 3)
    back = in_browser.hand_back(server, 2, browser.hand_back())
    assert back.reports == server.reports(5)  # losses, accuracies, learning rates: equal, not close
    assert back.data == server.state(5).data.tolist() and back.grad == server.state(5).grad.tolist()
    for (loss, acc), (want_loss, want_acc) in zip(back.tests, server.tests(5)[2:], strict=True):
        assert (math.isnan(loss) and math.isnan(want_loss)) or loss == pytest.approx(want_loss, rel=1e-12)
        assert (math.isnan(acc) and math.isnan(want_acc)) or acc == want_acc


def test_a_run_taken_back_goes_on_on_the_server_as_if_it_had_never_left():
    server, browser = run_both(SMALL, 1, 4)
    back = in_browser.hand_back(server, 1, browser.hand_back())
    resumed = server.resumed(1, back)
    assert resumed.frontier == 5 and resumed.reports(5) == server.reports(5)
    assert resumed.tests(5)[:1] == server.tests(5)[:1]  # the server's own step before it was sent
    assert_both_go_on_alike(resumed, server, 3)


def assert_both_go_on_alike(resumed: Trajectory, server: Trajectory, steps: int) -> None:
    """A run taken back and the server's own take `steps` more steps: the same reports and weights, bit for bit."""
    for _ in range(steps):
        resumed.advance()
        server.advance()
    end = server.frontier
    assert resumed.reports(end) == server.reports(end)
    assert resumed.state(end).data.tolist() == server.state(end).data.tolist()


def test_the_score_over_the_plane_is_the_models_own_forward_pass():
    _, browser = run_both(SMALL, 0, 2)
    model = browser.trainer.model
    points = [(-1.0, 0.5), (0.3, -0.2), (2.0, 1.0)]
    want = [model(list(p)).data for p in points]
    assert browser.scores(points) == pytest.approx(want, rel=1e-12, abs=1e-15)
    xs, ys = [0.0, 1.0], [-1.0, 0.0, 1.0]
    assert json.loads(browser.grid(xs, ys)) == pytest.approx(browser.scores([(x, y) for y in ys for x in xs]))


def test_a_run_that_diverges_in_the_browser_comes_back_stopped_with_its_last_good_weights():
    settings = replace(SMALL, activation="relu", lr=1e6)  # explodes at its second step
    server = Trajectory(settings)
    browser = BrowserRun(in_browser.start(server, 0))
    steps = [json.loads(browser.step()) for _ in range(10)]
    ended = next(s for s in steps if "ended" in s)
    assert ended["ended"] == "diverged" and ended["what"] in ("loss", "gradients", "exploded")
    assert json.loads(browser.step()) == {"ended": "diverged"}  # it does not go on
    while server.advance():
        pass
    back = in_browser.hand_back(server, 0, browser.hand_back())
    assert back.stop == server.stopped and back.reports == server.reports(server.frontier)
    assert back.data == server.state(server.frontier).data.tolist()
    resumed = server.resumed(0, back)
    assert resumed.end() == "diverged" and not resumed.advance()


def test_what_the_browser_reports_is_json_a_script_can_read_even_when_the_loss_is_infinite():
    browser = BrowserRun(in_browser.start(Trajectory(replace(SMALL, activation="relu", lr=1e6)), 0))
    texts = [browser.step() for _ in range(3)] + [script_json({"loss": math.inf, "test": [math.nan, -math.inf]})]
    for text in texts:
        json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON a browser reads"))
    assert json.loads(texts[-1]) == {"loss": "inf", "test": ["nan", "-inf"]}


def test_a_run_stops_at_the_step_limit_the_server_keeps():
    server = Trajectory(SMALL)
    start = json.loads(in_browser.start(server, 0))
    start["max_steps"] = 3
    browser = BrowserRun(json.dumps(start))
    assert [json.loads(browser.step()).get("ended") for _ in range(4)] == [None, None, None, "step_limit"]


def test_minibatches_train_on_the_server_and_say_why():
    assert in_browser.unsupported(replace(SMALL, batch_size=4)).startswith("its minibatches")
    assert in_browser.unsupported(SMALL) is None


def test_three_classes_train_in_the_browser_as_on_the_server():
    """A score per class and cross-entropy: the browser's steps are the server's, its held-out numbers and its
    plane (the class of the largest score in each cell) the server's too."""
    settings = RunSettings(dataset="spiral3", n_points=60, layers=1, neurons=8, activation="relu",
                           loss="cross_entropy", lr=0.2, test_fraction=0.3)
    assert in_browser.unsupported(settings) is None
    server, browser = run_both(settings, 2, 3)
    back = in_browser.hand_back(server, 2, browser.hand_back())
    assert back.reports == server.reports(5) and back.data == server.state(5).data.tolist()
    for (loss, acc), (want_loss, want_acc) in zip(back.tests, server.tests(5)[2:], strict=True):
        assert loss == pytest.approx(want_loss, rel=1e-12) and acc == want_acc
    xs, ys = [-0.5, 0.0, 0.5], [-0.4, 0.4]
    model = server.model_at(5)
    want = [max(range(3), key=lambda c: model([x, y])[c].data) for y in ys for x in xs]
    assert json.loads(browser.grid(xs, ys)) == want


@pytest.mark.parametrize("optimizer", ["momentum", "Adam"])
def test_momentum_and_adam_go_to_the_browser_and_back_with_their_state(optimizer):
    """The browser goes on from the server's velocity (or m and v), and hands back its own: the run then goes
    on on the server as if it had never left, bit for bit."""
    settings = replace(SMALL, optimizer=optimizer, lr=0.02)
    assert in_browser.unsupported(settings) is None
    server, browser = run_both(settings, 3, 4)
    back = in_browser.hand_back(server, 3, browser.hand_back())
    assert back.reports == server.reports(7)
    assert back.optimiser == server.optimiser_state(7).snapshot()
    assert_both_go_on_alike(server.resumed(3, back), server, 3)


def test_an_optimisers_state_handed_back_wrong_is_refused_with_a_reason():
    server = Trajectory(replace(SMALL, optimizer="Adam", lr=0.02))
    server.advance()
    width = len(server.trainer.model.parameters())
    good = json.loads(_handed(server, 1))["optimiser"]
    cases = {
        "other parts": {"velocity": [0.0] * width},
        "malformed": {**good, "m": [0.0] * (width + 1)},
        "not all finite": {**good, "v": [math.nan] * width},
        "count of steps": {**good, "t": 99},
    }
    for says, state in cases.items():
        with pytest.raises(ValueError, match=says):
            in_browser.hand_back(server, 1, _handed(server, 1, optimiser=state))
    assert in_browser.hand_back(server, 1, _handed(server, 1)).optimiser["t"] == 2


def _handed(server: Trajectory, step: int, **changes) -> str:
    browser = BrowserRun(in_browser.start(server, step))
    browser.step()
    sent = json.loads(browser.hand_back())
    sent.update(changes)
    return json.dumps(sent)


@pytest.mark.parametrize(("text", "says"), [
    (None, "not text"),
    ("x" * (in_browser.MAX_HAND_BACK + 1), "longer than any run"),
    ("{not json", "malformed"),
    ("[]", "malformed"),
    ("{}", "malformed"),
])
def test_what_is_not_a_run_is_refused_with_a_reason(text, says):
    with pytest.raises(ValueError, match=says):
        in_browser.hand_back(Trajectory(SMALL), 0, text)


def test_a_run_handed_back_wrong_is_refused_with_a_reason():
    server = Trajectory(SMALL)
    server.advance()
    width = len(server.trainer.model.parameters())
    cases = {
        "malformed": _handed(server, 1, data=[0.0] * (width - 1)),
        "finite": _handed(server, 1, data=[math.inf] * width),
        "does not start where": _handed(server, 1, reports=[]),
        "a held-out result": _handed(server, 1, tests=[]),
        "reason a run does not have": _handed(server, 1, stop={"what": "bored", "first_loss": 1.0, "report": {
            "step": 2, "loss": 1.0, "accuracy": 0.5, "lr": 0.05, "forget_zero_grad": False, "batch": None,
            "lr_decay": False}}),
    }
    sent = json.loads(_handed(server, 1))
    sent["reports"][0]["loss"] += 1.0  # a step the server took, changed
    cases["does not start where "] = json.dumps(sent)
    sent = json.loads(_handed(server, 1))
    sent["reports"][1]["colour"] = "red"
    cases["other fields"] = json.dumps(sent)
    for says, text in cases.items():
        with pytest.raises(ValueError, match=says.strip()):
            in_browser.hand_back(server, 1, text)
    assert in_browser.hand_back(server, 1, _handed(server, 1)).reports[-1].step == 2  # and the right one is taken


def test_the_browser_needs_only_the_files_the_server_sends(tmp_path):
    """The worker has the standard library and the files in SOURCES, nothing else (no numpy, no graphviz)."""
    for path, text in in_browser.sources().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    start = in_browser.start(Trajectory(SMALL), 0)
    code = ("import json, sys; from lessons.mlp.browser_loop import BrowserRun; run = BrowserRun(sys.stdin.read()); "
            "print(json.dumps([json.loads(run.step())['loss'] for _ in range(2)])); "
            "assert 'numpy' not in sys.modules and 'graphviz' not in sys.modules")
    # -S: no site-packages; -I: nothing from the environment or the current folder
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); {code}"
    done = subprocess.run([sys.executable, "-S", "-I", "-c", code], input=start, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    here = BrowserRun(start)
    assert json.loads(done.stdout) == [json.loads(here.step())["loss"] for _ in range(2)]


def test_the_sources_sent_are_the_projects_files_as_they_are():
    for path, text in in_browser.sources().items():
        assert (ROOT / path).read_text(encoding="utf-8") == text


def test_the_vendored_runtime_is_the_one_its_checksums_name():
    """The files served are those SHA256SUMS names; the WebAssembly, unzipped, is the one npm published."""
    def sums(name: str) -> dict[str, str]:
        return dict(reversed(line.split()) for line in (RUNTIME / name).read_text().splitlines())

    served, published = sums("SHA256SUMS"), sums("SHA256SUMS.npm")
    assert set(served) == {"pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm.gz", "python_stdlib.zip",
                           "pyodide-lock.json"}
    for name, digest in served.items():
        assert hashlib.sha256((RUNTIME / name).read_bytes()).hexdigest() == digest, name
        original = name.removesuffix(".gz")
        data = (RUNTIME / name).read_bytes()
        assert hashlib.sha256(gzip.decompress(data) if name.endswith(".gz") else data).hexdigest() == published[
            original], original
    script = (ROOT / "scripts" / "vendor_pyodide.sh").read_text()
    assert f"VERSION={(RUNTIME / 'VERSION').read_text().strip()}\n" in script


def test_the_component_loads_the_runtime_from_the_app_itself():
    """No outside CDN: the worker imports the vendored runtime by a relative path, and nothing names a host."""
    frontend = RUNTIME.parent
    worker = (frontend / "worker.mjs").read_text()
    assert 'from "./pyodide/pyodide.mjs"' in worker
    for name in ("index.html", "main.js", "worker.mjs"):
        text = (frontend / name).read_text()
        assert "http://" not in text and "https://" not in text and "cdn" not in text.lower(), name
    assert shutil.which("node") is None or subprocess.run(
        ["node", "--check", str(frontend / "main.js")], capture_output=True, timeout=60).returncode == 0
