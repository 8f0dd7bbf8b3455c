"""The same training in tensors: the point of the lecture's overview, "everything else is efficiency".

`train_in_numpy` trains the model of a run from the same initial weights, on the same data, with
the same steps (learning rates, minibatches, loss, zero_grad or not), using a matrix forward pass
and a backward pass written by hand, layer by layer. It runs many times faster: what a library
like PyTorch does for us.

Its arithmetic is the `Value` engine's, in another order (a matrix product adds up a neuron's
inputs in its own order), so each number differs from the engine's in its last digit or so.
`check_steps` shows it: from the engine's weights at each step, the numpy loss and gradients
equal the engine's to about 1e-15. Left to run on its own, the numpy run's loss curve lies on the
engine's, unless the training is chaotic (a loss that jumps about): then the last-digit
differences grow from step to step, as they would between any two ways of adding up floats.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..optimisers import OPTIMISERS
from .activations import numpy_activation
from .matrix import numpy_softmax
from .settings import RunSettings, make_data, make_model, train_config
from .training import StepReport, TrainConfig, Trainer, batch_indices
from .trajectory import State

Layers = list[tuple[np.ndarray, np.ndarray]]  # each layer's weights (a row per neuron) and biases


def loss_and_grads(layers: Layers, kinds: Sequence[str], X: np.ndarray, y: np.ndarray,
                   config: TrainConfig) -> tuple[float, Layers]:
    """One forward and backward pass over the samples X, y: the loss and the gradient of every weight and bias."""
    # forward: every sample at once, a matrix product per layer
    acts = [X]
    for (W, b), kind in zip(layers, kinds):
        z = acts[-1] @ W.T + b
        acts.append(numpy_activation(kind).forward(z))
    scores = acts[-1][:, 0]
    if config.loss == "squared_error":
        loss = float(np.sum((scores - y) ** 2))
        upstream = 2 * (scores - y)  # d loss / d score
    elif config.loss == "hinge":
        params = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in layers])
        margins = 1.0 - y * scores
        loss = float(np.mean(np.maximum(margins, 0.0)) + config.alpha * np.sum(params * params))
        upstream = np.where(margins > 0, -y, 0.0) / len(y)
    if config.loss == "cross_entropy":  # a score per class: d loss / d scores is p − y, each row over the samples
        rows, labels = np.arange(len(y)), y.astype(int)
        p, log_total = numpy_softmax(acts[-1])
        loss = float(np.mean(log_total - acts[-1][rows, labels]))
        one_hot = np.zeros_like(p)
        one_hot[rows, labels] = 1.0
        delta = (p - one_hot) / len(y)
    else:
        delta = upstream[:, None]  # d loss / d (a layer's outputs), one row per sample

    # backward: the chain rule by hand, from the output layer back
    grads = []
    for i in reversed(range(len(layers))):
        W, b = layers[i]
        out = acts[i + 1]
        delta = delta * numpy_activation(kinds[i]).slope(out)
        gW, gb = delta.T @ acts[i], delta.sum(axis=0)
        if config.loss == "hinge":
            gW, gb = gW + 2 * config.alpha * W, gb + 2 * config.alpha * b
        grads.append((gW, gb))
        delta = delta @ W
    return loss, grads[::-1]


def train_in_numpy(settings: RunSettings, steps: int, taken: Sequence[StepReport] = ()) -> list[float]:
    """The loss of each of `steps` steps of the run `settings` describes, computed with numpy matrices.

    Step k runs as `taken[k - 1]` says it ran (its learning rate, batch and zero_grad), when given:
    a run whose settings changed while it trained is followed exactly.
    """
    config = train_config(settings)
    X_all, y_all = (np.asarray(a, dtype=np.float64) for a in make_data(settings))
    layers, kinds = _layers(settings)
    # the optimiser the engine's run steps with, its p.data and p.grad a whole matrix each: the same update lines
    tensors = [Tensor(a) for W, b in layers for a in (W, b)]
    optimiser = OPTIMISERS[config.optimizer](tensors, config.lr)
    losses = []
    for k in range(1, steps + 1):
        lr, batch, forget_zero_grad = _step_settings(config, k, taken)
        rows = batch_indices(len(y_all), batch, config.seed, k)
        X, y = (X_all, y_all) if rows is None else (X_all[rows], y_all[rows])
        loss, new = loss_and_grads(_pairs(tensors), kinds, X, y, config)
        losses.append(loss)
        for t, g in zip(tensors, [g for pair in new for g in pair]):
            # backward() adds to .grad: to zeros after zero_grad(), else to every earlier step's gradients
            t.grad = t.grad + g if forget_zero_grad else g
        optimiser.lr = lr
        optimiser.step()
    return losses


class Tensor:
    """A whole layer's weights (or biases) as one parameter: `data` and `grad` are arrays of the same shape."""

    def __init__(self, data: np.ndarray) -> None:
        self.data, self.grad = data.copy(), np.zeros_like(data)


def _pairs(tensors: Sequence[Tensor]) -> Layers:
    return [(tensors[i].data, tensors[i + 1].data) for i in range(0, len(tensors), 2)]


def _layers(settings: RunSettings) -> tuple[Layers, list[str]]:
    """The run's initial weights as matrices, and each layer's activation."""
    model = make_model(settings)
    layers = [(np.array([[w.data for w in n.w] for n in layer.neurons]), np.array([n.b.data for n in layer.neurons]))
              for layer in model.layers]
    return layers, [layer.neurons[0].activation for layer in model.layers]


def _step_settings(config: TrainConfig, k: int, taken: Sequence[StepReport]) -> tuple[float, int | None, bool]:
    if k <= len(taken):
        return taken[k - 1].lr, taken[k - 1].batch, taken[k - 1].forget_zero_grad
    return Trainer.scheduled_lr(config, k), config.batch_size, config.forget_zero_grad


def _as_layers(vector: np.ndarray, like: Layers) -> Layers:
    """A parameter vector in `MLP.parameters()` order (each neuron's weights, then its bias) as matrices."""
    layers, at = [], 0
    for W, _ in like:
        n, m = W.shape
        block = vector[at : at + n * (m + 1)].reshape(n, m + 1)
        layers.append((block[:, :m], block[:, m]))
        at += n * (m + 1)
    return layers


def check_steps(settings: RunSettings, states: Sequence[State]) -> tuple[float, float]:
    """Each step again in numpy from the engine's weights: the largest relative differences in the loss and grads.

    `states` are the engine's run after consecutive steps; the step between two of them is redone
    in numpy from the first one's weights, and its loss and gradients set beside the engine's.
    """
    config = train_config(settings)
    X_all, y_all = (np.asarray(a, dtype=np.float64) for a in make_data(settings))
    like, kinds = _layers(settings)
    worst_loss = worst_grad = 0.0
    for before, after in zip(states, states[1:]):
        report = after.reports[-1]
        rows = batch_indices(len(y_all), report.batch, config.seed, report.step)
        X, y = (X_all, y_all) if rows is None else (X_all[rows], y_all[rows])
        loss, grads = loss_and_grads(_as_layers(before.data, like), kinds, X, y, config)
        grad = np.concatenate([np.column_stack([gW, gb]).ravel() for gW, gb in grads])
        if report.forget_zero_grad:
            grad = grad + before.grad  # backward() added to the gradients already there
        worst_loss = max(worst_loss, abs(loss - report.loss) / max(1.0, abs(report.loss)))
        scale = max(1.0, float(np.max(np.abs(after.grad))))
        worst_grad = max(worst_grad, float(np.max(np.abs(grad - after.grad))) / scale)
    return worst_loss, worst_grad
