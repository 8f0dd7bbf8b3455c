"""The class store alone under a class's poll: 200 students answer within 10 s while the projector counts.

    python benchmarks/class_polls_store.py [--backend sqlite redis] [--students 200] [--workers 8]
                                           [--seconds 10] [--rounds 1] [--seed 1]

The students are spread over worker processes (as over app servers), each writing through its own
`open_store`; each student answers at a random moment of the window, and a third of them change
their answer once, later in the window. One reader, the projector, polls every 0.1 s: count(), as the
teacher's strip does, then answers(), as the reveal does. Every written value is unique, so the
first poll whose answers() holds it dates each write; count() is checked against the first answers
in the order they were written. Redis runs in a temporary redis-server started and stopped here.

Printed per backend and round: answers written (first answers + changes) and counted at the end
(lost = students who answered - counted; target 0), final values that are not a student's last
one, latency from a write to the first poll that shows it, p50/p95/max (target <= 2 s), the time
of an answer() call, and the store's size (SQLite file with its WAL, or Redis memory used).
With several rounds, the medians over rounds follow.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from server.backends import open_store  # noqa: E402
from tests.server.throwaway_redis import redis_server  # noqa: E402

POLL_EVERY = 0.1
TAIL = 3.0  # seconds the projector keeps polling after the window, to see the last answers arrive
QUESTION = "q1"


def plan(worker: int, students: int, seconds: float, rng: random.Random) -> list[tuple[float, str, str]]:
    """(offset in the window, student, value) of every write of one worker's students, in time order."""
    writes = []
    for i in range(students):
        student, first = f"w{worker}-s{i}", rng.uniform(0, seconds)
        writes.append((first, student, f"{student}:{rng.choice('ABCD')}1"))
        if rng.random() < 1 / 3:  # changes their mind once, later in the window
            writes.append((rng.uniform(first, seconds), student, f"{student}:{rng.choice('ABCD')}2"))
    return sorted(writes)


def work(where: dict, code: str, writes: list[tuple[float, str, str]], t0: float, out) -> None:
    """One worker process: its students' writes at their moments; reports (student, value, written at, call time)."""
    store, done = open_store(**where), []
    for offset, student, value in writes:
        time.sleep(max(0.0, t0 + offset - time.time()))
        started = time.time()
        store.answer(code, student, QUESTION, value)
        written = time.time()
        done.append((student, value, written, written - started))
    out.put(done)


def quantiles(xs: list[float]) -> tuple[float, float, float]:
    if not xs:
        return float("nan"), float("nan"), float("nan")
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, int(0.95 * len(xs)))], xs[-1]


def redis_memory(where: dict) -> int:
    with redis.Redis.from_url(where["redis_url"]) as client:
        return client.info("memory")["used_memory"]


def store_size(where: dict, redis_before: int) -> str:
    if "redis_url" in where:
        used = redis_memory(where)
        return f"Redis used_memory {used / 1024:.0f} KiB, {(used - redis_before) / 1024:.0f} KiB more than before"
    files = sorted(Path(where["path"]).parent.glob(Path(where["path"]).name + "*"))
    return "SQLite " + " + ".join(f"{p.name} {p.stat().st_size / 1024:.0f} KiB" for p in files)


def one_round(where: dict, args: argparse.Namespace, seed: int) -> dict:
    rng = random.Random(seed)
    redis_before = redis_memory(where) if "redis_url" in where else 0
    store = open_store(**where)
    code, token = store.create()
    store.set_scene(code, token, 1, QUESTION)
    per_worker = [args.students // args.workers + (w < args.students % args.workers) for w in range(args.workers)]
    plans = [plan(w, n, args.seconds, rng) for w, n in enumerate(per_worker)]

    context = multiprocessing.get_context("fork")
    out = context.Queue()
    t0 = time.time() + 1.0  # the workers start (and open their stores) before the window opens
    workers = [context.Process(target=work, args=(where, code, p, t0, out)) for p in plans]
    for w in workers:
        w.start()

    polls = []  # (time the poll finished, count, answers)
    k = 0
    while time.time() < t0 + args.seconds + TAIL:
        time.sleep(max(0.0, t0 + k * POLL_EVERY - time.time()))
        k += 1
        n = store.count(code, QUESTION)
        values = store.answers(code, QUESTION)
        polls.append((time.time(), n, set(values)))
    done = [row for _ in workers for row in out.get()]
    for w in workers:
        w.join()

    latest = {}  # each student's last value, by write time
    for student, value, _, _ in sorted(done, key=lambda r: r[2]):
        latest[student] = value
    stored = {value.rsplit(":", 1)[0]: value for value in store.answers(code, QUESTION)}
    counted = store.count(code, QUESTION)

    shown, unseen = [], 0  # every write, dated by the first poll whose answers() holds it
    for student, value, written, _ in done:
        at = next((t for t, _, values in polls if value in values), None)
        if at is None:
            unseen += value == latest[student]  # an overwritten value may never be seen, rightly
        else:
            shown.append(max(0.0, at - written))
    firsts = sorted(w for student, value, w, _ in done if value.endswith("1"))  # the i-th first answer counted...
    by_count = []
    for i, written in enumerate(firsts, 1):  # ...by the first poll whose count reaches i
        at = next((t for t, n, _ in polls if n >= i), None)
        if at is not None:
            by_count.append(max(0.0, at - written))

    size = store_size(where, redis_before)
    store.end(code, token)
    return {
        "written": len(done), "students": len(latest), "counted": counted, "lost": len(latest) - counted,
        "wrong": sum(stored.get(student) != value for student, value in latest.items()),
        "unseen": unseen, "latency": quantiles(shown), "count latency": quantiles(by_count),
        "call": quantiles([r[3] for r in done]), "size": size,
    }


def show(name: str, r: dict) -> None:
    print(f"{name}: {r['written']} answers written ({r['students']} students, "
          f"{r['written'] - r['students']} changes), {r['counted']} counted at the end, lost {r['lost']}, "
          f"final values not the last {r['wrong']}, last values never seen {r['unseen']}")
    for key in ("latency", "count latency", "call"):
        p50, p95, top = r[key]
        label = {"latency": "write -> seen by answers()", "count latency": "write -> counted by count()",
                 "call": "answer() call"}[key]
        print(f"    {label:28s} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  max {top * 1000:7.1f} ms")
    print(f"    store: {r['size']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", nargs="+", choices=["sqlite", "redis"], default=["sqlite", "redis"])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; {args.students} students over {args.workers} processes, "
          f"{args.seconds:g} s window, projector polling every {POLL_EVERY:g} s")
    for backend in args.backend:
        with ExitStack() as stack:
            if backend == "redis":
                where = {"redis_url": stack.enter_context(redis_server())}
            else:
                where = {"path": Path(stack.enter_context(tempfile.TemporaryDirectory())) / "classes.sqlite3"}
            results = []
            for r in range(args.rounds):
                results.append(one_round(where, args, args.seed + r))
                show(f"{backend} round {r + 1}", results[-1])
            if args.rounds > 1:
                print(f"{backend} medians over {args.rounds} rounds: lost "
                      f"{statistics.median(x['lost'] for x in results):g}, latency p50/p95/max "
                      + " / ".join(f"{statistics.median(x['latency'][i] for x in results) * 1000:.1f}"
                                   for i in range(3)) + " ms, answer() p50 "
                      f"{statistics.median(x['call'][0] for x in results) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
