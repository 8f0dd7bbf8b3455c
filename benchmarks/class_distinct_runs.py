"""Thirty students, thirty networks: a class where every student trains a run of their own (micrograd's demo, each
with a seed of its own), trained on the server or in each student's browser.

    python benchmarks/class_distinct_runs.py [--students 1 8 16 30] [--seconds 70] [--where server browser]
    python benchmarks/class_distinct_runs.py --device      # the student's side: a demo step in Chromium's Pyodide

Students are light clients that speak Streamlit's websocket protocol as a browser does (see class_load.py):
thirty Chromiums do not fit beside the server on two cores, and would measure this machine, not thirty phones.

- `server`: each presses Train within the same second and re-runs the live view's timed fragments when due.
  Printed: steps per student (min / median / max) and fairness (slowest over fastest), the worst student's
  time between redraws (p50 / p95 / max), all students' steps a second, the server's CPU (cores).
- `browser`: each opens the page in "in this browser", fetches the runtime files as its browser would the
  first time (gzip), presses Train, and `--seconds` later hands back a run of its own: the steps were taken
  on the student's device, so this measures what the server pays for a class training in their browsers.
  Printed: the server's CPU during the class, the runtime's bytes served per student, Train and hand-back
  round trips (p95), and the server's memory.

Both: while the class trains, a probe moves the Derivatives page's slider every 0.5 s and measures the time
until the page is drawn (p50 / p95): the pages without training must not suffer. Memory before, at its peak,
and 60 s after every student has left.

`--device` measures one student's device: Python's first load (cold, then from the browser's cache) and the
demo's step in Chromium's Pyodide, at full speed and with the CPU slowed 4× (how Lighthouse stands in for a
mid-range phone), beside the same step in CPython on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.class_load import Student, percentile, preset_query, rss_mb  # noqa: E402
from lessons.mlp import in_browser  # noqa: E402
from lessons.mlp.browser_loop import BrowserRun  # noqa: E402
from lessons.mlp.settings import PRESETS  # noqa: E402
from lessons.mlp.trajectory import Trajectory  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, Server  # noqa: E402

RUNTIME = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm.gz", "python_stdlib.zip", "pyodide-lock.json")
COMPONENT = "ui.components.browser_training.browser_training"
HANDED_STEPS = 5  # steps each student's hand-back carries (taken before the class, off the clock)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seeded_query(seed: int, where: str) -> str:
    return f"{preset_query('micrograd demo')}&mlp_model_seed={seed}&mlp_where={where}"


class Probe:
    """Moves the Derivatives page's first slider every 0.5 s; how long until the page is drawn again."""

    def __init__(self, port: int) -> None:
        self.port, self.times, self.slider, self.page_hash = port, [], "", ""

    async def run(self, until: float) -> None:
        async with websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", max_size=None) as ws:
            await self.send(ws, None)
            await self.finish(ws)
            value = 0
            while time.monotonic() < until:
                value = 1 - value
                began = time.monotonic()
                await self.send(ws, 0.5 + value)
                await self.finish(ws)
                self.times.append(time.monotonic() - began)
                await asyncio.sleep(max(0.0, 0.5 - (time.monotonic() - began)))

    async def send(self, ws, value: float | None) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = "" if self.page_hash else "derivatives"
        msg.rerun_script.page_script_hash = self.page_hash
        if value is not None and self.slider:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.slider
            state.double_array_value.data[:] = [value]
        await ws.send(msg.SerializeToString())

    async def finish(self, ws) -> None:
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "navigation" and msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "slider" and not self.slider:
                    self.slider = element.slider.id
            if kind == "script_finished":
                return


class BrowserStudent:
    """A student who trains in their own browser, as the server sees them."""

    def __init__(self, port: int, seed: int) -> None:
        self.port, self.query = port, seeded_query(seed, "browser")
        self.student = Student(port, self.query)
        self.component, self.args = "", {}
        self.bytes = 0
        self.round_trips: list[float] = []

    def fetch_runtime(self) -> None:
        """What a browser fetches the first time (later visits take it from the browser's own cache)."""
        for name in RUNTIME:
            url = f"http://127.0.0.1:{self.port}/component/{COMPONENT}/pyodide/{name}"
            request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=120) as response:
                self.bytes += len(response.read())

    def read(self, raw: bytes) -> bool:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "component_instance":
                instance = element.component_instance
                self.component, self.args = instance.id, json.loads(instance.json_args)
        return self.student.read(raw, False)

    async def rerun(self, ws, button: str | None = None, value: dict | None = None) -> None:
        began = time.monotonic()
        msg = BackMsg()
        run = msg.rerun_script
        run.query_string, run.page_script_hash = self.query, self.student.page_hash
        run.page_name = "" if self.student.page_hash else "mlp_training"
        if button:
            state = run.widget_states.widgets.add()
            state.id, state.trigger_value = button, True
        if value is not None:
            state = run.widget_states.widgets.add()
            state.id, state.json_value = self.component, json.dumps(value)
        await ws.send(msg.SerializeToString())
        while not self.read(await ws.recv()):
            pass
        self.round_trips.append(time.monotonic() - began)

    async def attend(self, start_at: float, until: float, hand_back: str) -> None:
        async with websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", max_size=None) as ws:
            await self.rerun(ws)
            await asyncio.to_thread(self.fetch_runtime)
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
            await self.rerun(ws, self.student.buttons["mlp_train"])
            run_id = self.args["run_id"]
            await asyncio.sleep(max(0.0, until - time.monotonic()))  # the steps happen on the student's device
            await self.rerun(ws, self.student.buttons["mlp_pause"])
            await self.rerun(ws, value={"run_id": run_id, "hand_back": hand_back})
            assert not self.args["showing"], "the run was not taken back"


def hand_backs(n: int) -> list[str]:
    """Each student's run after HANDED_STEPS steps of their own, as their browser would hand it back."""
    out = []
    for seed in range(1, n + 1):
        settings = replace(PRESETS["micrograd demo"], model_seed=seed)
        run = BrowserRun(in_browser.start(Trajectory(settings), 0))
        for _ in range(HANDED_STEPS):
            run.step()
        out.append(run.hand_back())
    return out


async def cpu_between(pid: int, begin: float, end: float, out: list[float]) -> None:
    """The server's CPU (cores) from `begin` to `end`: the class training, without its page loads."""
    await asyncio.sleep(max(0.0, begin - time.monotonic()))
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    out.append((cpu_seconds(pid) - cpu0) / (time.monotonic() - t0))


async def server_class(port: int, n: int, seconds: float, probe: Probe, pid: int, window: list[float]
                       ) -> list[Student]:
    students = [Student(port, seeded_query(seed, "server")) for seed in range(1, n + 1)]
    start = time.monotonic() + 3.0
    await asyncio.gather(*(s.attend(start + random.random(), start + seconds) for s in students),
                         probe.run(start + seconds), cpu_between(pid, start + 5, start + seconds, window))
    return students


async def browser_class(port: int, n: int, seconds: float, probe: Probe, backs: list[str], pid: int,
                        window: list[float]) -> list[BrowserStudent]:
    students = [BrowserStudent(port, seed) for seed in range(1, n + 1)]
    start = time.monotonic() + 5.0
    await asyncio.gather(*(s.attend(start + random.random(), start + seconds, b) for s, b in zip(students, backs)),
                         probe.run(start + seconds), cpu_between(pid, start + 5, start + seconds, window))
    return students


def measure(n: int, where: str, seconds: float, backs: list[str], after_seconds: float = 60.0) -> None:
    server = Server()
    try:
        pid = server.proc.pid
        before, cpu0, t0 = rss_mb(pid), cpu_seconds(pid), time.monotonic()
        probe = Probe(server.port)
        loop = asyncio.new_event_loop()
        window: list[float] = []
        task = loop.create_task(server_class(server.port, n, seconds, probe, pid, window) if where == "server"
                                else browser_class(server.port, n, seconds, probe, backs, pid, window))
        peak = before
        while not task.done():
            loop.run_until_complete(asyncio.sleep(0.5))
            peak = max(peak, rss_mb(pid))
        students = task.result()
        loop.close()
        cores = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        time.sleep(after_seconds)
        after = rss_mb(pid)
        slider = f"slider move drawn p50 {percentile(probe.times, 0.5):.2f} s p95 {percentile(probe.times, 0.95):.2f} s"
        memory = f"RSS MB before {before:.0f} peak {peak:.0f} {after_seconds:g} s after {after:.0f}"
        if where == "server":
            counts = [s.steps[-1][1] - s.steps[0][1] if len(s.steps) > 1 else 0 for s in students]
            rates = [s.rate() for s in students]
            fair = min(rates) / max(rates) if max(rates) else float("nan")
            worst = max(students, key=lambda s: percentile(s.intervals(), 0.95))
            gaps = worst.intervals()
            print(f"server  N={n:2d} steps per student {min(counts)} / {statistics.median(counts):g} / {max(counts)} "
                  f"fairness {fair:.2f} | worst redraw p50 {percentile(gaps, 0.5):.2f} p95 {percentile(gaps, 0.95):.2f}"
                  f" max {max(gaps, default=float('nan')):.2f} s | all {sum(rates):.1f} steps/s | server "
                  f"{window[0]:.2f} cores while training ({cores:.2f} in all) | {slider} | {memory}")
        else:
            trips = [t for s in students for t in s.round_trips]
            print(f"browser N={n:2d} server {window[0]:.2f} cores while they train ({cores:.2f} in all, with the "
                  "page loads, Train and the hand-backs) | "
                  f"runtime served {statistics.median(s.bytes for s in students) / 2**20:.1f} MB a student | "
                  f"reruns p50 {percentile(trips, 0.5):.2f} s p95 {percentile(trips, 0.95):.2f} s | {slider} | "
                  f"{memory}")
    finally:
        server.stop()


PHONE_CGROUP = Path("/sys/fs/cgroup/cpu/micrograd_phone")  # cgroup v1: a share of one core for the browser


def slow_down(share: float) -> bool:
    """Put this process (and the browser it starts) in a cgroup allowed `share` of one core; False if it cannot.

    Chromium's own CPU throttling (DevTools) slows the page's main thread, not the Web Worker that trains.
    """
    try:
        PHONE_CGROUP.mkdir(exist_ok=True)
        (PHONE_CGROUP / "cpu.cfs_period_us").write_text("100000")
        (PHONE_CGROUP / "cpu.cfs_quota_us").write_text(str(int(100000 * share)))
        (PHONE_CGROUP / "cgroup.procs").write_text(str(os.getpid()))
        return True
    except OSError:
        return False


def browser_at(url: str, share: float, steps: int) -> None:
    """One student's browser on `url`, with `share` of a core: prints its load times and step times as JSON."""
    from playwright.sync_api import sync_playwright

    if share < 1 and not slow_down(share):
        print(json.dumps({"error": "no cgroup to slow the browser down (needs root and cgroup v1's cpu controller)"}))
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        loads, times = [], []
        for visit in ("cold", "cached"):
            page = context.new_page()
            page.goto(f"{url}/mlp_training?{seeded_query(1, 'browser')}")
            page.wait_for_selector("iframe[title*='browser_training']", timeout=300_000)
            frame = next(f for f in page.frames if "browser_training" in f.url)
            frame.wait_for_function("() => document.body.dataset.loadMs", timeout=900_000)
            loads.append(int(frame.evaluate("() => document.body.dataset.loadMs")))
            if visit == "cached":
                page.get_by_role("button", name="Train", exact=True).click()
                frame.wait_for_function(f"() => (window.reports || []).length >= {steps}", timeout=1_800_000)
                times = frame.evaluate("() => window.stepTimes")
            page.close()
        browser.close()
    print(json.dumps({"loads": loads, "times": times}))


def device(throttles: list[float], steps: int) -> None:
    """One student's browser: Python's load, cold and cached, and the demo's step in Chromium's Pyodide."""
    run = BrowserRun(in_browser.start(Trajectory(PRESETS["micrograd demo"]), 0))
    cpython = []
    for _ in range(steps):
        began = time.perf_counter()
        run.step()
        cpython.append(1000 * (time.perf_counter() - began))
    here = statistics.median(cpython)
    print(f"CPython {sys.version.split()[0]} here: demo step median {here:.0f} ms ({1000 / here:.1f} steps/s)")
    server = Server()
    try:
        for throttle in throttles:
            done = subprocess.run([sys.executable, __file__, "--browser-at", server.url, "--share", str(1 / throttle),
                                   "--steps", str(steps)], capture_output=True, text=True, timeout=3600)
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            if "error" in measured:
                print(f"CPU slowed {throttle:g}×: not measured, {measured['error']}")
                continue
            median = statistics.median(measured["times"])
            cold, cached = (ms / 1000 for ms in measured["loads"])
            print(f"Chromium Pyodide, {'a whole core' if throttle == 1 else f'{1 / throttle:.0%} of a core'}: "
                  f"Python loaded in {cold:.1f} s (first visit) / {cached:.1f} s (cached); demo step median "
                  f"{median:.0f} ms ({1000 / median:.1f} steps/s), {median / here:.2f}× CPython here")
    finally:
        server.stop()
    sizes = {name: (ROOT / "ui/components/browser_training/frontend/pyodide" / name).read_bytes() for name in RUNTIME}
    raw = sum(len(b) for b in sizes.values())
    wire = sum(len(gzip.compress(b, 6)) if n.endswith((".mjs", ".json")) else len(b) for n, b in sizes.items())
    print(f"runtime: {raw / 2**20:.1f} MB on disk, {wire / 2**20:.1f} MB over the wire, once per browser where it may "
          "keep them (https, or this machine)")


def hand_back_cost(repeats: int = 5) -> None:
    """What the largest hand-back a page can send costs the server to check and take back (an unfriendly visitor
    sends made-up ones): the demo's network after a run's 5,000 steps, and the largest network's."""
    from lessons.mlp.settings import MAX_NEURONS, MIN_POINTS, RunSettings

    largest = RunSettings(dataset="moons", n_points=MIN_POINTS, layers=4, neurons=MAX_NEURONS)  # the widest it takes
    for name, settings in [("demo", PRESETS["micrograd demo"]), ("largest", largest)]:
        trajectory = Trajectory(settings)
        start = json.loads(in_browser.start(trajectory, 0))
        width, steps = len(start["data"]), trajectory.max_steps
        report = {"step": 0, "loss": 0.5, "accuracy": 0.5, "lr": 0.1, "forget_zero_grad": False, "batch": None,
                  "lr_decay": False}
        text = json.dumps({"data": [0.1] * width, "grad": [0.0] * width, "tests": [[0.5, 0.5]] * steps, "stop": None,
                           "reports": [{**report, "step": k} for k in range(1, steps + 1)]})
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            back = in_browser.hand_back(trajectory, 0, text)
            trajectory.resumed(0, back.data, back.grad, back.reports, back.tests, back.stop)
            times.append(time.perf_counter() - began)
        print(f"hand-back of the {name} network ({width} parameters) after {steps:,} steps: "
              f"{len(text) / 2**20:.1f} MB, checked and taken back in {1000 * statistics.median(times):.0f} ms "
              f"(median of {repeats})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 8, 16, 30])
    parser.add_argument("--seconds", type=float, default=70.0)
    parser.add_argument("--where", nargs="+", default=["server", "browser"], choices=["server", "browser"])
    parser.add_argument("--after", type=float, default=60.0, help="seconds after the class to measure memory")
    parser.add_argument("--device", action="store_true", help="measure one student's browser instead")
    parser.add_argument("--hand-back", action="store_true", help="measure the cost of the largest hand-back")
    parser.add_argument("--throttle", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--browser-at", help=argparse.SUPPRESS)
    parser.add_argument("--share", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.browser_at:
        browser_at(args.browser_at, args.share, args.steps)
        return
    print(f"python {sys.version.split()[0]}; micrograd demo, a seed per student; {os.cpu_count()} cores")
    if args.device:
        device(args.throttle, args.steps)
        return
    if args.hand_back:
        hand_back_cost()
        return
    backs = hand_backs(max(args.students)) if "browser" in args.where else []
    for n in args.students:
        for where in args.where:
            measure(n, where, args.seconds, backs, args.after)


if __name__ == "__main__":
    main()
