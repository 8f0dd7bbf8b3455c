"""A class on one server: N students press Train on the MLP page within a second; how live and fair is it?

    python benchmarks/class_load.py [--students 1 4 8 16 30] [--seconds 30] [--preset "micrograd demo"]

Thirty browsers do not fit on two cores beside the server, so each student is a light client that
speaks Streamlit's own websocket protocol as the browser does: it opens the page, presses Train
within the first second, and re-runs each of the page's timed fragments when its timer (`run_every`)
is due, one request in flight at a time (a browser sends each timer's request on time and the server
queues them; the work done is the same). It sends no widget values with them (the page's fragments
read the last ones). Per student it records the step shown at each redraw.

Printed per N: steps/s per student (min, median, max) and fairness (slowest over fastest), redraw
interval p50 and p95 per student, runs stopped by mistake (a run that stopped while its student was
still there), and the server's memory before, at its peak and after every student has left.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lessons.mlp.settings import PRESETS  # noqa: E402
from tests.browser.conftest import Server  # noqa: E402
from ui.parts.mlp.settings import SETTINGS  # noqa: E402


def preset_query(name: str, pace: str = "max") -> str:
    """The link that opens the MLP page on a preset."""
    preset = PRESETS[name]
    values = {s.key: s.to_url(getattr(preset, s.stands_for)) for s in SETTINGS
              if getattr(preset, s.stands_for) != s.default}
    return urlencode({**values, "mlp_pace": pace})


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Student:
    """One student's browser, reduced to what the MLP page needs from it."""

    port: int
    query: str
    steps: list[tuple[float, int]] = field(default_factory=list)  # (time, step shown) at each redraw
    redraws: list[float] = field(default_factory=list)  # times the live view finished drawing
    stopped_by_mistake: bool = False
    buttons: dict[str, str] = field(default_factory=dict)  # key -> widget id
    fragments: dict[str, float] = field(default_factory=dict)  # the page's timed fragments: id -> interval
    page_hash: str = ""  # the page's script, as the server named it: a browser sends it with every rerun

    async def send(self, ws, widget_states=(), fragment: str | None = None) -> None:
        msg = BackMsg()
        run = msg.rerun_script
        run.query_string = self.query
        # like the browser: the page's name until the server has said which script it is, then that script's hash
        run.page_name = "" if self.page_hash else "mlp_training"
        run.page_script_hash = self.page_hash
        for widget_id in widget_states:
            state = run.widget_states.widgets.add()
            state.id, state.trigger_value = widget_id, True
        if fragment is not None:
            run.fragment_id, run.is_auto_rerun = fragment, True
        await ws.send(msg.SerializeToString())

    def read(self, raw: bytes, training: bool) -> bool:
        """Take in one message from the server; True when a script run has finished."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "navigation" and msg.navigation.page_script_hash:
            self.page_hash = msg.navigation.page_script_hash  # the page st.navigation chose
        elif kind == "auto_rerun":
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                self.fragments.pop(fragment, None)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what == "button":
                self.buttons[element.button.id.rsplit("-", 1)[-1]] = element.button.id
            elif what == "metric" and element.metric.label == "step":
                self.steps.append((time.monotonic(), int(element.metric.body.replace(",", ""))))
            elif what == "alert" and training and "Training paused" in element.alert.body:
                self.stopped_by_mistake = True
        return kind == "script_finished"

    async def attend(self, start_at: float, until: float) -> None:
        async with websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", max_size=None) as ws:
            await self.send(ws)
            while True:  # the page's first run
                if self.read(await ws.recv(), False):
                    break
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
            await self.send(ws, [self.buttons["mlp_train"]])
            due: dict[str, float] = {}  # each timed fragment's next rerun
            steps_seen, running = 0, True
            while time.monotonic() < until:
                now = time.monotonic()
                for fragment, interval in self.fragments.items():
                    due.setdefault(fragment, now + interval)
                for fragment in [f for f in due if f not in self.fragments]:
                    del due[fragment]
                ready = [f for f, at in due.items() if at <= now]
                if ready and not running:
                    # one request in flight at a time: the server would run queued timers one after another anyway
                    await self.send(ws, fragment=ready[0])
                    del due[ready[0]]
                    running = True
                    continue
                timeout = until - now if running or not due else min(due.values()) - now
                try:
                    raw = await asyncio.wait_for(ws.recv(), max(0.01, timeout))
                except TimeoutError:
                    continue
                if self.read(raw, True):
                    running = False
                    # a redraw of the live view: a run that finished having drawn the step counter again
                    if len(self.steps) > steps_seen:
                        steps_seen = len(self.steps)
                        self.redraws.append(time.monotonic())

    def rate(self) -> float:
        """Steps per second while the window lasted (from its first redraw to its last)."""
        if len(self.steps) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self.steps[0], self.steps[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def intervals(self) -> list[float]:
        return [b - a for a, b in zip(self.redraws, self.redraws[1:])]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def lesson(port: int, n: int, query: str, seconds: float) -> list[Student]:
    students = [Student(port, query) for _ in range(n)]
    start = time.monotonic() + 3.0
    # everyone presses Train within the same second
    await asyncio.gather(*(s.attend(start + random.random(), start + seconds) for s in students))
    return students


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 4, 8, 16, 30])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--preset", default="micrograd demo", choices=list(PRESETS))
    parser.add_argument("--rounds", type=int, default=1, help="classes coming and going, for memory")
    args = parser.parse_args()
    query = preset_query(args.preset)
    print(f"python {sys.version.split()[0]}; preset {args.preset!r}; {args.seconds:g} s per class")
    for n in args.students:
        server = Server()
        try:
            before = rss_mb(server.proc.pid)
            peak, after = before, []
            for _ in range(args.rounds):
                task = lesson(server.port, n, query, args.seconds)
                loop = asyncio.new_event_loop()
                watcher = loop.create_task(task)
                while not watcher.done():
                    loop.run_until_complete(asyncio.sleep(0.5))
                    peak = max(peak, rss_mb(server.proc.pid))
                students = watcher.result()
                loop.close()
                time.sleep(15)  # every student gone: their runs stop, their memory is freed
                after.append(rss_mb(server.proc.pid))
            rates = [s.rate() for s in students]
            intervals = [(percentile(s.intervals(), 0.5), percentile(s.intervals(), 0.95)) for s in students]
            stops = sum(s.stopped_by_mistake for s in students)
            fair = min(rates) / max(rates) if max(rates) else float("nan")
            print(f"N={n:3d} steps/s per student min {min(rates):6.2f} median {statistics.median(rates):6.2f} "
                  f"max {max(rates):6.2f} fairness {fair:4.2f} | redraw interval p50 "
                  f"{statistics.median(i[0] for i in intervals):5.2f} s, p95 (worst student) "
                  f"{max(i[1] for i in intervals):5.2f} s | stopped by mistake {stops} | RSS MB before {before:5.0f} "
                  f"peak {peak:5.0f} after {' / '.join(f'{a:.0f}' for a in after)}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
