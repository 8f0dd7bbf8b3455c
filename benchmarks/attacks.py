"""An unfriendly visitor against a real app server: what can one client, or one with many addresses, take?

    python benchmarks/attacks.py [--minutes 1] [--skip training]

The script starts its own `streamlit run` of the app (its class store in a fresh temporary folder)
and plays a visitor with a script instead of a browser. Each websocket connection is a fresh
Streamlit session with no cookies, speaking Streamlit's protocol as benchmarks/class_load.py does.
The server tells clients apart by address (ui/classroom.py: client_key): behind a proxy, by the last
address in X-Forwarded-For. These connections come from 127.0.0.1, which the app takes for a
proxy, so that header plays a remote visitor: one fixed address for "one client", a new one per
connection for "many addresses".

1. classes: Start on the Class page from one address, then from many until the store is full; a
   real teacher while it is full; then, with a teacher passcode set, starts without it and wrong
   guesses from one address and from many.
2. students: made-up students joining one class from fresh sessions, then the teacher locking it.
3. training: Train on the MLP page with the largest network the settings allow, each tab on a model
   seed of its own (a run of its own), from one address and then from many; the server's memory.

Every figure is read from the server's pages or from the class store, never assumed. Nothing is
asserted: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# class_load imports the app's views, whose caches warn that no server runs them: this script runs none in-process
logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = True
from benchmarks.class_load import rss_mb  # noqa: E402
from lessons.mlp.scheduler import Scheduler  # noqa: E402
from lessons.mlp.settings import MAX_HIDDEN_LAYERS, MAX_NEURONS, MAX_POINTS  # noqa: E402
from server import store as limits  # noqa: E402
from server.store import ClassStore, open_store  # noqa: E402
from tests.browser.conftest import Server  # noqa: E402

ONE = "203.0.113.7"  # "one client" (a documentation address, RFC 5737)
_fresh = itertools.count(1)
PASSCODE = "correct horse battery staple"
CODE_TITLE = re.compile(r"Class ([A-Z0-9]{8})")
TRAINING_NOW = re.compile(r"(\d+) students are training on this server")
FULL, MEMORY = "training for as many students as it can", "as many training runs as its memory allows"
# the largest network a link can ask for: each tab adds a seed, so that no two tabs share a run
BIGGEST = {"mlp_dataset": "moons", "mlp_points": MAX_POINTS, "mlp_layers": MAX_HIDDEN_LAYERS,
           "mlp_neurons": MAX_NEURONS, "mlp_pace": "max"}
TRAIN_LIMITS = Scheduler(worker=False)  # only to read its default limits


def fresh_address() -> str:
    """A new address each call (198.18.0.0/15, the benchmarking range): "many addresses"."""
    i = next(_fresh)
    return f"198.{18 + i // 62500}.{i // 250 % 250}.{i % 250 + 1}"


def plain(markdown: str) -> str:
    """The text of Markdown the app escaped (ui/text.py: literal)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("\u2060", "").replace("&#32;", " "))


class Visitor:
    """One browser tab with no cookies: a websocket to the app, so a fresh Streamlit session, from `address`."""

    def __init__(self, port: int, page: str, query: str = "", address: str = ONE) -> None:
        self.port, self.page, self.query, self.address = port, page, query, address
        self.page_hash = ""  # the page's script, once the server has named it
        self.widgets: dict[str, str] = {}  # a button's key or label, a text input's label -> widget id
        self.texts: list[str] = []  # headings, alerts, Markdown drawn since the last request
        self.alerts: list[str] = []
        self.fragments: dict[str, float] = {}  # the page's timed fragments: id -> interval
        self.steps: list[int] = []  # the MLP page's step counter, at each redraw

    async def __aenter__(self) -> Visitor:
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", max_size=None,
                                           additional_headers={"X-Forwarded-For": self.address})
        await self.run()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def run(self, press: str | None = None, values: dict[str, str] | None = None,
                  fragment: str | None = None) -> list[str]:
        """Rerun the page as a browser does, pressing `press` with text inputs' `values` (a form's submit
        button travels with its form's values); returns the texts drawn until the run is over."""
        msg = BackMsg()
        run = msg.rerun_script
        run.query_string = self.query
        run.page_name = "" if self.page_hash else self.page
        run.page_script_hash = self.page_hash
        for label, value in (values or {}).items():
            state = run.widget_states.widgets.add()
            state.id, state.string_value = self.widgets[label], value
        if press is not None:
            state = run.widget_states.widgets.add()
            state.id, state.trigger_value = self.widgets[press], True
        if fragment is not None:
            run.fragment_id, run.is_auto_rerun = fragment, True
        self.texts, self.alerts, self.full_run = [], [], fragment is None
        await self.ws.send(msg.SerializeToString())
        async with asyncio.timeout(180):
            while not self.read(await self.ws.recv()):
                pass
        return self.texts

    def read(self, raw: bytes) -> bool:
        """Take in one message; True when the run asked for is over (not cut short by a rerun)."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session" and self.full_run:
            self.fragments.clear()  # a full run: the page declares its timers again (a fragment's run keeps them)
        elif kind == "navigation" and msg.navigation.page_script_hash:
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "auto_rerun":
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment in msg.stop_auto_rerun.fragment_ids:
                self.fragments.pop(fragment, None)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what == "button":
                self.widgets[element.button.label] = element.button.id
                self.widgets[element.button.id.rsplit("-", 1)[-1]] = element.button.id
            elif what == "text_input":
                self.widgets[element.text_input.label] = element.text_input.id
            elif what in ("heading", "alert", "markdown"):
                self.texts.append(plain(getattr(element, what).body))
                if what == "alert":
                    self.alerts.append(self.texts[-1])
            elif what == "metric" and element.metric.label == "step":
                self.steps.append(int(element.metric.body.replace(",", "")))
        if kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.full_run = True  # st.rerun(): a full run follows
            return False
        return kind == "script_finished"


async def flood(attempt: Callable[[], Awaitable[str]], seconds: float, workers: int,
                stop: Callable[[Counter], bool] = lambda seen: False) -> tuple[Counter, float]:
    """`attempt()` again and again from `workers` connections at once, for `seconds` or until `stop(outcomes)`."""
    outcomes: Counter = Counter()
    start = time.monotonic()

    async def worker() -> None:
        while time.monotonic() - start < seconds and not stop(outcomes):
            outcomes[await attempt()] += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return outcomes, time.monotonic() - start


def shown(outcomes: Counter, leave: str = "") -> str:
    """What the server said, most frequent first: '"message" x12; ...'."""
    said = [f'"{text}" x{n}' for text, n in outcomes.most_common() if text != leave]
    return "; ".join(said) or "-"


def row(who: str, tries: object, got: object, took: str, said: str) -> None:
    print(f"  {who:<34} {tries!s:>6} {got!s:>8} {took:>8}  {said}")


def classes_in(path: Path) -> int:
    """Open classes in the store's file, read directly."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute("SELECT count(*) FROM classes").fetchone()[0]


# ---- 1. classes --------------------------------------------------------------------------------

async def start(port: int, address: str, store: ClassStore, passcode: str | None = None) -> str:
    """A fresh tab presses "Start a class": "started <code>" (checked in the store) or what the page said."""
    async with Visitor(port, "classroom", address=address) as tab:
        values = {"Teacher passcode": passcode} if passcode is not None else {}
        texts = await tab.run(press="Start a class", values=values)
    code = next((m.group(1) for t in texts if (m := CODE_TITLE.fullmatch(t))), None)
    if code is not None:
        return "started" if store.state(code) is not None else f"page showed {code}, not in the store"
    return tab.alerts[0] if tab.alerts else "(nothing said)"


async def classes(args: argparse.Namespace, env: dict[str, str], data: Path) -> list[str]:
    print("\n1. Classes one visitor can start (store limits: "
          f"{limits.MAX_CLASSES_PER_OWNER} per address, {limits.MAX_CLASSES} per server)")
    row("visitor", "tries", "started", "time", "the server's answers")
    server = Server(env=env, log=data / "server.log")
    store = open_store(path=data / "classes.sqlite3")  # the server's store, read directly
    try:
        got, took = await flood(lambda: start(server.port, ONE, store), args.window, 4)
        row(f"one address, {args.window:.0f} s", got.total(), got["started"], f"{took:.1f} s", shown(got, "started"))
        summary = [f"classes one address can start: {got['started']} in {took:.0f} s (then: {shown(got, 'started')})"]
        got, took = await flood(lambda: start(server.port, fresh_address(), store), 600, 4,
                                stop=lambda seen: seen.total() > seen["started"])
        total = classes_in(data / "classes.sqlite3")
        row("many addresses, one per tab", got.total(), got["started"], f"{took:.1f} s", shown(got, "started"))
        said = await start(server.port, fresh_address(), store)
        row("a real teacher, new address", 1, int(said == "started"), "", said)
        later = open_store(path=data / "classes.sqlite3", clock=lambda: time.time() + limits.IDLE_RELEASE_SECONDS + 1)
        code, _ = later.create(owner="a real teacher")
        with contextlib.closing(sqlite3.connect(data / "classes.sqlite3")) as db:
            released = db.execute("SELECT count(*) FROM tombstones WHERE reason = 'released'").fetchone()[0]
        print(f"  store full: {total} classes after {took:.0f} s. {limits.IDLE_RELEASE_SECONDS} s later without "
              f"their teachers (a store with its clock {limits.IDLE_RELEASE_SECONDS + 1} s ahead): create() opened "
              f"{code} ({'open' if later.state(code) else 'missing'}) by releasing {released} idle class; "
              f"{classes_in(data / 'classes.sqlite3')} open")
        summary.append(f"classes many addresses can start: {total} in {took:.0f} s, the whole store (then: "
                       f"{shown(got, 'started')}); a real teacher is refused until a class has been idle "
                       f"{limits.IDLE_RELEASE_SECONDS // 60} min")
    finally:
        server.stop()
    # the same with a teacher passcode, on a fresh store
    data = Path(tempfile.mkdtemp(prefix="attacks-", dir=data))
    server = Server(env={**env, "MICROGRAD_DATA_DIR": str(data), "MICROGRAD_TEACHER_PASSCODE": PASSCODE},
                    log=data / "server.log")
    store = open_store(path=data / "classes.sqlite3")
    try:
        print("  with MICROGRAD_TEACHER_PASSCODE set:")
        got, took = await flood(lambda: start(server.port, fresh_address(), store), 5, 4)
        row("no passcode, many addresses", got.total(), got["started"], f"{took:.1f} s", shown(got, "started"))
        wrong, took = await flood(lambda: start(server.port, ONE, store, "guess"), args.window, 4)
        row(f"wrong passcode, one address, {args.window:.0f} s", wrong.total(), wrong["started"], f"{took:.1f} s",
            shown(wrong))
        many, took = await flood(lambda: start(server.port, fresh_address(), store, "guess"), 10, 4)
        row("wrong passcode, many addresses", many.total(), many["started"], f"{took:.1f} s", shown(many))
        said = await start(server.port, fresh_address(), store, PASSCODE)
        row("the right passcode, new address", 1, int(said == "started"), "", said)
        print(f"  classes in this store: {classes_in(data / 'classes.sqlite3')}")
        checked = sum(n for text, n in wrong.items() if "not this app's" in text)
        summary.append(f"passcode guesses one address gets checked: {checked} in {args.window:.0f} s (others: "
                       f"\"Too many wrong passcodes\" x{sum(n for t, n in wrong.items() if 'Too many' in t)}); "
                       f"from many addresses every guess is checked ({many.total()} in 10 s)")
    finally:
        server.stop()
    return summary


# ---- 2. students -------------------------------------------------------------------------------

async def join(port: int, code: str) -> str:
    """A fresh tab opens the class's join link: "in" or what the page said."""
    async with Visitor(port, "classroom", urlencode({"join": code}), ONE) as tab:
        return tab.alerts[0] if tab.alerts else "in"


async def students(args: argparse.Namespace, env: dict[str, str], data: Path) -> list[str]:
    print(f"\n2. Made-up students one visitor adds to one class (store limits: {limits.JOIN_BURST} at once, then one "
          f"every {limits.JOIN_EVERY} s; {limits.MAX_STUDENTS} a class)")
    server = Server(env=env, log=data / "server.log")
    store = open_store(path=data / "classes.sqlite3")
    try:
        code, token = store.create(owner="a teacher")
        got, took = await flood(lambda: join(server.port, code), args.window, 4)
        joined = store.state(code).joined
        row("visitor", "tabs", "joined", "time", "the server's answers")
        row(f"one address, {args.window:.0f} s", got.total(), joined, f"{took:.1f} s", shown(got, "in"))
        print(f"  {joined / took * 60:.0f} students a minute joined ({got.total() / took:.1f} tabs/s opened); "
              "while the bucket is empty a real student waits too (the page retries every second)")
        store.lock(code, token, True)
        said = await join(server.port, code)
        print(f"  the teacher locks the class: a new tab is told \"{said}\"; joined {store.state(code).joined}")
    finally:
        server.stop()
    return [f"students one visitor adds to a class: {joined} in {took:.0f} s ({joined / took * 60:.0f}/min), "
            f"the rest told \"{next((t for t in got if t != 'in'), '-')}\"; locking the class stops them"]


# ---- 3. training -------------------------------------------------------------------------------

async def keep_alive(tab: Visitor, hold: dict[str, float]) -> None:
    """Re-run the page's timed fragments when due, as a browser's timers do, one request at a time."""
    due: dict[str, float] = {}
    while time.monotonic() < hold["until"]:
        now = time.monotonic()
        for fragment, every in tab.fragments.items():
            due.setdefault(fragment, now + every)
        for fragment in [f for f in due if f not in tab.fragments]:
            del due[fragment]
        if not due:  # not training: nothing to redraw
            await asyncio.sleep(0.5)
            continue
        fragment = min(due, key=due.__getitem__)
        await asyncio.sleep(max(0.0, min(due.pop(fragment), hold["until"]) - now))
        if time.monotonic() < hold["until"]:
            await tab.run(fragment=fragment)


def outcome(texts: list[str], tab: Visitor) -> str:
    return "full" if any(FULL in t for t in texts) else "memory" if any(MEMORY in t for t in texts) else (
        "training" if tab.fragments else "not training")


async def trainers(port: int, n: int, address: Callable[[], str], hold_seconds: float) -> dict:
    """n tabs open the MLP page (8 at a time) and press Train; all stay until `hold_seconds` after the last one
    pressed it. Meanwhile a real student (a new address, the lecture's small network) presses Train too."""
    gate, hold, all_in = asyncio.Semaphore(8), {"until": float("inf")}, asyncio.Event()
    seen = {"pressed": Counter(), "ended": Counter(), "most": 0, "steps": 0, "opened": 0, "began": time.monotonic()}

    async def tab(seed: int) -> None:
        async with gate:
            page = await Visitor(port, "mlp_training", urlencode({**BIGGEST, "mlp_seed": seed}), address()).__aenter__()
            seen["pressed"][outcome(await page.run(press="mlp_train"), page)] += 1
            seen["opened"] += 1
            if seen["opened"] == n:
                seen["took"] = time.monotonic() - seen["began"]
                hold["until"] = time.monotonic() + hold_seconds
                all_in.set()
        try:
            # a run lives while its tab is connected and drawn every 5 minutes: the redraws wait for the last tab,
            # which would otherwise take minutes to open on a server busy redrawing forty
            await all_in.wait()
            first = page.steps[-1] if page.steps else 0
            await keep_alive(page, hold)
            counts = [int(m.group(1)) for t in page.texts if (m := TRAINING_NOW.search(t))]
            seen["most"] = max(seen["most"], *counts, 0)  # the server's own count of students training
            seen["steps"] += (page.steps[-1] if page.steps else 0) - first
            seen["ended"][outcome(page.texts, page)] += 1
        finally:
            await page.__aexit__()

    async def real_student() -> None:
        await all_in.wait()
        async with Visitor(port, "mlp_training", "mlp_pace=10", fresh_address()) as page:
            seen["real"] = outcome(await page.run(press="mlp_train"), page)

    await asyncio.gather(*(tab(seed) for seed in range(n)), real_student())
    return seen


async def rss_later(server: Server, seconds: float) -> float:
    """The server's RSS `seconds` from now; then it is stopped."""
    try:
        await asyncio.sleep(seconds)
        return rss_mb(server.proc.pid)
    finally:
        server.stop()


async def training(args: argparse.Namespace, env: dict[str, str], data: Path) -> list[str]:
    limit = TRAIN_LIMITS
    print(f"\n3. Training one visitor takes (scheduler limits: {limit.max_training} training, {limit.max_per_owner} "
          f"per address, {limit.max_bytes / 2**20:.0f} MiB of run states); network {urlencode(BIGGEST)}, a seed "
          "per tab; each on a fresh server")
    rows, summary = [], []
    for who, n, address in (("one address", args.tabs, lambda: ONE), ("many addresses", args.many, fresh_address)):
        server = Server(env=env, log=data / "server.log")
        try:
            before = peak = rss_mb(server.proc.pid)
            task = asyncio.ensure_future(trainers(server.port, n, address, args.hold))
            while not task.done():
                await asyncio.sleep(0.5)
                peak = max(peak, rss_mb(server.proc.pid))
            seen = task.result()
        except BaseException:
            server.stop()
            raise
        # every tab is closed: its run stops within 10 s, Streamlit keeps its session 120 s; the next
        # visitor plays on another server meanwhile
        rows.append((who, n, seen, before, peak, asyncio.ensure_future(rss_later(server, 60))))
    row("visitor", "tabs", "training", "RSS MB", "pressing Train gave | at the end | server said")
    for who, n, seen, before, peak, later in rows:
        after = await later
        refused = seen["pressed"] - Counter(training=seen["pressed"]["training"])
        rss = f"{before:.0f}/{peak:.0f}/{after:.0f}"
        row(f"{who}, opened in {seen['took']:.0f} s", n, seen["ended"]["training"], rss,
            f"{dict(seen['pressed'])} | {dict(seen['ended'])} | up to {seen['most']} training, {seen['steps']} "
            f"steps in all; a real student: {seen['real']}")
        summary.append(f"training runs {who} holds: {seen['ended']['training']} of {n} tabs (refused: {dict(refused)});"
                       f" a real student then: {seen['real']}; server RSS {before:.0f} MB before, {peak:.0f} MB peak, "
                       f"{after:.0f} MB 60 s after")
    print(f"  each held {args.hold:.0f} s after the last tab pressed Train, its timed fragments re-run as a browser's "
          "timers do. A real student: a new address on the lecture's network.\n"
          "  RSS MB: before / peak / 60 s after every tab closed (Streamlit keeps a closed tab's session 120 s)")
    return summary


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="the window of each timed attack")
    parser.add_argument("--skip", nargs="*", default=[], choices=["classes", "students", "training"])
    parser.add_argument("--tabs", type=int, default=60, help="training tabs from one address")
    parser.add_argument("--many", type=int, default=60, help="training tabs from many addresses")
    parser.add_argument("--hold", type=float, default=45.0, help="seconds the training tabs stay after the last")
    args = parser.parse_args()
    args.window = args.minutes * 60
    began, summary = time.monotonic(), []
    with tempfile.TemporaryDirectory(prefix="attacks-") as folder:
        for part in (classes, students, training):
            if part.__name__ in args.skip:
                continue
            data = Path(tempfile.mkdtemp(dir=folder))  # an empty class store for each server
            env = {**os.environ, "MICROGRAD_DATA_DIR": str(data)}
            env.pop("MICROGRAD_TEACHER_PASSCODE", None)
            env.pop("MICROGRAD_REDIS_URL", None)
            summary += await part(args, env, data)
    print(f"\nSummary ({time.monotonic() - began:.0f} s):")
    for line in summary:
        print(f"  {line}")


if __name__ == "__main__":
    asyncio.run(main())
