"""Tests for ui.training_figures: the same look as ui.figures.styled, and the data each figure draws."""

import numpy as np
import plotly.graph_objects as go
import pytest

from micrograd_core.graph import NEGATIVE_COLOR, POSITIVE_COLOR
from ui.figures import styled
from ui.training_figures import (
    accuracy_figure,
    base_layout,
    boundary_figure,
    log_ticks,
    loss_figure,
    targets_figure,
)


def test_base_layout_looks_like_styled():
    mine = go.Figure(dict(data=[], layout=base_layout(300))).layout
    theirs = styled(go.Figure(), height=300).layout
    for key in ("height", "colorway", "font", "margin", "legend", "paper_bgcolor", "plot_bgcolor", "hovermode"):
        assert mine[key] == theirs[key], key
    for axis in ("xaxis", "yaxis"):
        assert mine[axis].gridcolor == "rgba(127,127,127,0.25)"


def test_loss_figure_draws_earlier_runs_under_the_current_one():
    kept = [("lr 0.05 · tanh 4-4", [1, 2, 3], [4.0, 2.0, 1.0])]
    fig = loss_figure([1, 2], [5.0, 3.0], "this run", kept)
    assert [t.name for t in fig.data] == ["lr 0.05 · tanh 4-4", "this run"]
    assert list(fig.data[0].y) == [4.0, 2.0, 1.0] and fig.data[0].opacity < 1
    assert list(fig.data[1].y) == [5.0, 3.0] and fig.data[1].line.color == POSITIVE_COLOR
    assert fig.layout.yaxis.type == "log"
    empty = loss_figure([], [], "this run")
    assert empty.layout.annotations[0].text == "Press Step or Train"
    assert empty.layout.yaxis.type != "log"


def test_accuracy_in_percent():
    fig = accuracy_figure([1, 2], [0.5, 0.75])
    assert list(fig.data[0].y) == [50.0, 75.0]


def test_targets_figure_colours_by_sign_and_shows_values():
    fig = targets_figure([0.25, -0.5], [1.0, -1.0])
    bars, targets = fig.data
    assert list(bars.marker.color) == [POSITIVE_COLOR, NEGATIVE_COLOR]
    assert list(targets.y) == [1.0, -1.0]
    assert list(fig.layout.xaxis.ticktext) == ["sample 1<br>0.250", "sample 2<br>-0.500"]


def test_boundary_figure_heatmap_contour_and_classes():
    xs, ys = np.linspace(-1, 1, 3), np.linspace(-2, 2, 3)
    z = np.array([[-1.0, 0.5, 1.0], [-0.5, 0.2, 0.8], [-0.2, 0.1, 0.3]])
    X, y = [[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]], [1.0, -1.0, 1.0]
    fig = boundary_figure(xs, ys, z, X, y)
    types = [t.type for t in fig.data]
    assert types == ["heatmap", "contour", "scatter", "scatter"]
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), z)
    assert list(fig.data[2].x) == [0.0, -1.0] and fig.data[2].marker.color == POSITIVE_COLOR
    assert list(fig.data[3].x) == [1.0] and fig.data[3].marker.symbol == "diamond"
    one_sided = boundary_figure(xs, ys, np.abs(z) + 0.1, X, y)
    assert "contour" not in [t.type for t in one_sided.data]  # no boundary to draw


def test_log_ticks_label_values_in_full():
    assert log_ticks([4.95]) == [2.0, 5.0, 10.0]
    assert log_ticks([2.3, 0.01]) == pytest.approx([0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0])
    wide = log_ticks([7.7, 0.0008])  # many decades: powers of ten only
    assert wide == pytest.approx([0.001, 0.01, 0.1, 1.0, 10.0])
    assert log_ticks([]) == [] and log_ticks([0.0, -1.0, float("nan")]) == []
    fig = loss_figure([1, 2], [4.0, 0.5], "this run")
    assert list(fig.layout.yaxis.ticktext) == ["0.2", "0.5", "1", "2", "5", "10"]
