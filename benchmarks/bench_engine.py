"""One full-batch training step, micrograd_core against Karpathy's micrograd 0.1.0, side by side.

The step is micrograd's demo: 100-point moons, MLP 2-16-16-1 (ReLU hidden, linear output),
max-margin loss + 1e-4 L2, SGD. Both engines get the same weights and data and build the same
graph. Runs alternate, and each timing includes a gc.collect() of its own garbage, because
CPython's cyclic collector is most of the cost of a graph built from closures.

    python benchmarks/bench_engine.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from micrograd.engine import Value as KarpathyValue  # noqa: E402
from micrograd.nn import MLP as KarpathyMLP  # noqa: E402

from lessons.mlp.data import make_moons  # noqa: E402
from micrograd_core.engine import Value  # noqa: E402
from micrograd_core.nn import MLP  # noqa: E402


def training_step(model, value_cls, X, y, lr: float = 0.1) -> float:
    """Forward, max-margin loss + L2, backward, SGD update: written once, run on either engine."""
    inputs = [[value_cls(float(a)) for a in row] for row in X]
    scores = [model(row) for row in inputs]
    losses = [(1 + -float(yi) * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    gc.collect()  # the step's own garbage, counted against it
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    X, y = make_moons(100, noise=0.1, seed=1)
    ours = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=1)
    theirs = KarpathyMLP(2, [16, 16, 1])  # its last layer is linear, the others ReLU
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        q.data = p.data  # same weights, so both build the same graph

    loss_ours = training_step(ours, Value, X, y)
    loss_theirs = training_step(theirs, KarpathyValue, X, y)
    assert abs(loss_ours - loss_theirs) < 1e-9, (loss_ours, loss_theirs)

    gc.collect()
    t_ours, t_theirs = [], []
    for _ in range(args.rounds):
        t_ours.append(timed(lambda: training_step(ours, Value, X, y)))
        t_theirs.append(timed(lambda: training_step(theirs, KarpathyValue, X, y)))
    m_ours, m_theirs = statistics.median(t_ours), statistics.median(t_theirs)
    print(f"python {sys.version.split()[0]}, {args.rounds} alternating rounds, same weights (first losses agree)")
    for name, times in (("micrograd_core", t_ours), ("micrograd 0.1.0", t_theirs)):
        ms = [t * 1000 for t in times]
        print(f"{name:15s} step: median {statistics.median(ms):7.1f} ms  (min {min(ms):.1f}, max {max(ms):.1f})")
    print(f"ratio (ours / micrograd): {m_ours / m_theirs:.3f}   goal <= 0.25")


if __name__ == "__main__":
    main()
