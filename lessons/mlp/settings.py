"""What defines an MLP training run, the named setups, the limits, and building a `Trainer` from them.

A `RunSettings` holds everything that defines a run: data, model, loss and the gradient-descent
settings. `PRESETS` names two of them, like the TensorFlow Playground's named datasets
(github.com/tensorflow/playground, src/state.ts): "Lecture" is the end of Karpathy's micrograd
lecture (four samples, MLP(3, [4, 4, 1]), squared error, lr 0.05) and "micrograd demo" follows
micrograd's demo.ipynb (100 moons, 2-16-16-1 ReLU, hinge loss + L2, decaying lr).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from micrograd_core.nn import MLP

from .data import DATASETS, THREE_CLASSES, make_dataset, tiny_dataset
from .training import LOSSES, TrainConfig, Trainer

TINY = "tiny"  # the lecture's four samples with three features
CUSTOM = "custom"  # points the class made: added by hand, or from a CSV file
DATASET_NAMES = (TINY, *DATASETS, *THREE_CLASSES, CUSTOM)
INITS = ("random", "zeros", "constant")  # the weights' start: the lecture's, or all equal (the symmetry lesson)
CONSTANT_WEIGHT = 0.5
TEST_FRACTIONS = (0.0, 0.2, 0.3, 0.5)  # the share of the data held out to test on
HIDDEN_ACTIVATIONS = ("tanh", "relu")
LEARNING_RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1000.0, 1e6)
BATCH_SIZES = (None, 1, 2, 4, 8, 16, 32, 64, 128, 256)  # None: every sample, every step

MAX_HIDDEN_LAYERS = 4
MAX_NEURONS = 32
MAX_POINTS = 500
MIN_POINTS = 10
MIN_CUSTOM = 2  # points of the class's own data set, one of each class at least
# Weights times samples in one step. Each use of a weight leaves two Values in the graph,
# so this bounds a step's memory (~35 MB) and time (~0.5 s in CPython); the demo needs 30,400.
MAX_WORK = 60_000


@dataclass(frozen=True)
class RunSettings:
    """Everything that defines a training run; two runs with equal settings are the same, step for step."""

    dataset: str = TINY  # TINY, a name in data.DATASETS or data.THREE_CLASSES, or CUSTOM
    n_points: int = 100  # the 2-D datasets only
    noise: float = 0.1
    data_seed: int = 0
    layers: int = 2  # hidden layers, each of `neurons` neurons; one output neuron follows
    neurons: int = 4
    activation: str = "tanh"  # hidden layers; the output is tanh too, or linear after relu
    model_seed: int = 0
    loss: str = "squared_error"  # or "hinge"; "cross_entropy" for data of more than two classes, and only there
    lr: float = 0.05
    lr_decay: bool = False
    batch_size: int | None = None
    forget_zero_grad: bool = False  # the lecture's bug: gradients pile up from step to step
    alpha: float = 1e-4  # L2 strength with the hinge loss, as in the demo
    init: str = "random"  # one of INITS
    test_fraction: float = 0.0  # held out, 2-D datasets only
    own_points: tuple[tuple[float, float, float], ...] = ()  # (x1, x2, label ±1, or 0/1/2) of the CUSTOM dataset
    optimizer: str = "gradient descent"  # a name of lessons.optimisers.OPTIMISERS

    def __post_init__(self) -> None:
        object.__setattr__(self, "noise", round(float(self.noise), 2))  # a slider's 0.15000000000000002 is 0.15

    @property
    def hidden(self) -> tuple[int, ...]:
        return (self.neurons,) * self.layers

    def model_key(self) -> tuple:
        """What fixes the data, the initial model and the loss: a change means a new run."""
        if self.dataset == TINY:
            data: tuple = (self.dataset,)
        elif self.dataset == CUSTOM:
            data = (self.dataset, self.own_points, self.test_fraction, self.data_seed)
        else:
            data = (self.dataset, self.n_points, self.noise, self.data_seed, self.test_fraction)
        # the optimiser's state is built from the first step: another optimiser is another run
        return (*data, self.hidden, self.activation, self.model_seed, self.loss, self.alpha, self.init,
                self.optimizer)

    def live_key(self) -> tuple:
        """What a running trainer can take on between steps, without starting again."""
        return (self.lr, self.lr_decay, self.batch_size, self.forget_zero_grad)

    def run_key(self) -> tuple:
        """Equal for two settings that give the same run step for step (unused data settings aside)."""
        return self.model_key() + self.live_key()


PRESETS: dict[str, RunSettings] = {
    # the lecture's MLP(3, [4, 4, 1]) on its four samples, written out: the page's defaults may change, this may not;
    # model seed 0 reaches loss < 0.01 in 62 steps
    "Lecture": RunSettings(dataset=TINY, layers=2, neurons=4, activation="tanh", model_seed=0, init="random",
                           loss="squared_error", lr=0.05, lr_decay=False, batch_size=None, forget_zero_grad=False),
    # model seed 2 reaches 100% training accuracy at step 20 (micrograd's demo uses its own random draws)
    "micrograd demo": RunSettings(
        dataset="moons", n_points=100, noise=0.1, data_seed=0, layers=2, neurons=16, activation="relu",
        model_seed=2, loss="hinge", lr=1.0, lr_decay=True,
    ),
    # every weight 0.5: the six neurons stay one, 74% on xor after 200 steps (random weights: 100%)
    "Symmetry": RunSettings(dataset="xor", n_points=100, noise=0.1, layers=1, neurons=6, init="constant", lr=0.01),
    # 16-16 neurons on 15 points: 100% training accuracy, while the held-out loss is lowest at step 16
    # and doubles by step 300 (held-out accuracy 80% -> 40%)
    "Overfitting": RunSettings(dataset="moons", n_points=30, noise=0.4, layers=2, neurons=16, lr=0.05,
                               test_fraction=0.5),
}


def link_key(field: str) -> str:
    """A setting's name in the MLP page's link: its field's."""
    return f"mlp_{field}"


def _link_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return "all"  # every sample in a step
    if isinstance(value, tuple):  # the class's own points: lessons.mlp.points writes those (the page does)
        raise ValueError("a run on the class's own points is linked by the page, not here")
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_link(settings: RunSettings) -> dict[str, str]:
    """The MLP page's link parameters that open `settings`: those that differ from the page's defaults."""
    default = RunSettings()
    return {link_key(f.name): _link_text(getattr(settings, f.name)) for f in fields(RunSettings)
            if f.name != "alpha" and getattr(settings, f.name) != getattr(default, f.name)}


def matching_preset(settings: RunSettings) -> str | None:
    """The name of the preset these settings equal (ignoring data settings the dataset does not use)."""
    for name, preset in PRESETS.items():
        if preset.run_key() == settings.run_key():
            return name
    return None


def input_size(dataset: str) -> int:
    """Numbers per sample: three for the lecture's data, two for the 2-D sets."""
    return 3 if dataset == TINY else 2


def point_classes(points: Sequence[tuple[float, float, float]]) -> int:
    """How many classes the class's own points are of: two (labels ±1), or three once one is labelled 0 or 2."""
    return 3 if any(p[2] in (0.0, 2.0) for p in points) else 2


def classes(settings: RunSettings) -> int:
    """How many classes the data has: two (labels ±1, one score), or three (labels 0, 1, 2, a score each)."""
    if settings.dataset == CUSTOM:
        return point_classes(settings.own_points)
    return 3 if settings.dataset in THREE_CLASSES else 2


def losses_for(settings: RunSettings) -> tuple[str, ...]:
    """The losses a run on this data can train with: the lecture's and the demo's for two classes (one score and
    its sign), cross-entropy for more (a score per class, lessons/softmax.py)."""
    return ("cross_entropy",) if classes(settings) > 2 else tuple(loss for loss in LOSSES if loss != "cross_entropy")


def fitting_loss(settings: RunSettings) -> RunSettings:
    """`settings` with a loss its data can train with: its own if it can, else the first that can."""
    allowed = losses_for(settings)
    return settings if settings.loss in allowed else replace(settings, loss=allowed[0])


def layer_sizes(settings: RunSettings) -> list[int]:
    """The `nouts` of the MLP: the hidden layers, then one output, or one per class for more than two."""
    return [*settings.hidden, classes(settings) if classes(settings) > 2 else 1]


def parameter_count(nin: int, nouts: list[int]) -> int:
    """Weights and biases of MLP(nin, nouts): each neuron has one weight per input, plus a bias."""
    sizes = [nin, *nouts]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))


def weight_count(nin: int, nouts: list[int]) -> int:
    """Multiplications in one forward pass of one sample."""
    sizes = [nin, *nouts]
    return sum(sizes[i] * sizes[i + 1] for i in range(len(nouts)))


@dataclass(frozen=True)
class Limit:
    """A setting outside what the app allows: which, what was asked, and the allowed range or choices."""

    setting: str  # a field of RunSettings
    asked: object
    allowed: str  # e.g. "1 to 4" or "tanh, relu"


def check_limits(settings: RunSettings) -> list[Limit]:
    """Each setting outside what the app allows; empty when all are fine."""
    problems = []

    def need(ok: bool, setting: str, allowed: str) -> None:
        if not ok:
            problems.append(Limit(setting, getattr(settings, setting), allowed))

    need(settings.dataset in DATASET_NAMES, "dataset", ", ".join(DATASET_NAMES))
    need(1 <= settings.layers <= MAX_HIDDEN_LAYERS, "layers", f"1 to {MAX_HIDDEN_LAYERS}")
    need(1 <= settings.neurons <= MAX_NEURONS, "neurons", f"1 to {MAX_NEURONS}")
    need(settings.dataset == TINY or MIN_POINTS <= settings.n_points <= MAX_POINTS, "n_points",
         f"{MIN_POINTS} to {MAX_POINTS}")
    need(settings.activation in HIDDEN_ACTIVATIONS, "activation", ", ".join(HIDDEN_ACTIVATIONS))
    need(settings.loss in losses_for(settings), "loss", ", ".join(losses_for(settings)))
    need(settings.lr > 0, "lr", "above 0")
    need(settings.batch_size is None or settings.batch_size >= 1, "batch_size", "at least 1")
    need(settings.init in INITS, "init", ", ".join(INITS))
    need(settings.test_fraction in TEST_FRACTIONS, "test_fraction", ", ".join(f"{f:g}" for f in TEST_FRACTIONS))
    if settings.dataset == CUSTOM:
        labels = {p[2] for p in settings.own_points}
        need(MIN_CUSTOM <= len(settings.own_points) <= MAX_POINTS and labels in ({-1.0, 1.0}, {0.0, 1.0, 2.0}),
             "own_points", f"{MIN_CUSTOM} to {MAX_POINTS} points, some of each class (−1 and 1, or 0, 1 and 2)")
    return problems


def sample_count(settings: RunSettings) -> int:
    """Samples trained on (the held-out ones aside)."""
    return len(make_data(settings)[0])


@dataclass(frozen=True)
class BatchCut:
    """A batch made smaller than asked, because a step on all of it would build too big a graph."""

    asked: int
    size: int
    values: int  # Values a step on the asked batch would build


def effective_batch(settings: RunSettings) -> int | None:
    """The batch size trained with: the one asked for, made smaller if a step would exceed MAX_WORK."""
    n = sample_count(settings)
    asked = n if settings.batch_size is None else min(settings.batch_size, n)
    cap = max(1, MAX_WORK // weight_count(input_size(settings.dataset), layer_sizes(settings)))
    size = min(asked, cap)
    return None if size >= n else size


def batch_cut(settings: RunSettings) -> BatchCut | None:
    """Why the batch is smaller than asked, or None when it is not."""
    n = sample_count(settings)
    asked = n if settings.batch_size is None else min(settings.batch_size, n)
    size = effective_batch(settings) or n
    if size >= asked:
        return None
    return BatchCut(asked, size, 2 * weight_count(input_size(settings.dataset), layer_sizes(settings)) * asked)


def all_data(settings: RunSettings) -> tuple[np.ndarray, np.ndarray]:
    """Every sample of the run's dataset, held-out ones included."""
    if settings.dataset == TINY:
        X, y = tiny_dataset()
        return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if settings.dataset == CUSTOM:
        a = np.asarray(settings.own_points, dtype=np.float64).reshape(-1, 3)
        return a[:, :2], a[:, 2]
    return make_dataset(settings.dataset, settings.n_points, settings.noise, settings.data_seed)


def split(settings: RunSettings) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the samples trained on and of those held out to test on, fixed by the data seed.

    A generated set holds out an exact share, drawn by a shuffle. The class's own points are held
    out each by a draw of its own (a hash of the point and the seed), so adding or removing a point
    leaves the others where they were; one point at least is kept to train on.
    """
    X, _ = all_data(settings)
    n = len(X)
    if settings.dataset == TINY or not settings.test_fraction:
        return np.arange(n), np.arange(0)
    if settings.dataset == CUSTOM:
        draws = np.array([zlib.crc32(f"{settings.data_seed}:{a!r}:{b!r}".encode()) / 2**32 for a, b in X.tolist()])
        held = draws < settings.test_fraction
        if held.all():
            held[np.argmax(draws)] = False
        return np.flatnonzero(~held), np.flatnonzero(held)
    order = np.random.default_rng([settings.data_seed, 1]).permutation(n)
    cut = round(n * settings.test_fraction)
    return np.sort(order[cut:]), np.sort(order[:cut])


def make_data(settings: RunSettings) -> tuple[list[list[float]], list[float]]:
    """The inputs and targets the run trains on."""
    X, y = all_data(settings)
    train, _ = split(settings)
    return X[train].tolist(), y[train].tolist()


def held_out_data(settings: RunSettings) -> tuple[list[list[float]], list[float]]:
    """The samples held out (none unless a test fraction is set)."""
    X, y = all_data(settings)
    _, held = split(settings)
    return X[held].tolist(), y[held].tolist()


def output_activation(settings: RunSettings) -> str:
    """tanh after tanh layers, as in the lecture; linear after relu, as in the demo, and for softmax's scores."""
    return "tanh" if settings.activation == "tanh" and classes(settings) == 2 else "linear"


def make_model(settings: RunSettings) -> MLP:
    """The initial MLP: tanh throughout as in the lecture, or relu with a linear output as in the demo.

    Its weights are random, or all 0, or all CONSTANT_WEIGHT: then the neurons of a layer are the same
    function of the same inputs, get the same gradients, and stay the same however long they train.
    """
    output = output_activation(settings)
    nin, nouts = input_size(settings.dataset), layer_sizes(settings)
    model = MLP(nin, nouts, settings.activation, output, seed=settings.model_seed)
    if settings.init != "random":
        for p in model.parameters():
            p.data = 0.0 if settings.init == "zeros" else CONSTANT_WEIGHT
    return model


def train_config(settings: RunSettings) -> TrainConfig:
    return TrainConfig(
        lr=settings.lr, loss=settings.loss, alpha=settings.alpha, batch_size=effective_batch(settings),
        lr_decay=settings.lr_decay, forget_zero_grad=settings.forget_zero_grad, seed=settings.model_seed,
        optimizer=settings.optimizer,
    )


def make_trainer(settings: RunSettings) -> Trainer:
    """A fresh run: data, initial model and trainer; ValueError if a setting is outside the limits."""
    problems = check_limits(settings)
    if problems:
        raise ValueError("; ".join(f"{p.setting} = {p.asked!r} is outside {p.allowed}" for p in problems))
    X, y = make_data(settings)
    return Trainer(make_model(settings), X, y, train_config(settings))
