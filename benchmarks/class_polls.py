"""A class answering a poll, end to end: the app's server, the projector in Chromium, students writing and clicking.

    python benchmarks/class_polls.py [--backend sqlite redis] [--students 200] [--browsers 10]
                                     [--window 10] [--workers 8] [--seed 1]

Per backend, one `streamlit run` of the app (its store in a temporary MICROGRAD_DATA_DIR, or in a
temporary redis-server started and stopped here when MICROGRAD_REDIS_URL is given to it). The
projector, a 1920x1080 tab, starts a class on the Class page, begins the lecture tour and clicks Next
to the first scene that asks a question, all by clicking inside the app (the teacher's token lives
only in that tab's session). Then, within one window:

- `--students` simulated students, spread over `--workers` processes, each write one answer through
  `open_store` (the server's SQLite file or Redis URL) at a random moment of the window;
- `--browsers` real students, one Chromium context each (the first one a 390x844 phone), open the join
  link before the window, then type a number and click Send at a random moment of it, and wait for
  "Sent";
- the projector's "N answers" is read from its scene bar every 0.1 s.

The simulated students join the class first, at the rate the store admits new students (a burst of
JOIN_BURST, then one every JOIN_EVERY seconds), as a room of phones joins before the first question.

An answer's latency is the time of the first poll whose count reached its rank in write order, minus
its write time (for a browser, the time of its click on Send). After the window the projector is
watched until its count reaches the answers written, or for 15 s; then Reveal is clicked and the
results dialog is awaited, and each student's page is given 20 s to show its result. The server's
memory (VmRSS of its process and any children) is sampled every 0.5 s from just before the class
starts until 2 s after the students' tabs are closed.

Printed per backend: answers written (processes / browsers), counted by the store, shown on the
projector, lost (planned - shown; target 0); latency p50/p95/max (target <= 2 s); the browsers' click
on Send to "Sent"; whether the results dialog showed, and how soon the students' pages showed their
result; the server's RSS before / peak / after; and the run's wall time. Figures only: nothing is
asserted, and the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from lessons.tour import SCENES  # noqa: E402
from server.backends import open_store  # noqa: E402
from server.store import JOIN_BURST, JOIN_EVERY, JoinsThrottled  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, Server, free_port  # noqa: E402
from tests.server.throwaway_redis import redis_server  # noqa: E402

POLL_EVERY = 0.1  # the projector's count is read this often
SETTLE = 15.0  # seconds after the window the projector is watched for the last answers
SAMPLE_EVERY = 0.5  # the server's memory
RESULT_WAIT = 20.0  # seconds a student's page is given to show its result after the click on Reveal
SCENE = next(s for s in SCENES if s.question is not None and s.question.kind == "number")
QUESTION = SCENE.question.id
TRUTH = float(SCENE.question.truth())

# The count in the teacher's scene bar, "**N** answers" (null while it is not drawn).
COUNT_JS = """() => {
  const bar = document.querySelector('.st-key-tour_bar');
  const m = bar && bar.innerText.match(/(\\d+)\\s+answers?\\b/);
  return m ? Number(m[1]) : null;
}"""
# The scene the tour's strip names, "Scene N of 27" (null while it is not drawn).
SCENE_JS = """() => {
  const bar = document.querySelector('.st-key-tour_bar');
  const m = bar && bar.innerText.match(/Scene (\\d+) of/);
  return m ? Number(m[1]) : null;
}"""
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


# ---- the server's memory ------------------------------------------------------------------------

def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """VmRSS of a process and all its descendants, in MB."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(_rss_kb(p) for p in tree) / 1024


class MemorySampler(threading.Thread):
    """Samples a process tree's RSS every SAMPLE_EVERY seconds until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.done = pid, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append(tree_rss_mb(self.pid))
            self.done.wait(SAMPLE_EVERY)

    def stop(self) -> float:
        self.done.set()
        self.join()
        self.samples.append(tree_rss_mb(self.pid))
        return self.samples[-1]


# ---- the simulated students ---------------------------------------------------------------------

def answer_value(rng: random.Random) -> str:
    """About half the class right, the rest scattered around the truth."""
    if rng.random() < 0.5:
        return f"{TRUTH:g}"
    return f"{rng.gauss(TRUTH, 3.0):.1f}"


def work(where: dict, worker: int, plan: list[tuple[float, str]], go, out) -> None:
    """One process of students: waits for (code, t0), then writes each answer at its moment.

    Reports (written at, call time) of every answer written, and the errors as text.
    """
    store = open_store(**where)
    code, t0 = go.get()
    done, errors = [], []
    for i in range(len(plan)):  # the class joins first, as a room of phones does, at the rate a class takes
        while True:
            try:
                store.join(code, f"bench-w{worker}-s{i}")
                break
            except JoinsThrottled as err:
                time.sleep(err.wait)
    for i, (offset, value) in enumerate(plan):
        time.sleep(max(0.0, t0 + offset - time.time()))
        started = time.time()
        try:
            store.answer(code, f"bench-w{worker}-s{i}", QUESTION, value)
        except Exception as err:  # a figure to report, not a reason to stop the others
            errors.append(f"{type(err).__name__}: {err}")
            continue
        written = time.time()
        done.append((written, written - started))
    out.put((done, errors))


# ---- the browsers -------------------------------------------------------------------------------

async def wait_scene(page, number: int) -> None:
    await page.wait_for_function(f"() => ({SCENE_JS})() === {number}", timeout=60_000, polling=100)
    await page.wait_for_selector(IDLE, timeout=60_000)


async def projector_to_question(page, url: str, before_class) -> str:
    """The teacher: start a class, begin the tour, Next to the question's scene. Returns the join code."""
    await page.goto(f"{url}/classroom")
    await page.wait_for_selector(IDLE, timeout=60_000)
    start = page.get_by_role("button", name="Start a class")
    await start.wait_for(timeout=60_000)
    before_class()
    await start.click()
    await page.wait_for_function("() => /classroom\\?join=[A-Z0-9]{8}/.test(document.body.innerText)",
                                 timeout=60_000, polling=100)
    code = re.search(r"classroom\?join=([A-Z0-9]{8})", await page.inner_text("body")).group(1)
    heading = await page.locator("h1").all_inner_texts()
    if code not in " ".join(heading):
        raise RuntimeError(f"the join code {code} is not in the page's big headings {heading}")
    await page.wait_for_selector(IDLE, timeout=60_000)
    await page.get_by_role("button", name="Begin the lecture tour").click()
    await wait_scene(page, 1)
    for number in range(2, SCENE.number + 1):
        await page.locator(".st-key-tour_next button").filter(visible=True).first.click()
        await wait_scene(page, number)
    await page.wait_for_function(f"() => ({COUNT_JS})() !== null", timeout=60_000, polling=100)
    return code


async def open_student(browser, url: str, code: str, phone: bool) -> dict:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
    context = await browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = await context.new_page()
    student = {"context": context, "page": page, "error": None}
    try:
        await page.goto(f"{url}/classroom?join={code}")
        await page.get_by_label("Your answer (a number)").wait_for(timeout=60_000)
        await page.wait_for_selector(IDLE, timeout=60_000)
    except Exception as err:
        student["error"] = f"opening the join link: {type(err).__name__}: {str(err).splitlines()[0]}"
    return student


async def answer_in_browser(student: dict, at: float, value: str) -> None:
    """Type `value` and click Send at time `at`; record the click and when "Sent" showed."""
    if student["error"]:
        return
    page = student["page"]
    await asyncio.sleep(max(0.0, at - time.time()))
    try:
        await page.get_by_label("Your answer (a number)").fill(value)
        student["clicked"] = time.time()
        await page.get_by_role("button", name=re.compile("Send")).click()
        await page.locator('[data-testid="stAlert"]', has_text="Sent").wait_for(timeout=30_000)
        student["sent"] = time.time()
    except Exception as err:
        student["error"] = f"sending: {type(err).__name__}: {str(err).splitlines()[0]}"


async def result_shown(student: dict, since: float) -> float | None:
    """Seconds from `since` until the student's page shows their result after the reveal (None: not in time)."""
    if student["error"]:
        return None
    try:
        await student["page"].locator('[data-testid="stAlert"]', has_text=re.compile("You said|did not answer")) \
            .first.wait_for(timeout=max(1.0, RESULT_WAIT - (time.time() - since)) * 1000)
    except Exception:
        return None
    return time.time() - since


async def watch_count(page, stop: asyncio.Event, shown: list, polls: list) -> None:
    """Read the projector's count every POLL_EVERY s; keep (time, count) when a new total first shows."""
    start, k = time.time(), 0
    while not stop.is_set():
        try:
            n = await page.evaluate(COUNT_JS)
        except Exception:  # the page is between two drawings
            n = None
        now = time.time()
        polls.append(now)
        if n is not None and (not shown or n != shown[-1][1]):
            shown.append((now, n))
        k += 1
        await asyncio.sleep(max(0.0, start + k * POLL_EVERY - time.time()))


@contextmanager
def haproxy(folder: Path, ports: list[int]):
    """HAProxy with deploy/haproxy.cfg's settings in front of the app servers on `ports`; yields its URL."""
    exe = shutil.which("haproxy")
    if exe is None:
        raise RuntimeError("haproxy is not installed (apt-get install haproxy)")
    front = free_port()
    config = (ROOT / "deploy" / "haproxy.cfg").read_text()
    config = config.replace("bind *:8080", f"bind 127.0.0.1:{front}")
    for old, port in (("127.0.0.1:8501", ports[0]), ("127.0.0.1:8502", ports[1])):
        config = config.replace(old, f"127.0.0.1:{port}")
    (folder / "haproxy.cfg").write_text(config)
    proxy = subprocess.Popen([exe, "-f", str(folder / "haproxy.cfg")], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{front}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("HAProxy did not answer") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{front}"
    finally:
        proxy.terminate()
        proxy.wait(10)


# ---- one class ----------------------------------------------------------------------------------

def quantiles(xs: list[float]) -> tuple[float, float, float]:
    if not xs:
        return float("nan"), float("nan"), float("nan")
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, int(0.95 * len(xs)))], xs[-1]


async def one_class(url: str, where: dict, args: argparse.Namespace, rng: random.Random,
                    goes: list, out, memory: MemorySampler, rss: dict) -> dict:
    r: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        projector = await (await browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()

        def before_class() -> None:
            rss["before"] = tree_rss_mb(memory.pid)
            memory.start()

        code = await projector_to_question(projector, url, before_class)
        r["code"] = code
        students = await asyncio.gather(*(open_student(browser, url, code, i == 0)
                                          for i in range(args.browsers)))
        rss["pages open"] = tree_rss_mb(memory.pid)

        shown, polls, stop = [], [], asyncio.Event()
        watcher = asyncio.create_task(watch_count(projector, stop, shown, polls))
        # the simulated students join before the window, within the class's join rate (a burst, then two a second)
        t0 = time.time() + 2.0 + max(0, args.students - JOIN_BURST) * JOIN_EVERY
        for go in goes:
            go.put((code, t0))
        browser_values = [answer_value(rng) for _ in students]
        await asyncio.gather(*(answer_in_browser(s, t0 + rng.uniform(0, args.window), v)
                               for s, v in zip(students, browser_values)))
        results = await asyncio.get_running_loop().run_in_executor(None, lambda: [out.get() for _ in goes])
        written = sorted(w for done, _ in results for w, _ in done)
        errors = [e for _, errs in results for e in errs]
        clicks = [s["clicked"] for s in students if "sent" in s]
        expected = len(written) + len(clicks)
        settle_until = max(time.time(), t0 + args.window) + SETTLE
        while time.time() < settle_until and not (shown and shown[-1][1] >= expected):
            await asyncio.sleep(POLL_EVERY)
        await asyncio.sleep(2 * POLL_EVERY)
        stop.set()
        await watcher
        r["settled after"] = (shown[-1][0] - (t0 + args.window)) if shown else float("nan")
        r["store count"] = open_store(**where).count(code, QUESTION)

        # reveal: the results dialog, and the students' pages showing the result
        reveal_started = time.time()
        try:
            await projector.locator(".st-key-class_reveal button").filter(visible=True).first.click(timeout=30_000)
            await projector.locator('[role="dialog"]', has_text="right").wait_for(timeout=30_000)
            r["reveal"] = f"OK, results dialog after {time.time() - reveal_started:.2f} s"
            dialog = await projector.locator('[role="dialog"]').inner_text()
            verdict = re.search(r"The answer: .*", dialog)
            r["verdict"] = verdict.group(0) if verdict else ""
        except Exception as err:
            r["reveal"] = f"NOT SHOWN ({type(err).__name__}: {str(err).splitlines()[0]})"
            r["verdict"] = ""
        r["students saw result"] = [t for t in await asyncio.gather(*(result_shown(s, reveal_started)
                                                                       for s in students)) if t is not None]
        for s in students:
            await s["context"].close()
        await asyncio.sleep(2.0)
        rss["after"] = memory.stop()
        await browser.close()

    # every answer, dated by its write (or its click on Send), matched by rank to the projector's count
    times = sorted(written + clicks)
    latency = []
    for i, at in enumerate(times, 1):
        first = next((t for t, n in shown if n >= i), None)
        if first is not None:
            latency.append(max(0.0, first - at))
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    r.update({
        "written": len(written), "clicked": len(clicks), "expected": expected, "errors": errors,
        "browser errors": [s["error"] for s in students if s["error"]],
        "shown": shown[-1][1] if shown else 0, "latency": quantiles(latency), "unmatched": len(times) - len(latency),
        "sent": quantiles([s["sent"] - s["clicked"] for s in students if "sent" in s]),
        "call": quantiles([c for done, _ in results for _, c in done]),
        "polls": len(polls), "poll gap": quantiles(gaps),
    })
    return r


def run_backend(backend: str, args: argparse.Namespace) -> None:
    wall = time.time()
    rng = random.Random(args.seed)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="class_polls_")))
        env = {k: v for k, v in os.environ.items() if k != "MICROGRAD_REDIS_URL"}
        env["MICROGRAD_DATA_DIR"] = str(folder)
        if backend in ("redis", "redis-haproxy"):
            url = stack.enter_context(redis_server())
            env["MICROGRAD_REDIS_URL"] = url
            where = {"redis_url": url}
        else:
            where = {"path": folder / "classes.sqlite3"}

        # the student processes start before the server and the browser (nothing to fork from but this)
        per_worker = [args.students // args.workers + (w < args.students % args.workers) for w in range(args.workers)]
        plans = [sorted((rng.uniform(0, args.window), answer_value(rng)) for _ in range(n)) for n in per_worker]
        context = multiprocessing.get_context("fork")
        out = context.Queue()
        goes = [context.Queue() for _ in plans]
        workers = [context.Process(target=work, args=(where, w, plan, go, out), daemon=True)
                   for w, (plan, go) in enumerate(zip(plans, goes))]
        for w in workers:
            w.start()
        stack.callback(lambda: [w.terminate() for w in workers if w.is_alive()])

        server = Server(env=env, log=folder / "server.log")
        stack.callback(server.stop)
        base = server.url
        if backend == "redis-haproxy":  # a second app server, and HAProxy sending each browser back to its own
            second = Server(env=env, log=folder / "server2.log")
            stack.callback(second.stop)
            base = stack.enter_context(haproxy(folder, [server.port, second.port]))
        memory, rss = MemorySampler(server.proc.pid), {}
        r = asyncio.run(one_class(base, where, args, rng, goes, out, memory, rss))
        for w in workers:
            w.join(10)
        log = (folder / "server.log").read_text(errors="replace")
    peak = max(memory.samples + [rss["before"]])
    wall = time.time() - wall

    planned = args.students + args.browsers
    lost = planned - r["shown"]
    seen = r["students saw result"]
    print(f"{backend}: class {r['code']}, question {QUESTION!r} (scene {SCENE.number})")
    print(f"    answers written {r['expected']} ({r['written']} by processes / {r['clicked']} by browsers), "
          f"counted by the store {r['store count']}, shown on the projector {r['shown']}, "
          f"lost {lost} (of {planned} planned; target 0)")
    if r["errors"] or r["browser errors"]:
        failed = sorted(set(r["errors"]))[:3] + r["browser errors"][:3]
        print(f"    failed: {len(r['errors'])} process writes, {len(r['browser errors'])} browsers: "
              + "; ".join(failed))
    p50, p95, top = r["latency"]
    print(f"    latency, write -> count shown:   p50 {p50:5.2f} s  p95 {p95:5.2f} s  max {top:5.2f} s"
          + (f"  ({r['unmatched']} answers never counted)" if r["unmatched"] else "") + "  (target <= 2 s)")
    p50, p95, top = r["sent"]
    print(f"    browsers, Send click -> 'Sent': p50 {p50:5.2f} s  p95 {p95:5.2f} s  max {top:5.2f} s")
    p50, p95, top = r["call"]
    print(f"    processes, answer() call:       p50 {p50 * 1000:5.1f} ms p95 {p95 * 1000:5.1f} ms "
          f"max {top * 1000:5.1f} ms")
    print(f"    projector: {r['polls']} polls, gap p50 {r['poll gap'][0]:.2f} s max {r['poll gap'][2]:.2f} s; "
          f"last new total {r['settled after']:+.2f} s after the window closed")
    print(f"    reveal: {r['reveal']}" + (f"; \"{r['verdict']}\"" if r["verdict"] else "")
          + f"; students' pages showing their result: {len(seen)} of {args.browsers}"
          + (f" (after p50 {statistics.median(seen):.2f} s, max {max(seen):.2f} s)" if seen else ""))
    print(f"    server RSS: before {rss['before']:.0f} MB, peak {peak:.0f} MB, after {rss['after']:.0f} MB "
          f"({len(memory.samples)} samples; {rss['pages open']:.0f} MB once the students' pages were open)")
    tracebacks = log.count("Traceback")
    if tracebacks:
        print(f"    server log: {tracebacks} tracebacks, the first:\n        "
              + "\n        ".join(log[log.index("Traceback"):].splitlines()[:12]))
    print(f"    wall time {wall:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", nargs="+", choices=["sqlite", "redis", "redis-haproxy"],
                        default=["sqlite", "redis"],
                        help="redis-haproxy: two app servers sharing one Redis behind HAProxy (deploy/haproxy.cfg)")
    parser.add_argument("--students", type=int, default=200, help="simulated students (processes)")
    parser.add_argument("--browsers", type=int, default=10, help="students in Chromium")
    parser.add_argument("--window", type=float, default=10.0, help="seconds in which everyone answers")
    parser.add_argument("--workers", type=int, default=8, help="processes of simulated students")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {args.students} students over "
          f"{args.workers} processes + {args.browsers} in Chromium, within {args.window:g} s; "
          f"projector read every {POLL_EVERY:g} s")
    for backend in args.backend:
        run_backend(backend, args)


if __name__ == "__main__":
    main()
