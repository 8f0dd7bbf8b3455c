"""Tests for the network opened up: diagram data, neuron maps and formulas, the class's own points,
held-out data, equal initial weights, and the same run in numpy."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.mlp.diagram import diagram, neuron_view
from lessons.mlp.points import LINK_POINTS, MAX_BYTES, PointsError, from_link, read_csv, to_link, write_csv
from lessons.mlp.runs import decision_grid, hidden_maps
from lessons.mlp.settings import (
    CONSTANT_WEIGHT,
    CUSTOM,
    MAX_POINTS,
    PRESETS,
    RunSettings,
    all_data,
    check_limits,
    held_out_data,
    make_data,
    make_model,
    make_trainer,
)
from lessons.mlp.trajectory import Trajectory
from lessons.mlp.twin import check_steps, train_in_numpy
from micrograd_core.engine import Value

LECTURE = PRESETS["Lecture"]
DEMO = PRESETS["micrograd demo"]
MOONS = RunSettings(dataset="moons", n_points=40, layers=2, neurons=4, lr=0.1)
TWO_POINTS = ((0.0, 1.0, 1.0), (1.0, 0.0, -1.0))


# --- the diagram and the neurons ---

def test_diagram_edges_are_the_models_weights_with_their_signs():
    model = make_model(DEMO)
    d = diagram(model, max_shown=20)
    assert d.sizes == (2, 16, 16, 1)
    assert d.shown == (2, 16, 16, 1)
    assert len(d.edges) == 2 * 16 + 16 * 16 + 16
    for e in d.edges:
        w = model.layers[e.layer - 1].neurons[e.target].w[e.source].data
        assert e.weight == w
        assert (e.weight < 0) == (w < 0)
    assert d.parameters == (48, 272, 17) and sum(d.parameters) == len(model.parameters())
    assert d.activations == ("relu", "relu", "linear")


def test_a_wide_layer_shows_its_first_neurons_only():
    d = diagram(make_model(DEMO), max_shown=5)
    assert d.shown == (2, 5, 5, 1)
    assert {(e.layer, e.source, e.target) for e in d.edges} == (
        {(1, i, j) for i in range(2) for j in range(5)} | {(2, i, j) for i in range(5) for j in range(5)}
        | {(3, i, 0) for i in range(5)})


def test_neuron_view_has_the_neurons_numbers_and_last_gradients():
    trainer = make_trainer(LECTURE)
    trainer.step()
    trainer.model.zero_grad()
    loss = trainer.loss([trainer.model(x) for x in trainer.X], trainer.y)
    loss.backward()
    neuron = trainer.model.layers[1].neurons[2]
    view = neuron_view(trainer.model, 2, 3)
    assert view.weights == tuple(w.data for w in neuron.w)
    assert view.weight_grads == tuple(w.grad for w in neuron.w)
    assert view.bias == neuron.b.data and view.bias_grad == neuron.b.grad
    assert view.inputs == ("h1", "h2", "h3", "h4")
    assert any(g != 0 for g in view.weight_grads)
    first = neuron_view(trainer.model, 1, 1)
    assert first.inputs == ("x1", "x2", "x3")
    assert first.formula().startswith("tanh(") and first.formula().count("·x") == 3
    with pytest.raises(IndexError):
        neuron_view(trainer.model, 4, 1)
    with pytest.raises(IndexError):
        neuron_view(trainer.model, 1, 5)


def test_neuron_formula_writes_negative_numbers_in_brackets_and_linear_without_a_function():
    model = make_model(DEMO)
    out = model.layers[-1].neurons[0]
    out.w[0].data, out.b.data = -0.5, 0.25
    text = neuron_view(model, 3, 1).formula()
    assert text.startswith("(-0.5)·h1 + ") and text.endswith(" + 0.25") and "relu" not in text


def test_hidden_maps_equal_the_value_forward_pass():
    model = make_model(MOONS)
    X, _ = make_data(MOONS)
    maps = hidden_maps(model, X, resolution=7)
    xs, ys, _ = decision_grid(model, X, resolution=7)
    assert [len(layer) for layer in maps] == [4, 4]
    for row, col in [(0, 0), (3, 5), (6, 2)]:
        a: list = [Value(xs[col]), Value(ys[row])]
        for li, layer in enumerate(model.layers[:-1]):
            a = [n(a) for n in layer.neurons]
            for j, out in enumerate(a):
                assert maps[li][j][row, col] == pytest.approx(out.data, abs=1e-12)


# --- equal initial weights: the symmetry lesson ---

@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_equal_initial_weights_keep_a_layers_neurons_equal(init):
    settings = replace(MOONS, init=init, neurons=5)
    trainer = make_trainer(settings)
    assert {p.data for p in trainer.model.parameters()} == {0.0 if init == "zeros" else CONSTANT_WEIGHT}
    trainer.steps(25)
    assert trainer.history[0].loss != trainer.history[-1].loss or init == "zeros"
    for layer in trainer.model.layers:
        first = layer.neurons[0]
        for neuron in layer.neurons[1:]:
            assert [w.data for w in neuron.w] == [w.data for w in first.w]
            assert neuron.b.data == first.b.data


def test_random_initial_weights_differ_between_neurons():
    model = make_model(MOONS)
    assert len({n.w[0].data for n in model.layers[0].neurons}) == 4


# --- held-out data ---

def test_the_split_holds_out_a_fixed_share_and_keeps_every_point_once():
    settings = replace(MOONS, test_fraction=0.3)
    X_all, y_all = all_data(settings)
    X, y = make_data(settings)
    tX, ty = held_out_data(settings)
    assert (len(y), len(ty)) == (28, 12)
    together = sorted(map(tuple, np.column_stack([np.vstack([X, tX]), np.concatenate([y, ty])]).tolist()))
    assert together == sorted(map(tuple, np.column_stack([X_all, y_all]).tolist()))
    assert make_data(settings) == make_data(replace(settings))  # fixed by the data seed
    assert make_data(settings) != make_data(replace(settings, data_seed=1))
    assert held_out_data(MOONS) == ([], [])
    assert held_out_data(replace(LECTURE, test_fraction=0.5)) == ([], [])  # the four samples are never split


def test_a_trajectory_measures_the_held_out_loss_of_every_step():
    settings = replace(MOONS, test_fraction=0.5)
    trajectory = Trajectory(settings)
    for _ in range(3):
        trajectory.advance()
    tests = trajectory.tests(3)
    assert len(tests) == 3
    tX, ty = (np.asarray(a) for a in held_out_data(settings))
    model = make_model(settings)
    for k, (loss, acc) in enumerate(tests):
        scores = np.array([model(x).data for x in tX.tolist()])
        assert loss == pytest.approx(float(np.sum((scores - ty) ** 2)), rel=1e-12)
        assert acc == pytest.approx(float(np.mean((scores > 0) == (ty > 0))))
        model = trajectory.model_at(k + 1)
    assert Trajectory(MOONS).tests(0) == []


# --- the class's own points ---

def test_custom_points_are_the_data_and_need_both_classes():
    settings = RunSettings(dataset=CUSTOM, own_points=TWO_POINTS)
    assert make_data(settings) == ([[0.0, 1.0], [1.0, 0.0]], [1.0, -1.0])
    assert not check_limits(settings)
    for points in [(), TWO_POINTS[:1], ((0.0, 0.0, 1.0),) * (MAX_POINTS + 1)]:
        assert [p.setting for p in check_limits(replace(settings, own_points=points))] == ["own_points"]
    assert settings.model_key() != replace(settings, own_points=TWO_POINTS[::-1]).model_key()


def test_read_csv_reads_headers_semicolons_a_bom_and_zero_one_labels():
    assert read_csv(b"x1,x2,label\n0.5,1,1\n-2,3e-1,-1\n") == [(0.5, 1.0, 1.0), (-2.0, 0.3, -1.0)]
    assert read_csv("\ufeffx1;x2;label\r\n1;2;0\r\n3;4;1\r\n".encode()) == [(1.0, 2.0, -1.0), (3.0, 4.0, 1.0)]
    assert read_csv(b"1,2,1\n\n3,4,-1\n") == [(1.0, 2.0, 1.0), (3.0, 4.0, -1.0)]
    # a European spreadsheet: semicolons between the columns, a decimal comma in the numbers
    assert read_csv(b"-0,219;0,399;-1\n1,5;2;1\n") == [(-0.219, 0.399, -1.0), (1.5, 2.0, 1.0)]


@pytest.mark.parametrize("data, code, row", [
    (b"", "empty", 0),
    (b"   \n\n", "empty", 0),
    (b"x1,x2,label\n", "empty", 0),
    (b"1,2,1\n3,4\n", "columns", 2),
    (b"1,2,1,9\n", "columns", 1),
    (b"x1,x2,label\n1,2,1\nfoo,2,1\n", "number", 3),
    (b"1,2,1\n1,nan,-1\n", "finite", 2),
    (b"1,2,1\ninf,2,-1\n", "finite", 2),
    (b"1,2,1\n1e308,-1e308,-1\n", "range", 2),  # a plane that far out cannot be drawn, as a link refuses it
    (b"1,2,1\n100.5,0,-1\n", "range", 2),
    (b"1;2;1\n1,5,0;2;-1\n", "number", 2),  # one decimal comma to a number, at most
    (b"1,2,3\n", "label", 1),
    (b"1,2,2\n", "a_class_missing", 0),  # a label 2: three classes, and 0 and 1 have no point
    (b"1,2,1\n1,2,0\n1,2,-1\n", "label", 0),
    (b"1,2,1\n3,4,1\n", "one_class", 0),
    (b"\xff\xfe\x00binary", "number", 1),
    (b"1,2,1\n" * (MAX_POINTS + 1), "too_many", 0),
    (b"1,2,1\n" * 10**6, "too_big", 0),
    (b"=cmd|' /C calc'!A0,2,1\n", "number", 1),
])
def test_read_csv_refuses_a_hostile_file_whole_and_says_why(data, code, row):
    with pytest.raises(PointsError) as error:
        read_csv(data)
    assert error.value.code == code
    assert error.value.row == row


def test_read_csv_checks_the_size_before_reading():
    with pytest.raises(PointsError) as error:
        read_csv(b"1" * (MAX_BYTES + 1))
    assert error.value.code == "too_big" and "100,001" in error.value.found


points_strategy = st.lists(
    st.tuples(st.floats(-50, 50, allow_nan=False), st.floats(-50, 50, allow_nan=False), st.sampled_from([-1.0, 1.0])),
    min_size=2, max_size=40).filter(lambda ps: {p[2] for p in ps} == {-1.0, 1.0})


@settings(max_examples=60, deadline=None)
@given(points_strategy)
def test_a_download_reads_back_exactly(points):
    assert read_csv(write_csv(points).encode()) == points


@settings(max_examples=60, deadline=None)
@given(points_strategy)
def test_a_link_keeps_the_points_to_four_digits(points):
    back = from_link(to_link(points))
    assert len(back) == len(points)
    for (a1, a2, la), (b1, b2, lb) in zip(points, back):
        assert la == lb
        assert b1 == pytest.approx(a1, rel=1e-3, abs=1e-4) and b2 == pytest.approx(a2, rel=1e-3, abs=1e-4)


def test_a_link_holds_up_to_its_limit_and_refuses_what_no_link_made():
    many = [(float(i), 0.0, 1.0) for i in range(LINK_POINTS + 1)]
    assert to_link(many[:-1]) is not None and to_link(many) is None
    for bad in ["1:2", "1:2:3", "a:b:1", "nan:0:1", "1e9:0:1", "1:2:1;" * (LINK_POINTS + 1)]:
        with pytest.raises(ValueError):
            from_link(bad)
    assert from_link("") == []


# --- the same run in numpy ---

@pytest.mark.parametrize("settings, steps", [
    (LECTURE, 30),
    (replace(DEMO, batch_size=16), 12),
    (replace(MOONS, forget_zero_grad=True, lr=0.01), 10),
    (replace(MOONS, activation="relu", loss="hinge", lr_decay=True, test_fraction=0.3), 10),
    (replace(LECTURE, optimizer="momentum", lr=0.01), 30),  # the optimiser's own lines, over whole matrices
    (replace(LECTURE, optimizer="Adam", lr=0.01), 30),
    (replace(MOONS, optimizer="Adam", lr=0.01, batch_size=8, forget_zero_grad=True), 10),
])
def test_numpy_twin_gives_the_value_engines_loss_curve(settings, steps):
    trainer = make_trainer(settings)
    trainer.steps(steps)
    values = [r.loss for r in trainer.history]
    assert len(values) == steps
    twin = train_in_numpy(settings, steps)
    assert np.max(np.abs(np.subtract(twin, values))) <= 1e-12 * max(1.0, max(values))


def test_the_class_s_own_points_keep_their_side_of_the_split_when_one_is_added():
    rng = np.random.default_rng(0)
    points = tuple((float(a), float(b), 1.0 if a > 0 else -1.0) for a, b in rng.uniform(-1, 1, (60, 2)))
    settings = RunSettings(dataset=CUSTOM, own_points=points, test_fraction=0.3)
    X, _ = make_data(settings)
    tX, _ = held_out_data(settings)
    assert 8 <= len(tX) <= 30 and len(X) + len(tX) == 60
    more = replace(settings, own_points=points + ((0.5, 0.5, 1.0),))
    X2, _ = make_data(more)
    tX2, _ = held_out_data(more)
    assert [x for x in X2 if x != [0.5, 0.5]] == X and [x for x in tX2 if x != [0.5, 0.5]] == tX
    one = replace(settings, own_points=TWO_POINTS, test_fraction=0.5)
    assert len(make_data(one)[0]) >= 1  # never everything held out


def test_numpy_twin_follows_a_run_whose_settings_changed_while_it_trained():
    trajectory = Trajectory(replace(MOONS, batch_size=8))
    for _ in range(4):
        trajectory.advance()
    changed = replace(MOONS, lr=0.3, forget_zero_grad=True)
    fork = trajectory.fork(4, changed)
    for _ in range(4):
        fork.advance()
    reports = fork.reports(8)
    assert [r.lr for r in reports] == [0.1] * 4 + [0.3] * 4 and reports[0].batch == 8 and reports[-1].forget_zero_grad
    twin = train_in_numpy(changed, 8, reports)
    assert np.max(np.abs(np.subtract(twin, [r.loss for r in reports]))) <= 1e-12 * max(r.loss for r in reports)
    assert np.max(np.abs(np.subtract(train_in_numpy(changed, 8), [r.loss for r in reports]))) > 1e-6


def test_the_equal_weights_preset_stays_one_neuron_and_random_weights_do_not():
    symmetry = PRESETS["Symmetry"]
    assert train_in_numpy(symmetry, 1) == [r.loss for r in make_trainer(symmetry).steps(1)]
    trainer = make_trainer(symmetry)
    trainer.steps(200)
    lonely = trainer.history[-1].accuracy
    free = make_trainer(replace(symmetry, init="random"))
    free.steps(200)
    assert lonely < 0.8 <= 0.95 <= free.history[-1].accuracy


@pytest.mark.parametrize("name", ["Overfitting", "Symmetry"])
def test_numpy_redoes_every_step_from_the_engines_weights_to_the_last_digits(name):
    settings = PRESETS[name]
    trajectory = Trajectory(settings)
    for _ in range(120):
        trajectory.advance()
    states = [trajectory.state(k) for k in range(121)]
    loss_gap, grad_gap = check_steps(settings, states)
    assert loss_gap < 1e-12 and grad_gap < 1e-12
    wrong = replace(settings, loss="hinge")  # a numpy pass that is not the engine's is seen at once
    assert check_steps(wrong, states)[0] > 1e-3


def test_forgetting_zero_grad_is_checked_on_the_piled_up_gradients():
    settings = replace(MOONS, forget_zero_grad=True, lr=0.01)
    trajectory = Trajectory(settings)
    for _ in range(5):
        trajectory.advance()
    assert max(check_steps(settings, [trajectory.state(k) for k in range(6)])) < 1e-12
