"""Three optimisers written over `p.data` and `p.grad`, as the lecture's update is: each a few lines, its state shown.

The lecture's update is `p.data += -lr * p.grad`. Momentum keeps, per parameter, a velocity: a running sum
of its gradients that remembers the direction it has been going. Adam keeps two running averages per
parameter, of the gradient (m) and of its square (v), and steps by m / sqrt(v): each parameter gets a
step size of its own. The arithmetic follows PyTorch's `torch.optim.SGD` (with momentum) and
`torch.optim.Adam` (the same running sums, corrections and order of the step's terms), and the two
agree to 1e-12 over fifty steps (tests/lessons/test_optimisers.py).

Nothing here needs `p.data` and `p.grad` to be single numbers: given a whole layer's weights as numpy arrays,
the same lines update them all at once (lessons/mlp/twin.py, the same run in numpy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from micrograd_core.engine import Value


class GradientDescent:
    """The lecture's update: every parameter a step against its gradient."""

    name = "gradient descent"
    state_names: tuple[str, ...] = ()

    def __init__(self, params: Sequence[Value], lr: float) -> None:
        self.params, self.lr = list(params), lr

    def step(self) -> None:
        for p in self.params:
            p.data += -self.lr * p.grad

    def carry(self, grads: Sequence[float]) -> None:
        """Take one step's gradients into the state, the parameters left where they are (a run copied at a step
        gets the state its steps built). Plain descent keeps nothing."""

    def state(self) -> list[dict[str, float]]:
        """What it keeps per parameter between steps (nothing, for plain descent)."""
        return [{} for _ in self.params]

    def snapshot(self) -> dict:
        """Its state, to be given back by `load`."""
        return {}

    def load(self, snapshot: dict) -> None:
        """Take on a state that `snapshot` gave."""


class Momentum(GradientDescent):
    """Each parameter's velocity: mu times the last one plus its gradient; the step follows the velocity."""

    name = "momentum"
    state_names = ("velocity",)

    def __init__(self, params: Sequence[Value], lr: float, mu: float = 0.9) -> None:
        super().__init__(params, lr)
        self.mu = mu
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        self.carry([p.grad for p in self.params])
        for i, p in enumerate(self.params):
            p.data += -self.lr * self.velocity[i]

    def carry(self, grads: Sequence[float]) -> None:
        for i, g in enumerate(grads):
            self.velocity[i] = self.mu * self.velocity[i] + g

    def state(self) -> list[dict[str, float]]:
        return [{"velocity": v} for v in self.velocity]

    def snapshot(self) -> dict:
        return {"velocity": list(self.velocity)}

    def load(self, snapshot: dict) -> None:
        self.velocity = list(snapshot["velocity"])


class Adam(GradientDescent):
    """Running averages of each gradient (m) and of its square (v), corrected for starting at 0; the step is
    lr · m / (sqrt(v) + eps): about lr in size whatever the gradient's scale."""

    name = "Adam"
    state_names = ("m", "v")

    def __init__(self, params: Sequence[Value], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.carry([p.grad for p in self.params])
        correct1 = 1 - self.beta1**self.t  # m and v start at 0: early averages are too small by this much
        correct2 = 1 - self.beta2**self.t
        for i, p in enumerate(self.params):
            p.data += -(self.lr / correct1) * (self.m[i] / (self.v[i] ** 0.5 / math.sqrt(correct2) + self.eps))

    def carry(self, grads: Sequence[float]) -> None:
        self.t += 1
        for i, g in enumerate(grads):
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g * g

    def state(self) -> list[dict[str, float]]:
        return [{"m": m, "v": v} for m, v in zip(self.m, self.v)]

    def snapshot(self) -> dict:
        return {"t": self.t, "m": list(self.m), "v": list(self.v)}

    def load(self, snapshot: dict) -> None:
        self.t, self.m, self.v = snapshot["t"], list(snapshot["m"]), list(snapshot["v"])


OPTIMISERS: dict[str, type[GradientDescent]] = {cls.name: cls for cls in (GradientDescent, Momentum, Adam)}
