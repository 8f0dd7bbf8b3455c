"""An unfriendly visitor against a real app server: what can one client, or one with many addresses, take?

    python benchmarks/attacks.py [--minutes 1] [--skip training]

It starts its own `streamlit run` of the app (an empty class store in a temporary folder) and plays a
visitor with a script: each websocket connection is a fresh Streamlit session with no cookies, speaking
Streamlit's protocol as benchmarks/class_load.py does. The server tells clients apart by address
(ui/classroom.py: client_key), behind a proxy by the last address in X-Forwarded-For; these connections
come from 127.0.0.1, which the app takes for a proxy, so that header plays a remote visitor: one fixed
address for "one client", a new one per connection for "many addresses". Three questions:

1. classes: Start on the Class page from one address, then from many until the store is full; a real
   teacher then; with a teacher passcode set, starts without it and wrong guesses (one address, many).
2. students: made-up students joining one class from fresh sessions, then the teacher locking it.
3. training: Train on the MLP page with the largest network, each tab on a model seed of its own (a run
   of its own), from one address and then from many; the server's memory.

Every figure is read from the server's pages or the class store, never assumed; nothing is asserted.
About 9 minutes with the defaults.
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

# class_load imports the app's views, whose caches warn that no server runs them (none runs in this process)
logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = True
from benchmarks.class_load import rss_mb  # noqa: E402
from lessons.mlp.settings import MAX_HIDDEN_LAYERS, MAX_NEURONS, MAX_POINTS, RunSettings, effective_batch  # noqa: E402
from lessons.mlp.trajectory import Trajectory  # noqa: E402
from server import store as limits  # noqa: E402
from server.backends import open_store  # noqa: E402
from server.scheduler import Scheduler  # noqa: E402
from server.store import ClassStore  # noqa: E402
from tests.browser.conftest import Server  # noqa: E402

ONE = "203.0.113.7"  # "one client" (a documentation address, RFC 5737)
_addresses = itertools.count(1)
PASSCODE = "correct horse battery staple"
CLASS_TITLE = re.compile(r"Class ([A-Z0-9]{8})")
TRAINING_NOW = re.compile(r"(\d+) students are training on this server")  # the scheduler's own count
FULL, MEMORY = "training for as many students as it can", "as many training runs as its memory allows"
# the largest network a link can ask for; each tab adds a seed of its own, so that no two tabs share a run
BIGGEST = {"mlp_dataset": "moons", "mlp_n_points": MAX_POINTS, "mlp_layers": MAX_HIDDEN_LAYERS,
           "mlp_neurons": MAX_NEURONS, "mlp_pace": "max"}


def fresh_address() -> str:
    """A new address at each call (in 198.18.0.0/15, the benchmarking range): "many addresses"."""
    return f"198.{18 + (i := next(_addresses)) // 62500}.{i // 250 % 250}.{i % 250 + 1}"


def plain(markdown: str) -> str:
    """The text of Markdown the app escaped (ui/text.py: literal)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("\u2060", "").replace("&#32;", " "))


class Visitor:
    """One browser tab with no cookies: a websocket to the app, so a fresh Streamlit session, from `address`."""

    def __init__(self, port: int, page: str, query: str = "", address: str = ONE) -> None:
        self.port, self.page, self.query, self.address = port, page, query, address
        self.page_hash = ""  # the page's script, once the server has named it (a browser sends it back)
        self.widgets: dict[str, str] = {}  # a button's key or label, a text input's label -> widget id
        self.texts: list[str] = []  # headings, alerts and Markdown drawn by the last request
        self.alerts: list[str] = []  # the alerts among them
        self.fragments: dict[str, float] = {}  # the page's timed fragments: id -> interval
        self.steps: list[int] = []  # the MLP page's step counter, at each redraw
        self.full_run, self.runs = True, 0  # runs: every script run the server made for this tab

    async def __aenter__(self) -> Visitor:
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream", max_size=None,
                                           additional_headers={"X-Forwarded-For": self.address})
        await self.run()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()  # the session ends with it, as a closed tab's does

    async def run(self, press: str | None = None, values: dict[str, str] | None = None,
                  fragment: str | None = None) -> list[str]:
        """Rerun the page as a browser does: pressing `press` (a form's submit button travels with its text
        inputs' `values`) or re-running a timed `fragment`. Returns the texts drawn until the run is over."""
        msg = BackMsg()
        run = msg.rerun_script
        run.query_string, run.page_script_hash = self.query, self.page_hash
        run.page_name = "" if self.page_hash else self.page
        for label, value in (values or {}).items():
            state = run.widget_states.widgets.add()
            state.id, state.string_value = self.widgets[label], value
        if press is not None:  # a button press: its trigger, true for this one run
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
        """Take in one message; True when the run asked for is over (not cut short by st.rerun)."""
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session" and self.full_run:  # sent before every run; a fragment's run keeps the timers
            self.fragments.clear()  # a full run: the page declares its timers again
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
            if what == "button":  # by label, and by key (the end of its id)
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
        self.runs += kind == "script_finished"
        if kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.full_run = True  # st.rerun(): a full run follows
            return False
        return kind == "script_finished"


async def flood(who: str, attempt: Callable[[], Awaitable[str]], seconds: float, good: str,
                stop: Callable[[Counter], bool] = lambda outcomes: False) -> tuple[Counter, float]:
    """`attempt()` again and again from 4 connections at once, for `seconds` or until `stop(outcomes)`; prints
    a row: tries, how many got `good`, the time taken, and every other answer."""
    outcomes, began = Counter(), time.monotonic()

    async def worker() -> None:
        while time.monotonic() - began < seconds and not stop(outcomes):
            outcomes[await attempt()] += 1

    await asyncio.gather(*(worker() for _ in range(4)))
    row(who, outcomes.total(), outcomes[good], f"{time.monotonic() - began:.1f} s", said(outcomes, good))
    return outcomes, time.monotonic() - began


def said(outcomes: Counter, leave: str) -> str:
    """What the server said, most often first: '"message" x12; ...'."""
    return "; ".join(f'"{text}" x{n}' for text, n in outcomes.most_common() if text != leave) or "-"


def row(who: str, tries: object, got: object, took: str, answers: str) -> None:
    print(f"  {who:<34} {tries!s:>6} {got!s:>8} {took:>11}  {answers}")


def count(path: Path, query: str) -> int:
    """A count read in the store's SQLite file directly."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute(query).fetchone()[0]


# ---- 1. classes --------------------------------------------------------------------------------

async def start(port: int, address: str, store: ClassStore, passcode: str | None = None) -> str:
    """A fresh tab presses "Start a class": "started" (the class checked in the store) or what the page said."""
    async with Visitor(port, "classroom", address=address) as tab:
        texts = await tab.run(press="Start a class", values={"Teacher passcode": passcode} if passcode else {})
    code = next((m.group(1) for text in texts if (m := CLASS_TITLE.fullmatch(text))), None)
    if code is not None:
        return "started" if store.state(code) is not None else f"page shows class {code}, the store has not"
    return tab.alerts[0] if tab.alerts else "(nothing said)"


async def classes(args: argparse.Namespace, env: dict[str, str], data: Path) -> list[str]:
    print(f"\n1. Classes a visitor can start (store limits: {limits.MAX_CLASSES_PER_OWNER} per address, "
          f"{limits.MAX_CLASSES} per server; 4 tabs at a time)")
    row("visitor", "tries", "started", "time", "the server's answers")
    file = data / "classes.sqlite3"
    server, store = Server(env=env, log=data / "server.log"), open_store(path=file)  # the server's store, read here
    try:
        one, _ = await flood(f"one address, {args.window:.0f} s", lambda: start(server.port, ONE, store),
                             args.window, "started")
        _, took = await flood("many addresses, a new one per tab", lambda: start(server.port, fresh_address(), store),
                              600, "started", stop=lambda outcomes: outcomes.total() > outcomes["started"])
        full = count(file, "SELECT count(*) FROM classes")
        teacher = await start(server.port, fresh_address(), store)
        row("a real teacher, a new address", 1, int(teacher == "started"), "", teacher)
        # IDLE_RELEASE_SECONDS later without their teacher: the same store read with its clock that far ahead
        ahead = limits.IDLE_RELEASE_SECONDS + 1
        code, _ = open_store(path=file, clock=lambda: time.time() + ahead).create(owner="a real teacher")
        released = count(file, "SELECT count(*) FROM tombstones WHERE reason = 'released'")
        now_open = count(file, "SELECT count(*) FROM classes")
        print(f"  store: {full} classes, full after {took:.0f} s. {ahead} s later with no teacher seen, a real "
              f"teacher's create() opens class {code} by releasing {released} idle one ({now_open} open)")
    finally:
        server.stop()
    summary = [f"classes one address can start: {one['started']} in {args.window:.0f} s (then: {said(one, 'started')})",
               f"classes many addresses can start: {full} (the whole store) in {took:.0f} s; a real teacher then gets "
               f"\"{teacher}\" until a class has been idle {limits.IDLE_RELEASE_SECONDS // 60} min"]
    # the same with a teacher passcode set, on a fresh store
    data = Path(tempfile.mkdtemp(dir=data))
    server = Server(env={**env, "MICROGRAD_DATA_DIR": str(data), "MICROGRAD_TEACHER_PASSCODE": PASSCODE},
                    log=data / "server.log")
    store = open_store(path=data / "classes.sqlite3")
    try:
        print("  with MICROGRAD_TEACHER_PASSCODE set:")
        none, _ = await flood("no passcode, many addresses", lambda: start(server.port, fresh_address(), store), 5,
                              "started")
        wrong, _ = await flood(f"wrong passcode, one address, {args.window:.0f} s",
                               lambda: start(server.port, ONE, store, "guess"), args.window, "started")
        guesses, _ = await flood("wrong passcode, many addresses",
                                 lambda: start(server.port, fresh_address(), store, "guess"), 10, "started")
        right = await start(server.port, fresh_address(), store, PASSCODE)
        row("the right passcode, a new address", 1, int(right == "started"), "", right)
        print(f"  classes in this store: {count(data / 'classes.sqlite3', 'SELECT count(*) FROM classes')}")
    finally:
        server.stop()
    checked = sum(n for text, n in wrong.items() if "not this app's" in text)
    return summary + [f"classes without the passcode: {none['started'] + wrong['started'] + guesses['started']}; "
                      f"guesses one address gets checked: {checked} in {args.window:.0f} s (the rest: \"Too many wrong "
                      f"passcodes\"); from a new address each, every guess is checked ({guesses.total()} in 10 s)"]


# ---- 2. students -------------------------------------------------------------------------------

async def join(port: int, code: str, runs: list[int] | None = None) -> str:
    """A fresh tab opens the class's join link: "in", or what it showed while held back (its page then tries
    again by itself: `runs` gets the script runs the server made for the tab until the page settled)."""
    async with Visitor(port, "classroom", urlencode({"join": code}), ONE) as tab:
        if tab.alerts and runs is not None:
            runs.append(tab.runs)
        return tab.alerts[0] if tab.alerts else "in"


async def students(args: argparse.Namespace, env: dict[str, str], data: Path) -> list[str]:
    print(f"\n2. Made-up students a visitor adds to one class (store limits per class: {limits.JOIN_BURST} at once, "
          f"then one every {limits.JOIN_EVERY} s; {limits.MAX_STUDENTS} in all; 4 tabs at a time)")
    server, store = Server(env=env, log=data / "server.log"), open_store(path=data / "classes.sqlite3")
    try:
        code, token = store.create(owner="a teacher")  # the teacher's class, started in the store directly
        row("visitor", "tabs", "in", "time", "the server's answers")
        runs: list[int] = []
        got, took = await flood(f"one address, {args.window:.0f} s", lambda: join(server.port, code, runs),
                                args.window, "in")
        joined = store.state(code).joined
        print(f"  store: {joined} joined, {joined / took * 60:.0f} a minute ({got.total() / took:.1f} tabs a second "
              "opened). The bucket is the class's, whatever the address: a real student joining meanwhile waits too")
        if runs:
            retry = ("it tries again when its 1 s timer fires" if max(runs) == 1 else
                     "its page tries again by itself at once, not a second later")
            print(f"  a tab held back ran the page {sum(runs) / len(runs):.0f} times on average (at most {max(runs)}) "
                  f"before it settled: {retry}")
        store.lock(code, token, True)
        locked = await join(server.port, code)
        print(f"  the teacher locks the class: a new tab is told \"{locked}\"; joined {store.state(code).joined}")
    finally:
        server.stop()
    held = f", {sum(runs) / len(runs):.0f} script runs each" if runs else ""
    return [f"students one visitor adds to a class: {joined} in {took:.0f} s ({joined / took * 60:.0f}/min; "
            f"{len(runs)} tabs held back by \"{next((t for t in got if t != 'in'), '-')}\"{held}); once the teacher "
            f"locks it: \"{locked}\""]


# ---- 3. training -------------------------------------------------------------------------------

async def keep_alive(tab: Visitor, until: float) -> None:
    """Re-run the page's timed fragments when due, as a browser's timers do, one request at a time."""
    due: dict[str, float] = {}
    while time.monotonic() < until:
        now = time.monotonic()
        for fragment, every in tab.fragments.items():
            due.setdefault(fragment, now + every)
        for fragment in [f for f in due if f not in tab.fragments]:
            del due[fragment]
        if not due:  # not training: nothing is redrawn
            await asyncio.sleep(0.5)
            continue
        fragment = min(due, key=due.__getitem__)
        await asyncio.sleep(max(0.0, min(due.pop(fragment), until) - now))
        if time.monotonic() < until:
            await tab.run(fragment=fragment)


def status(tab: Visitor) -> str:
    """What the page says of its run (ui/parts/mlp/live.py: status): refused ("full", "memory"), or training."""
    refused = [why for why, text in (("full", FULL), ("memory", MEMORY)) if any(text in t for t in tab.texts)]
    return refused[0] if refused else "training" if tab.fragments else "not training"  # a page redraws while it trains


async def trainers(port: int, n: int, address: Callable[[], str], hold: float) -> dict:
    """n tabs open the MLP page (8 at a time) and press Train; all stay `hold` seconds after the last one has.
    Then a real student (a new address, the lecture's small network) presses Train too."""
    gate, all_in = asyncio.Semaphore(8), asyncio.Event()
    seen = {"pressed": Counter(), "ended": Counter(), "most": 0, "steps": 0, "opened": 0, "began": time.monotonic()}

    async def tab(seed: int) -> None:
        async with contextlib.AsyncExitStack() as stack:
            async with gate:
                page = await stack.enter_async_context(
                    Visitor(port, "mlp_training", urlencode({**BIGGEST, "mlp_model_seed": seed}), address()))
                await page.run(press="mlp_train")
                seen["pressed"][status(page)] += 1
                seen["opened"] += 1
                if seen["opened"] == n:
                    seen["took"], seen["until"] = time.monotonic() - seen["began"], time.monotonic() + hold
                    all_in.set()
            # a run lives while its tab is connected and drawn every 5 minutes: the redraws wait for the last
            # tab, which would take minutes to open on a server redrawing forty
            await all_in.wait()
            first = (page.steps or [0])[-1]
            await keep_alive(page, seen["until"])
            seen["most"] = max([seen["most"], *(int(m.group(1)) for t in page.texts if (m := TRAINING_NOW.search(t)))])
            seen["steps"] += (page.steps or [0])[-1] - first
            seen["ended"][status(page)] += 1

    async def real_student() -> None:
        await all_in.wait()
        async with Visitor(port, "mlp_training", "mlp_pace=fast", fresh_address()) as page:
            await page.run(press="mlp_train")
            seen["real"] = status(page)

    await asyncio.gather(*(tab(seed) for seed in range(n)), real_student())
    return seen


async def training(args: argparse.Namespace, env: dict[str, str], data: Path) -> list[str]:
    limit = Scheduler(Trajectory, worker=False)  # the server's scheduler is made with these defaults
    biggest = RunSettings(dataset="moons", n_points=MAX_POINTS, layers=MAX_HIDDEN_LAYERS, neurons=MAX_NEURONS)
    print(f"\n3. Training a visitor takes (scheduler limits: {limit.max_training} training, {limit.max_per_owner} per "
          f"address, {limit.max_bytes / 2**20:.0f} MiB of run states)\n  each tab: {urlencode(BIGGEST)}"
          "&mlp_model_seed=<its "
          f"own>, minibatches of {effective_batch(biggest)} (MAX_WORK), {Trajectory(biggest).nbytes / 2**20:.1f} MiB "
          "of states from the start; a fresh server for each visitor")
    rows, summary, visitors = [], [], (("one address", lambda: ONE), ("many addresses", fresh_address))
    for (who, address), n in zip(visitors, args.tabs):
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
        # every tab closed: its run stops within 10 s and Streamlit keeps its session 120 s; the next visitor
        # plays on another server meanwhile
        rows.append((who, n, seen, before, peak, server, time.monotonic() + 60))
    row("visitor", "tabs", "training", "RSS MB", "pressing Train gave | at the end | the server said")
    for who, n, seen, before, peak, server, later in rows:
        await asyncio.sleep(later - time.monotonic())
        after = rss_mb(server.proc.pid)
        server.stop()
        row(f"{who}, opened in {seen['took']:.0f} s", n, seen["ended"]["training"],
            f"{before:.0f}/{peak:.0f}/{after:.0f}", f"{dict(seen['pressed'])} | {dict(seen['ended'])} | up to "
            f"{seen['most']} training; {seen['steps']} steps in {args.hold:.0f} s; a real student: {seen['real']}")
        refused = ", ".join(f"{k} x{v}" for k, v in seen["pressed"].items() if k != "training")
        summary.append(f"training runs {who} holds: {seen['ended']['training']} of {n} tabs (refused: {refused}); a "
                       f"real student then: {seen['real']}; server RSS {before:.0f} MB before, {peak:.0f} MB peak, "
                       f"{after:.0f} MB 60 s after")
    print(f"  the tabs stay {args.hold:.0f} s after the last pressed Train, their timed fragments re-run as a "
          "browser's timers do; a real student: a new address, on the lecture's network.\n"
          "  RSS MB: before / peak / 60 s after every tab closed (Streamlit keeps a closed tab's session 120 s)")
    return summary


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="the window of each timed attack")
    parser.add_argument("--skip", nargs="*", default=[], choices=["classes", "students", "training"])
    parser.add_argument("--tabs", type=int, nargs=2, default=[60, 60], help="training tabs: one address, many")
    parser.add_argument("--hold", type=float, default=45.0, help="seconds the training tabs stay after the last")
    args = parser.parse_args()
    args.window = args.minutes * 60
    began, summary = time.monotonic(), []
    with tempfile.TemporaryDirectory(prefix="attacks-") as folder:
        for part in (classes, students, training):
            if part.__name__ not in args.skip:
                data = Path(tempfile.mkdtemp(dir=folder))  # an empty class store for each server
                env = {k: v for k, v in os.environ.items()
                       if k not in ("MICROGRAD_TEACHER_PASSCODE", "MICROGRAD_REDIS_URL", "MICROGRAD_PUBLIC_URL")}
                summary += await part(args, {**env, "MICROGRAD_DATA_DIR": str(data)}, data)
    print(f"\nSummary ({time.monotonic() - began:.0f} s):")
    for line in summary:
        print(f"  {line}")


if __name__ == "__main__":
    asyncio.run(main())
