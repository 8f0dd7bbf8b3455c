"""Tests of micrograd_core.nn: the lecture's MLP, activations, seeding, parameters and zero_grad."""

import math
import random

import pytest

from micrograd_core.engine import Value
from micrograd_core.nn import MLP, Layer, Neuron


def test_lecture_mlp_shape_and_output():
    mlp = MLP(3, [4, 4, 1], seed=0)
    assert len(mlp.parameters()) == 41
    out = mlp([2.0, 3.0, -1.0])
    assert isinstance(out, Value)
    assert -1.0 < out.data < 1.0  # tanh output
    assert out._op == "tanh"


def test_layer_with_several_outputs_returns_a_list():
    out = Layer(3, 2, seed=1)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2


def test_neuron_computes_w_dot_x_plus_b():
    n = Neuron(2, activation="linear", seed=3)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -2.0, 0.25
    assert n([2.0, 1.0]).data == pytest.approx(0.5 * 2 - 2.0 * 1 + 0.25)
    n.activation = "tanh"
    assert n([2.0, 1.0]).data == pytest.approx(math.tanh(-0.75))


def test_seed_repeats_exactly_and_random_instance_accepted():
    a = [p.data for p in MLP(2, [16, 16, 1], seed=42).parameters()]
    b = [p.data for p in MLP(2, [16, 16, 1], seed=42).parameters()]
    c = [p.data for p in MLP(2, [16, 16, 1], seed=43).parameters()]
    d = [p.data for p in MLP(2, [16, 16, 1], seed=random.Random(42)).parameters()]
    assert a == b == d and a != c


def test_seeding_does_not_touch_global_random_state():
    random.seed(7)
    expected = random.random()
    random.seed(7)
    MLP(3, [4, 4, 1], seed=1)
    assert random.random() == expected


def test_activations_hidden_and_output():
    mlp = MLP(2, [3, 1], activation="relu", output_activation="linear", seed=0)
    assert [n.activation for n in mlp.layers[0].neurons] == ["relu"] * 3
    assert mlp.layers[1].neurons[0].activation == "linear"
    assert mlp([1.0, -1.0])._op != "relu"
    with pytest.raises(ValueError, match="unknown activation"):
        MLP(2, [1], activation="swish")


def test_zero_grad_and_backward_through_mlp():
    mlp = MLP(3, [4, 4, 1], seed=0)
    loss = (mlp([2.0, 3.0, -1.0]) - 1.0) ** 2
    loss.backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_parameter_gradient_matches_central_difference():
    mlp = MLP(3, [4, 4, 1], seed=5)
    x = [2.0, 3.0, -1.0]
    loss = (mlp(x) - 1.0) ** 2
    loss.backward()
    h = 1e-6
    for p in mlp.parameters()[::7]:
        old = p.data
        p.data = old + h
        up = ((mlp(x) - 1.0) ** 2).data
        p.data = old - h
        down = ((mlp(x) - 1.0) ** 2).data
        p.data = old
        assert p.grad == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


def test_the_lectures_defaults_names_and_shapes():
    neuron = Neuron(2, seed=0)
    assert neuron.activation == "tanh" and [w.label for w in neuron.w] == ["w1", "w2"] and neuron.b.label == "b"
    single = Layer(3, 1, seed=0)([1.0, 2.0, 3.0])
    assert isinstance(single, Value)  # a layer of one neuron gives one Value, as in the lecture
    assert len(Layer(3, 2, seed=0)([1.0, 2.0, 3.0])) == 2
    mlp = MLP(3, [4, 4, 1], seed=0)
    assert mlp.nin == 3 and mlp.nouts == [4, 4, 1] and mlp.activation == mlp.output_activation == "tanh"
    assert repr(mlp) == ("MLP of [Layer of [TanhNeuron(3), TanhNeuron(3), TanhNeuron(3), TanhNeuron(3)], "
                         "Layer of [TanhNeuron(4), TanhNeuron(4), TanhNeuron(4), TanhNeuron(4)], "
                         "Layer of [TanhNeuron(4)]]")
    with pytest.raises(ValueError, match="choose one of tanh, relu, sigmoid, linear"):
        Neuron(2, activation="cube")
