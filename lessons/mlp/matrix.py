"""The MLP's forward pass and loss with numpy, for many points at once: what the pages draw while it trains.

`Trainer` steps with `Value`s; these compute the same scores from the same weights as matrices, so the
score over the plane (thousands of points) and the held-out loss are cheap to redraw at every step.
"""

from __future__ import annotations

import numpy as np

from micrograd_core.nn import MLP

from .activations import numpy_activation


def layer_outputs_numpy(model: MLP, points: np.ndarray) -> list[np.ndarray]:
    """Every layer's outputs for many points at once: a (m, neurons) array per layer."""
    a = np.asarray(points, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != model.nin:
        raise ValueError(f"points must have shape (m, {model.nin}), got {a.shape}")
    outputs = []
    with np.errstate(all="ignore"):  # inf and nan propagate, as in Value
        for layer in model.layers:
            # rebuilt on every call: the weights change at every training step
            W = np.array([[w.data for w in n.w] for n in layer.neurons])
            b = np.array([n.b.data for n in layer.neurons])
            a = numpy_activation(layer.neurons[0].activation).forward(a @ W.T + b)  # a Layer's neurons share one
            outputs.append(a)
    return outputs


def mlp_forward_numpy(model: MLP, points: np.ndarray) -> np.ndarray:
    """The model's current outputs for many points at once: (m, nin) -> (m,), or (m, nout) if nout > 1."""
    a = layer_outputs_numpy(model, points)[-1]
    return a[:, 0] if a.shape[1] == 1 else a


def numpy_softmax(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's probabilities, and its log Σ exp (the largest score taken out first, as lessons/softmax.py does)."""
    top = scores.max(axis=1, keepdims=True)
    exps = np.exp(scores - top)
    total = exps.sum(axis=1, keepdims=True)
    return exps / total, (np.log(total) + top)[:, 0]


def numpy_loss(loss: str, scores: np.ndarray, ys: np.ndarray, params: np.ndarray, alpha: float) -> float:
    """The loss `Trainer.loss` computes, from scores computed with numpy."""
    with np.errstate(all="ignore"):
        if loss == "squared_error":
            return float(np.sum((scores - ys) ** 2))
        if loss == "cross_entropy":
            _, log_total = numpy_softmax(scores)
            return float(np.mean(log_total - scores[np.arange(len(ys)), ys.astype(int)]))
        return float(np.mean(np.maximum(1.0 - ys * scores, 0.0)) + alpha * np.sum(params * params))


def numpy_accuracy(scores: np.ndarray, ys: np.ndarray) -> float:
    """`training.accuracy` of scores computed with numpy: the sign's class, or the largest score's."""
    with np.errstate(all="ignore"):
        if scores.ndim == 2:
            return float(np.mean(np.argmax(scores, axis=1) == ys))
        return float(np.mean((scores > 0) == (ys > 0)))
