"""A training step on three classes against one on two, side by side: the issue's goal is at most 2×.

    python benchmarks/bench_softmax.py [--rounds 15]

Three classes: the spiral of 150 points, MLP(2, [16, 16, 3]) with ReLU, mean cross-entropy
(lessons/softmax.py, the More than two classes page's loop), and the same on the MLP page (its Trainer on
the three spirals, mlp_dataset=spiral3). Two classes: micrograd's demo as the MLP
page runs it (100 moons, 2-16-16-1 ReLU, hinge loss with L2, lessons/mlp Trainer). Each step is timed
alternately with the other, each after its own gc.collect() and with the cyclic collector paused (as
the MLP page's steps run); the medians and their ratio are printed, nothing asserted.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lessons import softmax as sm  # noqa: E402
from lessons.mlp.settings import PRESETS, RunSettings, make_trainer  # noqa: E402


def timed(step) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        step()
        return time.perf_counter() - start
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    X, y = sm.spiral()
    model = sm.make_model(1)
    demo = make_trainer(PRESETS["micrograd demo"])
    page = make_trainer(RunSettings(dataset="spiral3", n_points=150, layers=2, neurons=16, activation="relu",
                                    loss="cross_entropy", lr=0.1))
    three, on_page, two = [], [], []
    for k in range(rounds):
        three.append(timed(lambda k=k: sm.train_step(model, X, y, 0.5, k + 1)))
        on_page.append(timed(page.step))
        two.append(timed(demo.step))
    a, b, c = statistics.median(three), statistics.median(two), statistics.median(on_page)
    print(f"python {sys.version.split()[0]}; median of {rounds} steps each, alternating")
    print(f"three classes (spiral 150, 2-16-16-3, cross-entropy): {1000 * a:7.1f} ms")
    print(f"two classes (moons 100, 2-16-16-1, hinge + L2):        {1000 * b:7.1f} ms")
    print(f"three classes on the MLP page (its Trainer, the same):  {1000 * c:7.1f} ms")
    print(f"ratio {a / b:.2f}, on the MLP page {c / b:.2f} (goal <= 2)")


if __name__ == "__main__":
    main()
