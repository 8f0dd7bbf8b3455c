"""The activations of `micrograd_core.nn` in numpy: each one's function and its slope, for many points at once.

The matrix forward pass (the decision map, the held-out loss) and the numpy twin's backward pass
read this one table; an activation the engine has and this table lacks is an error at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from micrograd_core.nn import ACTIVATIONS


@dataclass(frozen=True)
class NumpyActivation:
    forward: Callable[[np.ndarray], np.ndarray]  # z -> out
    slope: Callable[[np.ndarray], np.ndarray]  # out -> d out / d z, written from the output as the engine does


NUMPY_ACTIVATIONS: dict[str, NumpyActivation] = {
    "tanh": NumpyActivation(np.tanh, lambda out: 1 - out**2),
    "relu": NumpyActivation(lambda z: np.maximum(z, 0.0), lambda out: (out > 0).astype(np.float64)),
    # 1 / (1 + e**-z) without overflow
    "sigmoid": NumpyActivation(lambda z: np.exp(-np.logaddexp(0.0, -z)), lambda out: out * (1 - out)),
    "linear": NumpyActivation(lambda z: z, np.ones_like),
}

if set(NUMPY_ACTIVATIONS) != set(ACTIVATIONS):
    raise ImportError(f"numpy activations {sorted(NUMPY_ACTIVATIONS)} differ from the engine's {sorted(ACTIVATIONS)}")


def numpy_activation(name: str) -> NumpyActivation:
    """The activation called `name`; ValueError for one the engine does not have."""
    try:
        return NUMPY_ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(NUMPY_ACTIVATIONS)}") from None
