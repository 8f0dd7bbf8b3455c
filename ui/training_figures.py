"""Vega-Lite charts of the MLP training page: loss curves, accuracy, predictions against targets, decision boundary.

They are redrawn four times a second while training. Streamlit gives a changed Plotly figure a new
element, which the browser mounts afresh and keeps hidden until drawn: on a busy machine the live
charts blinked out half the time. A Vega-Lite chart whose spec stays the same is updated in place,
so each spec here holds no numbers from the run: they all travel in its named `datasets`.

Datasets are DataFrames built from columns: converting thousands of dicts to Arrow, four times a
second, took a tenth of the server's time. Charts only draw numbers they are given (computed by
`micrograd_core`). Positive is blue and negative vermillion (Okabe-Ito); the classes also differ in shape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .figures import font_size
from .mode import presenting, text_color
from .palette import GREEN, GREY, HIGHLIGHT, NEGATIVE, POSITIVE, PURPLE, SERIES, SKY, blend

KEPT_COLORS = [GREEN, PURPLE, HIGHLIGHT, SKY, GREY, NEGATIVE]
# The score colours blended 60% over white, drawn opaque, so the black boundary line reads on either theme.
SCORE_RANGE = [blend(NEGATIVE, 0.6), "#FFFFFF", blend(POSITIVE, 0.6)]
EMPTY_TEXT = "Press Step or Train"
STEP_AXIS = {"tickMinStep": 1, "format": "d"}  # whole steps


# In presentation mode the live charts share a 1280x720 screen with the buttons, the lesson's switches
# and the numbers: they are drawn this high there, whatever their height elsewhere.
PRESENTING_HEIGHT = 290


def layered_spec(height: int, layers: list[dict], datasets: dict[str, pd.DataFrame], description: str, **extra) -> dict:
    """A layered Vega-Lite chart in the app's style; `datasets` holds every number it draws.

    `description` says in a sentence what it shows (the same at every redraw: only the data may change), the
    chart's name for a screen reader; its marks, thousands of them, are left out of the accessibility tree.

    In presentation mode the chart's text is as large and as dark as the body text (a canvas
    chart cannot be restyled by the page's CSS, so the colour is set here).
    """
    size = font_size()
    text = {"labelColor": text_color(), "titleColor": text_color()} if presenting() else {}
    # In large type a y title written up the axis is longer than a short chart is high, and the chart
    # shrinks its plot to fit the title in: there, it is written across, above the axis.
    across = ({"titleAngle": 0, "titleAlign": "left", "titleAnchor": "end", "titleBaseline": "bottom",
               "titleX": 0, "titleY": -10} if presenting() else {})
    return {
        "height": min(height, PRESENTING_HEIGHT) if presenting() else height,
        "layer": layers,
        "datasets": datasets,
        "description": description,
        "config": {
            "aria": False, "mark": {"aria": False},
            "axis": {"labelFontSize": size, "titleFontSize": size, "gridOpacity": 0.5, **text},
            "axisY": across,
            "legend": {"labelFontSize": size, "titleFontSize": size, "labelLimit": 0, **text},
            "text": {"fontSize": size - 2},
            "view": {"stroke": None},
        },
        **extra,
    }


def loss_chart(
    steps: Sequence[int],
    losses: Sequence[float],
    label: str,
    kept: Sequence[tuple[str, Sequence[int], Sequence[float]]] = (),
    stop: tuple[int, float] | None = None,
    held_out: Sequence[float] | None = None,
) -> dict:
    """The current run's loss per step (bold blue, dots while short) over earlier runs' curves (faded), log scale.

    A loss of exactly 0 has no place on a log axis: such steps are drawn on the chart's floor as
    hollow triangles, said in a note. `stop` (step, loss) marks the step that blew up, above the curve.
    `held_out`, beside `losses` step for step, is the loss on the held-out samples: a dashed line.
    """
    names = [name for name, _, _ in kept] + [label] + ([HELD_OUT] if held_out is not None else [])
    colors = ([KEPT_COLORS[i % len(KEPT_COLORS)] for i in range(len(kept))] + [POSITIVE]
              + ([HIGHLIGHT] if held_out is not None else []))
    x = {"field": "step", "type": "quantitative", "title": _step_title(), "scale": {"domainMin": 0}, "axis": STEP_AXIS}
    y = {"field": "shown", "type": "quantitative", "title": "loss (log scale)", "scale": {"type": "log"}}
    color = {"field": "run", "type": "nominal", "title": None, "sort": names,
             "scale": {"domain": names, "range": colors},
             "legend": _legend()}
    floor = _floor([*losses, *(v for _, _, ys in kept for v in ys), *(held_out or [])])
    current = _curve(steps, losses, label, floor)
    tested = _curve(steps, held_out, HELD_OUT, floor) if held_out is not None else _curve([], [], HELD_OUT, floor)
    zeros = current[current["loss"] <= 0]
    datasets = {
        "kept": pd.concat([_curve(xs, ys, name, floor) for name, xs, ys in kept] or [_curve([], [], "", floor)]),
        "current": current,
        "held_out": tested,
        "dots": current if len(current) <= 40 else current.iloc[:0],  # a lone first step stays visible
        "zeros": zeros,
        "notes": pd.DataFrame({"text": [ZERO_TEXT] if len(zeros) else [], "shown": [floor] * min(len(zeros), 1)}),
        "stop": _stop_point(stop, [*losses, *(v for _, _, ys in kept for v in ys)]),
        "empty": pd.DataFrame({"text": [] if len(current) or kept else [EMPTY_TEXT]}),
    }
    layers = [
        {"data": {"name": "kept"}, "mark": {"type": "line", "strokeWidth": 2, "opacity": 0.55},
         "encoding": {"x": x, "y": y, "color": color, "detail": {"field": "run"}}},
        {"data": {"name": "current"}, "mark": {"type": "line", "strokeWidth": 3},
         "encoding": {"x": x, "y": y, "color": color}},
        {"data": {"name": "held_out"}, "mark": {"type": "line", "strokeWidth": 3, "strokeDash": [7, 4]},
         "encoding": {"x": x, "y": y, "color": color}},
        {"data": {"name": "dots"}, "mark": {"type": "point", "filled": True, "size": 40},
         "encoding": {"x": x, "y": y, "color": color}},
        {"data": {"name": "zeros"}, "mark": {"type": "point", "shape": "triangle-down", "size": 90, "filled": False,
                                            "strokeWidth": 2, "color": POSITIVE},
         "encoding": {"x": x, "y": y}},
        {"data": {"name": "notes"}, "mark": {"type": "text", "align": "right", "baseline": "bottom", "dy": -8,
                                            "x": {"expr": "width"}, "color": GREY},
         "encoding": {"y": y, "text": {"field": "text"}}},
        {"data": {"name": "stop"}, "mark": {"type": "point", "shape": "cross", "size": 260, "filled": True,
                                           "color": NEGATIVE},
         "encoding": {"x": x, "y": y}},
        {"data": {"name": "stop"}, "mark": {"type": "text", "align": "right", "dx": -12, "color": NEGATIVE,
                                           "fontWeight": "bold"},
         "encoding": {"x": x, "y": y, "text": {"field": "text"}}},
        {"data": {"name": "empty"}, "mark": {"type": "text", "color": GREY, "fontSize": 18},
         "encoding": {"text": {"field": "text"}}},
    ]
    return layered_spec(380, layers, datasets, "The loss at each step, log scale: this run's line, earlier runs "
                        "faded, the held-out samples' loss dashed, a cross where a run blew up.")


HELD_OUT = "held-out (dashed)"
def _step_title() -> str | None:
    return None if presenting() else "step"  # in large type the axis needs the room; the step is shown above


def _legend() -> dict:
    """Below the chart, one entry a line; in presentation mode above it, side by side, to leave the plot its height."""
    if not presenting():
        return {"orient": "bottom", "direction": "vertical"}
    return {"orient": "top", "direction": "horizontal", "columns": 2, "labelLimit": 250}


ZERO_TEXT = "▼ loss exactly 0: a log axis has no 0, so it is drawn here"


def _floor(values: Sequence[float]) -> float:
    """Where a loss of 0 is drawn: a decade below the smallest positive loss."""
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    return 10.0 ** (math.floor(math.log10(min(positive))) - 1) if positive else 1e-3


def _stop_point(stop: tuple[int, float] | None, losses: Sequence[float]) -> pd.DataFrame:
    """The step that blew up, drawn above the curve (its loss may be 1e300, inf or nan), labelled with the loss."""
    if stop is None:
        return pd.DataFrame({"step": np.array([], dtype=np.int64), "shown": [], "text": []})
    step, loss = stop
    top = max([v for v in losses if v > 0 and math.isfinite(v)], default=1.0)
    shown = loss if math.isfinite(loss) and 0 < loss <= 100 * top else 100 * top
    return pd.DataFrame({"step": [step], "shown": [shown], "text": [f"loss {loss:.3g} at step {step}: stopped"]})


def _curve(steps: Sequence[int], values: Sequence[float], run: str, floor: float) -> pd.DataFrame:
    loss = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        shown = np.where(loss > 0, loss, floor)  # exactly 0 (or below) on the floor
    return pd.DataFrame({"step": np.asarray(steps, dtype=np.int64), "loss": loss, "shown": shown, "run": run})


def accuracy_chart(steps: Sequence[int], accuracies: Sequence[float],
                   held_out: Sequence[float] | None = None) -> dict:
    """Accuracy of each step's batch, in percent; beside it, dashed, the held-out samples' accuracy."""
    names = ["training batch"] + (["held-out samples"] if held_out is not None else [])
    n = len(steps)
    values = [*accuracies, *(held_out or [])]
    data = {"accuracy": pd.DataFrame({"step": np.tile(np.asarray(steps, dtype=np.int64), len(names)),
                                      "accuracy": 100 * np.asarray(values, dtype=np.float64),
                                      "set": np.repeat(names, n)})}
    layer = {"data": {"name": "accuracy"}, "mark": {"type": "line", "strokeWidth": 2},
             "encoding": {"x": {"field": "step", "type": "quantitative", "title": _step_title(),
                                "scale": {"domainMin": 0}, "axis": STEP_AXIS},
                          "y": {"field": "accuracy", "type": "quantitative", "title": "accuracy (%)",
                                "scale": {"domain": [0, 100]}},
                          "color": {"field": "set", "type": "nominal", "title": None,
                                    "scale": {"domain": names, "range": [GREEN, HIGHLIGHT][: len(names)]},
                                    "legend": _legend() if held_out is not None else None},
                          "strokeDash": {"field": "set", "type": "nominal", "legend": None,
                                         "scale": {"domain": names, "range": [[1, 0], [7, 4]][: len(names)]}}}}
    return layered_spec(260, [layer], data, "The accuracy at each step, in percent: the training batch's line, the "
                 "held-out samples' dashed.")


SAMPLE_COLORS = SERIES


def targets_chart(predictions: Sequence[float], targets: Sequence[float]) -> dict:
    """Each sample's prediction (a bar, in the sample's own place and colour) against its target (hollow diamond)."""
    names = [f"sample {i}" for i in range(1, len(predictions) + 1)]
    rows = pd.DataFrame({"sample": names, "output": np.asarray(predictions, dtype=np.float64),
                         "target": np.asarray(targets, dtype=np.float64),
                         "value": [f"{p:.3f}" for p in predictions]})
    x = {"field": "sample", "type": "ordinal", "title": None, "sort": None, "axis": {"labelAngle": 0}}
    # at least ±1.2, more when an output goes beyond: the spec keeps no number from the run
    y = {"field": "output", "type": "quantitative", "title": "output", "scale": {"domain": {"unionWith": [-1.2, 1.2]}}}
    colors = {"field": "sample", "type": "nominal", "legend": None,
              "scale": {"range": [SAMPLE_COLORS[i % len(SAMPLE_COLORS)] for i in range(len(names))]}}
    layers = [
        {"mark": {"type": "bar", "width": {"band": 0.55}}, "encoding": {"x": x, "y": y, "color": colors}},
        {"mark": {"type": "point", "shape": "diamond", "filled": False, "size": 500, "strokeWidth": 3, "color": GREY},
         "encoding": {"x": x, "y": {**y, "field": "target"}}},
        # the value by the 0 line, on the side away from its bar: clear of the targets at ±1
        {"mark": {"type": "text", "baseline": {"expr": "datum.output < 0 ? 'bottom' : 'top'"},
                  "dy": {"expr": "datum.output < 0 ? -4 : 4"}},
         "encoding": {"x": x, "y": {"datum": 0, "type": "quantitative", "scale": y["scale"]},
                      "text": {"field": "value"}}},
    ]
    for layer in layers:
        layer["data"] = {"name": "samples"}
    return layered_spec(380, layers, {"samples": rows}, "Each sample's output (a bar, its value by the 0 line) against "
                 "its target (a hollow diamond).")


def neuron_maps_chart(maps: Sequence[Sequence[np.ndarray]], shown: Sequence[int], chosen: tuple[int, int] | None,
                      width: int = 720) -> dict:
    """Small heatmaps of what each hidden neuron outputs over the plane: the first `shown[l]` neurons of layer l.

    Blue where the neuron's output is positive, vermillion where negative, white at 0 (a relu
    neuron is never negative: white where it is off). Each is named L<layer>.N<neuron>, as the parameter table
    names them; the `chosen` (layer, neuron), 1-based, is marked ◀.
    """
    frames = []
    for li, layer in enumerate(maps, 1):
        for ni, values in enumerate(layer[: shown[li - 1]], 1):
            rows, cols = np.indices(values.shape)
            name = f"L{li}.N{ni}" + (" ◀" if chosen == (li, ni) else "")  # as the parameter table names it
            frames.append(pd.DataFrame({"neuron": name, "i": rows.ravel().astype(np.int16),
                                        "j": cols.ravel().astype(np.int16),
                                        "out": np.asarray(values, dtype=np.float64).ravel()}))
    data = pd.concat(frames) if frames else pd.DataFrame({"neuron": [], "i": [], "j": [], "out": []})
    order = list(dict.fromkeys(data["neuron"]))
    columns = max(shown) if shown else 1
    size = max(56, min(120, width // columns - 8))  # a row of the widest layer fits in `width` pixels
    chart = layered_spec(size, [], {"maps": data}, "What each hidden neuron outputs over the plane: blue positive, "
                  "vermillion negative, white 0.", usermeta={"embedOptions": {"renderer": "canvas"}})
    del chart["layer"], chart["height"]
    config = chart["config"]
    config["view"] = {"stroke": GREY, "strokeWidth": 1}  # a frame: a neuron that is 0 everywhere is still seen
    config["header"] = {"labelFontSize": config["axis"]["labelFontSize"] - 2, "title": None,
                        **({"labelColor": config["axis"]["labelColor"]} if "labelColor" in config["axis"] else {})}
    chart.update({
        "data": {"name": "maps"},
        "facet": {"field": "neuron", "type": "ordinal", "sort": order, "header": {"title": None}},
        "columns": columns,
        "spacing": 6,
        "spec": {"width": size, "height": size, "mark": {"type": "rect"},
                 "encoding": {"x": {"field": "j", "type": "ordinal", "axis": None},
                              "y": {"field": "i", "type": "ordinal", "axis": None, "sort": "descending"},
                              "color": {"field": "out", "type": "quantitative", "legend": None,
                                        "scale": {"domain": [-1, 0, 1], "range": SCORE_RANGE, "clamp": True,
                                                  "interpolate": "rgb"}}}},
    })
    return chart

