"""What a script pressing the More than two classes page's "20 steps" from many sessions does to a student.

    python benchmarks/bench_button_training.py [--script-sessions 8] [--seconds 20]

`--script-sessions` threads from one address press the button over and over (each press: 20 steps of the
lesson's loop, under server/one_at_a_time.py's one slot, as the page does); one student from another address
presses it every 2 s. Printed: how many
presses held the slot at once (at most), the student's presses that got their turn and how long they waited,
and how long a light page's rerun (1 ms of Python work, timed alone first) took meanwhile. Nothing asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lessons import softmax as sm  # noqa: E402
from server import one_at_a_time  # noqa: E402

X, Y = sm.spiral()


def press(model, holding: list[int], most: list[int], who: str) -> bool:
    with one_at_a_time.turn(who) as mine:
        if not mine:
            return False
        holding[0] += 1
        most[0] = max(most[0], holding[0])
        for k in range(20):
            sm.train_step(model, X, Y, 0.5, k + 1)
        holding[0] -= 1
        return True


def light_rerun() -> float:
    start = time.perf_counter()
    total = 0
    for i in range(20_000):  # about 1 ms of Python on its own
        total += i * i
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--script-sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    alone = statistics.median(light_rerun() for _ in range(50))
    holding, most, stop = [0], [0], threading.Event()
    script_presses = [0]

    def script() -> None:
        model = sm.make_model(1)
        while not stop.is_set():
            if press(model, holding, most, "script"):  # one address, many sessions
                script_presses[0] += 1
            else:
                time.sleep(0.05)  # a refused click comes back after a rerun's round trip

    threads = [threading.Thread(target=script, daemon=True) for _ in range(args.script_sessions)]
    for t in threads:
        t.start()
    waits, refused, reruns = [], 0, []
    student = sm.make_model(2)
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        start = time.monotonic()
        if press(student, holding, most, "student"):
            waits.append(time.monotonic() - start)
        else:
            refused += 1
        reruns += [light_rerun() for _ in range(5)]
        time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join()
    print(f"{args.script_sessions} script sessions pressing '20 steps' for {args.seconds:.0f} s; one student every 2 s")
    print(f"presses holding the slot at once: at most {most[0]}; the script's presses taken: {script_presses[0]}")
    print(f"student: {len(waits)} presses taken (median {statistics.median(waits) if waits else float('nan'):.1f} s "
          f"from press to done, up to {max(waits, default=float('nan')):.1f} s), {refused} told the server is busy")
    print(f"a light rerun (1 ms alone: {1000 * alone:.2f} ms) took median {1000 * statistics.median(reruns):.1f} ms "
          f"meanwhile: ratio {statistics.median(reruns) / alone:.1f}")


if __name__ == "__main__":
    main()
