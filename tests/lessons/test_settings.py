"""Tests for lessons.mlp.settings: named setups, limits, batch capping, building and live changes."""

import math
from dataclasses import replace

import pytest

from lessons.mlp.data import make_moons, tiny_dataset
from lessons.mlp.settings import (
    BATCH_SIZES,
    LEARNING_RATES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    MAX_POINTS,
    MAX_WORK,
    PRESETS,
    BatchCut,
    RunSettings,
    batch_cut,
    check_limits,
    effective_batch,
    make_trainer,
    matching_preset,
    parameter_count,
    weight_count,
)
from micrograd_core.nn import MLP

LECTURE = PRESETS["Lecture"]
DEMO = PRESETS["micrograd demo"]


def test_parameter_count_of_the_lectures_mlp():
    assert parameter_count(3, [4, 4, 1]) == 41  # (3+1)*4 + (4+1)*4 + (4+1)*1
    assert parameter_count(2, [16, 16, 1]) == 337  # micrograd's demo prints 337
    assert parameter_count(3, [4, 4, 1]) == len(MLP(3, [4, 4, 1]).parameters())
    assert weight_count(3, [4, 4, 1]) == 12 + 16 + 4


def test_lecture_preset_is_the_lecture():
    assert (LECTURE.dataset, LECTURE.hidden, LECTURE.activation, LECTURE.loss, LECTURE.lr) == (
        "tiny", (4, 4), "tanh", "squared_error", 0.05)
    trainer = make_trainer(LECTURE)
    assert trainer.X == tiny_dataset()[0] and trainer.y == [1.0, -1.0, -1.0, 1.0]
    assert [len(layer.neurons) for layer in trainer.model.layers] == [4, 4, 1]
    assert trainer.model.layers[-1].neurons[0].activation == "tanh"
    assert len(trainer.model.parameters()) == 41
    assert trainer.config.batch_size is None and not trainer.config.forget_zero_grad


def test_demo_preset_follows_micrograds_notebook():
    trainer = make_trainer(DEMO)
    X, y = make_moons(100, 0.1, seed=0)
    assert trainer.X == X.tolist() and trainer.y == y.tolist()
    assert [n.activation for n in trainer.model.layers[0].neurons] == ["relu"] * 16
    assert trainer.model.layers[-1].neurons[0].activation == "linear"
    assert len(trainer.model.parameters()) == 337
    c = trainer.config
    assert (c.loss, c.lr, c.lr_decay, c.alpha, c.batch_size) == ("hinge", 1.0, True, 1e-4, None)


def test_presets_use_offered_values_and_are_within_limits():
    for preset in PRESETS.values():
        assert preset.lr in LEARNING_RATES
        assert preset.batch_size in BATCH_SIZES
        assert check_limits(preset) == []


def test_matching_preset_ignores_unused_data_settings():
    assert matching_preset(LECTURE) == "Lecture"
    assert matching_preset(DEMO) == "micrograd demo"
    assert matching_preset(replace(LECTURE, noise=0.4, n_points=300)) == "Lecture"  # tiny data ignores them
    assert matching_preset(replace(LECTURE, lr=0.1)) is None
    assert matching_preset(replace(DEMO, noise=0.2)) is None


@pytest.mark.parametrize(
    "change, setting",
    [
        (dict(layers=MAX_HIDDEN_LAYERS + 1), "layers"),
        (dict(layers=0), "layers"),
        (dict(neurons=MAX_NEURONS + 1), "neurons"),
        (dict(neurons=0), "neurons"),
        (dict(dataset="moons", n_points=MAX_POINTS + 1), "n_points"),
        (dict(dataset="moons", n_points=2), "n_points"),
        (dict(dataset="iris"), "dataset"),
        (dict(activation="sigmoid"), "activation"),
        (dict(loss="cross_entropy"), "loss"),
        (dict(lr=0.0), "lr"),
        (dict(lr=math.nan), "lr"),
        (dict(batch_size=0), "batch_size"),
    ],
)
def test_limits_name_the_setting_what_was_asked_and_what_is_allowed(change, setting):
    settings = replace(LECTURE, **change)
    problems = check_limits(settings)
    assert len(problems) == 1 and problems[0].setting == setting
    assert problems[0].asked is getattr(settings, setting) or problems[0].asked == getattr(settings, setting)
    assert problems[0].allowed
    with pytest.raises(ValueError, match=setting):
        make_trainer(settings)


def test_largest_allowed_model_is_within_limits():
    biggest = RunSettings(dataset="spiral", n_points=MAX_POINTS, layers=MAX_HIDDEN_LAYERS, neurons=MAX_NEURONS)
    assert check_limits(biggest) == []
    assert check_limits(replace(LECTURE, n_points=10_000)) == []  # the lecture's data has no size setting


def test_big_steps_are_cut_to_minibatches():
    # 2*32 + 3*32*32 + 32 = 3,168 weights: a full step on 500 points would use 1.6 million
    biggest = RunSettings(dataset="spiral", n_points=MAX_POINTS, layers=MAX_HIDDEN_LAYERS, neurons=MAX_NEURONS)
    assert weight_count(2, [32, 32, 32, 32, 1]) == 3168
    assert effective_batch(biggest) == MAX_WORK // 3168 == 18
    assert batch_cut(biggest) == BatchCut(asked=500, size=18, values=2 * 3168 * 500)
    assert effective_batch(replace(biggest, batch_size=8)) == 8 and batch_cut(replace(biggest, batch_size=8)) is None
    # the demo fits: 304 weights x 100 points
    assert effective_batch(DEMO) is None and batch_cut(DEMO) is None
    assert effective_batch(replace(LECTURE, batch_size=2)) == 2
    assert effective_batch(replace(LECTURE, batch_size=256)) is None  # more than the 4 samples: all of them
    trainer = make_trainer(biggest)
    assert trainer.config.batch_size == 18 and math.isfinite(trainer.step().loss)


def test_what_needs_a_new_model_and_what_a_running_one_takes_on():
    for change in (dict(layers=3), dict(neurons=8), dict(activation="relu"), dict(model_seed=1), dict(loss="hinge"),
                   dict(dataset="moons")):
        assert replace(LECTURE, **change).model_key() != LECTURE.model_key(), change
    for change in (dict(lr=0.5), dict(forget_zero_grad=True), dict(batch_size=2), dict(lr_decay=True),
                   dict(noise=0.3)):
        assert replace(LECTURE, **change).model_key() == LECTURE.model_key(), change
    assert replace(LECTURE, noise=0.3).run_key() == LECTURE.run_key()  # the lecture's data has no noise
    for change in (dict(noise=0.3), dict(n_points=200), dict(data_seed=1)):
        assert replace(DEMO, **change).model_key() != DEMO.model_key(), change


def test_a_sliders_float_noise_is_the_same_setting():
    assert RunSettings(dataset="moons", noise=0.15000000000000002) == RunSettings(dataset="moons", noise=0.15)


def test_small_batches_and_the_lectures_four_samples():
    assert check_limits(replace(LECTURE, batch_size=1)) == []
    assert effective_batch(replace(LECTURE, batch_size=3)) == 3
    assert effective_batch(replace(LECTURE, batch_size=4)) is None
    assert RunSettings(noise=0.123).noise == 0.12


def test_a_runs_link_names_what_differs_from_the_defaults_by_the_fields_names():
    from lessons.mlp.settings import run_link

    assert run_link(RunSettings()) == {}
    assert run_link(replace(RunSettings(), lr=0.1, forget_zero_grad=True, batch_size=8)) == {
        "mlp_lr": "0.1", "mlp_forget_zero_grad": "1", "mlp_batch_size": "8"}
    assert run_link(replace(RunSettings(), lr_decay=True, batch_size=None)) == {"mlp_lr_decay": "1"}
