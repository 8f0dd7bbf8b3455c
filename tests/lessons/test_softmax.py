"""Softmax and cross-entropy from Values: against PyTorch, stable for large scores, and the gradient p − y."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import softmax as sm
from micrograd_core.engine import Value
from tests.conftest import import_torch_or_skip

scores_st = st.lists(st.floats(-30, 30, allow_nan=False), min_size=2, max_size=6)


@pytest.mark.parametrize("scores, label", [([0.8, 3.9, -1.6], 0), ([1.0, 1.0, 1.0], 2), ([-5.0, 2.5, 0.1, 7.0], 3)])
def test_cross_entropy_and_its_gradients_are_torchs(scores, label):
    torch = import_torch_or_skip("cross-entropy is checked against PyTorch's")
    t = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(t.unsqueeze(0), torch.tensor([label]))
    expected.backward()
    values = [Value(s) for s in scores]
    loss = sm.cross_entropy(values, label)
    loss.backward()
    assert loss.data == pytest.approx(expected.item(), abs=1e-12)
    assert [v.grad for v in values] == pytest.approx(t.grad.tolist(), abs=1e-12)
    probs = torch.softmax(t.detach(), 0).tolist()
    assert [p.data for p in sm.softmax([Value(s) for s in scores])] == pytest.approx(probs, abs=1e-12)


@given(scores_st, st.data())
@settings(max_examples=80, deadline=None)
def test_the_gradient_of_cross_entropy_is_p_minus_y(scores, data):
    label = data.draw(st.integers(0, len(scores) - 1))
    c = sm.check_sample(scores, label)
    assert c.largest_gap <= 1e-12
    assert sum(c.probabilities) == pytest.approx(1.0, abs=1e-12)


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=5), st.data())
@settings(max_examples=80, deadline=None)
def test_large_scores_neither_overflow_nor_give_nan(scores, data):
    label = data.draw(st.integers(0, len(scores) - 1))
    values = [Value(s) for s in scores]
    loss = sm.cross_entropy(values, label)
    loss.backward()
    assert math.isfinite(loss.data) and loss.data >= -1e-9
    assert all(math.isfinite(v.grad) for v in values)
    probs = [p.data for p in sm.softmax([Value(s) for s in scores])]
    assert all(math.isfinite(p) and 0 <= p <= 1 for p in probs)


def test_cross_entropy_agrees_with_central_differences():
    scores, label, h = [0.3, -1.2, 2.0], 1, 1e-6
    c = sm.check_sample(scores, label)
    for i in range(3):
        up = [s + (h if j == i else 0) for j, s in enumerate(scores)]
        down = [s - (h if j == i else 0) for j, s in enumerate(scores)]
        slope = (sm.cross_entropy([Value(s) for s in up], label).data
                 - sm.cross_entropy([Value(s) for s in down], label).data) / (2 * h)
        assert c.grads[i] == pytest.approx(slope, abs=1e-7)


def test_the_spiral_has_three_arms_of_fifty_and_training_learns_it():
    X, y = sm.spiral()
    assert len(X) == 150 and [y.count(c) for c in range(3)] == [50, 50, 50]
    assert all(math.hypot(*p) <= 1.0 for p in X)
    model = sm.make_model(1)
    first = sm.train_step(model, X, y, 0.5, 1)
    for k in range(2, 41):
        last = sm.train_step(model, X, y, 0.5, k)
    assert last.loss < 0.8 * first.loss and last.accuracy > 0.5
    assert sm.predict(model, X[:5]) == [max(range(3), key=lambda c: model(x)[c].data) for x in X[:5]]
