"""The numbers behind the MLP page's charts, as tables: each chart's text alternative (see `chart_text.py`).

Every number comes from the run's reports or the engine's model, as the chart draws it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from lessons.mlp.training import predicted

from .plane_figures import class_name


def curve_table(steps: Sequence[int], losses: Sequence[float], accuracies: Sequence[float],
                held_out: Sequence[tuple[float, float]] | None = None) -> pd.DataFrame:
    """Each step's loss and accuracy (and the held-out ones), as the loss and accuracy charts draw them."""
    table = pd.DataFrame({"step": steps, "loss": losses, "accuracy": accuracies})
    if held_out:
        table["held-out loss"] = [t[0] for t in held_out]
        table["held-out accuracy"] = [t[1] for t in held_out]
    return table


def points_table(X: Sequence[Sequence[float]], y: Sequence[float], scores: Sequence[float] | Sequence[Sequence[float]],
                 held_out: int = 0) -> pd.DataFrame:
    """Each point of the plane with its class, the model's score (or a score per class) and whether it is right.

    `scores` are the model's, X's points then the last `held_out` of them held out."""
    a = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    many = np.ndim(scores) == 2
    named = [class_name(t, many) for t in y]
    called = [class_name(predicted(s), many) for s in scores]
    table = pd.DataFrame({"point": np.arange(1, len(a) + 1), "x1": a[:, 0], "x2": a[:, 1], "class": named})
    if many:
        for c in range(np.shape(scores)[1]):
            table[f"score {c}"] = [s[c] for s in scores]
    else:
        table["score"] = scores
    return table.assign(predicted=called, right=["yes" if n == c else "no" for n, c in zip(named, called)],
                        set=["trained on"] * (len(a) - held_out) + ["held out"] * held_out)


def maps_table(maps: Sequence[Sequence[np.ndarray]], shown: Sequence[int]) -> pd.DataFrame:
    """Each neuron map in numbers: its output's least, mean and largest over the plane, and where it is above 0."""
    rows = [{"neuron": f"L{li}.N{ni}", "least": float(v.min()), "mean": float(v.mean()), "largest": float(v.max()),
             "share of the plane above 0": float((v > 0).mean())}
            for li, layer in enumerate(maps, 1) for ni, v in enumerate(layer[: shown[li - 1]], 1)]
    return pd.DataFrame(rows)
