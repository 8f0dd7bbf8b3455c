"""Data the class makes: points added and removed by clicking on the plane (or typed, for a keyboard), a CSV file
loaded or saved.

A click on the plane is a selection of the boundary chart (a cell of the plane, or a point). Its
callback changes the settings and asks the page for a rerun; the chart then comes back under a
new key, empty of any selection, so the next click on the same spot counts again.
"""

from __future__ import annotations

import streamlit as st

from lessons.mlp.points import LIMIT, LINK_POINTS, MAX_BYTES, Point, PointsError, read_csv, write_csv
from lessons.mlp.settings import CUSTOM, MAX_POINTS, TINY, RunSettings, all_data, classes, split

from ...plane_figures import class_name
from ...text import literal
from .settings import BY_FIELD, SAMPLE, read_settings

# what a click adds: a point of each label the data takes (two classes, or three)
ADDS = {"+1": 1.0, "-1": -1.0, "0": 0.0, "1": 1.0, "2": 2.0}
MODES = {"pick": "follow a point", "+1": "add +1", "-1": "add −1", "remove": "remove"}
MODES3 = {"pick": "follow a point", "0": "add class 0", "1": "add class 1", "2": "add class 2", "remove": "remove"}
HINTS = {
    "pick": "Click a point to follow it in the one-sample graph below.",
    "+1": "Click on the plot to add a point of class +1.",
    "-1": "Click on the plot to add a point of class −1.",
    **{str(c): f"Click on the plot to add a point of class {c}." for c in range(3)},
    "remove": "Click a point to remove it.",
}
# an empty plane, but for one point of each class
STARTER: tuple[Point, ...] = ((-1.0, 0.0, 1.0), (1.0, 0.0, -1.0))
STARTER3: tuple[Point, ...] = ((-1.0, 0.0, 0.0), (1.0, 0.0, 1.0), (0.0, 1.0, 2.0))
CLICK = "mlp_click"


def _three() -> bool:
    return classes(read_settings()) > 2


def _click_key() -> str:
    """The click box's key: one for two classes and one for three, whose choices differ."""
    return f"{CLICK}3" if _three() else CLICK


def click_mode() -> None:
    """What a click on the plane does."""
    if _three():  # five choices do not fit a phone's width in one row: radio buttons wrap, a segmented control not
        st.radio("a click on the plot will", list(MODES3), format_func=MODES3.get, key=_click_key(), horizontal=True)
        return
    st.segmented_control("a click on the plot will", list(MODES), format_func=MODES.get, key=_click_key(),
                         default="pick", required=True)


def click_hint() -> str:
    return HINTS[_mode()]


def _mode() -> str:
    return st.session_state.get(_click_key()) or "pick"


def chart_key() -> str:
    return f"mlp_plane_{st.session_state.get('mlp_plane_version', 0)}"


def remember_grid(xs, ys) -> None:
    """The plane's cells as drawn: a click on cell (i, j) adds a point at its centre (xs[j], ys[i])."""
    st.session_state.mlp_plane_axes = (list(map(float, xs)), list(map(float, ys)))


def picked_sample(n: int) -> int | None:
    """The point the one-sample graph follows, ringed once a student has picked one (by a click or its number)."""
    sample = SAMPLE.value - 1
    chosen = st.session_state.get("mlp_picked") or SAMPLE.value != SAMPLE.default
    return sample if chosen and 0 <= sample < n else None


def pending() -> bool:
    """Whether a click has just changed what the page shows (then the whole page reruns)."""
    return bool(st.session_state.pop("mlp_click_pending", False))


def _round(v: float) -> float:
    return float(f"{v:.4g}")  # as a link writes it, so the link brings back these exact points


def points_of(settings: RunSettings) -> list[Point]:
    """The points of a 2-D data set as (x1, x2, label), in the data set's own order."""
    X, y = all_data(settings)
    return [(float(a), float(b), float(label)) for (a, b), label in zip(X.tolist(), y.tolist())]


def chart_order(settings: RunSettings) -> list[int]:
    """For each point of the chart (the trained-on ones first, then the held-out ones), its place in the data set."""
    train, held = split(settings)
    return [*train.tolist(), *held.tolist()]


def set_points(points: list[Point] | tuple[Point, ...]) -> None:
    st.session_state[BY_FIELD["own_points"].key] = tuple(points)
    st.session_state[BY_FIELD["dataset"].key] = CUSTOM


def clicked() -> None:
    """The plane was clicked: add a point, remove one, or pick the one to follow."""
    selection = st.session_state[chart_key()].selection
    mode = _mode()
    settings = read_settings()
    picked = [p["k"] for name in ("pick", "pick_test") for p in selection.get(name, []) if "k" in p]
    cells = [c for c in selection.get("cell", []) if "i" in c and "j" in c]
    st.session_state.mlp_click_pending = True
    st.session_state.mlp_plane_version = st.session_state.get("mlp_plane_version", 0) + 1
    if mode == "pick" and picked:
        st.session_state[SAMPLE.key] = int(picked[0]) + 1
        st.session_state.mlp_picked = True
    elif mode in ADDS and cells and "mlp_plane_axes" in st.session_state:
        xs, ys = st.session_state.mlp_plane_axes
        i, j = int(cells[0]["i"]), int(cells[0]["j"])
        if 0 <= i < len(ys) and 0 <= j < len(xs):
            points = points_of(settings)
            if len(points) >= MAX_POINTS:
                st.toast(f"The plane holds at most {MAX_POINTS} points.", icon=":material/block:")
                return
            set_points([*points, (_round(xs[j]), _round(ys[i]), ADDS[mode])])
    elif mode == "remove" and picked and (problem := remove(settings, int(picked[0]))):
        st.toast(problem, icon=":material/block:")


def remove(settings: RunSettings, k: int) -> str:
    """Remove the chart's point `k` (0-based: the trained-on ones, then the held-out ones); "" or why not."""
    order = chart_order(settings)
    if not 0 <= k < len(order):
        return f"There is no point {k + 1}: the plane has {len(order)}."
    points = points_of(settings)
    gone = points.pop(order[k])
    if gone[2] not in {p[2] for p in points}:
        return "That is the last point of its class: the network needs one of each."
    set_points(points)
    return ""


def typed() -> None:
    """A point typed in (the keyboard's way to add one, where the plot takes a click): added to the data."""
    x1, x2 = st.session_state.get("mlp_type_x1"), st.session_state.get("mlp_type_x2")
    label = ADDS[st.session_state.get(_class_key(), "+1").replace("−", "-")]
    if x1 is None or x2 is None:
        st.session_state.mlp_type_problem = "Give both coordinates, x1 and x2."
        return
    points = points_of(read_settings())
    if len(points) >= MAX_POINTS:
        st.session_state.mlp_type_problem = f"The plane holds at most {MAX_POINTS} points."
        return
    set_points([*points, (_round(x1), _round(x2), label)])
    where = f"({_round(x1):g}, {_round(x2):g})"
    st.session_state.mlp_type_note = f"Added a point of {_named(label)} at {where}."


def typed_removal() -> None:
    """A point removed by its number (the keyboard's way, where the plot takes a click)."""
    k = st.session_state.get("mlp_remove_k")
    settings = read_settings()
    problem = "Give the point's number." if k is None else remove(settings, int(k) - 1)
    if problem:
        st.session_state.mlp_type_problem = problem
    else:
        st.session_state.mlp_type_note = f"Removed point {int(k)}."


def type_a_point() -> None:
    """Add or remove a point by typing: what a click on the plot does, for a keyboard (Enter adds it)."""
    with st.form("mlp_type_point", clear_on_submit=False, border=True):
        st.markdown("**Add a point by its coordinates**")
        a, b = st.columns(2)
        a.number_input("x1", -LIMIT, LIMIT, value=0.0, step=0.1, format="%.4g", key="mlp_type_x1")
        b.number_input("x2", -LIMIT, LIMIT, value=0.0, step=0.1, format="%.4g", key="mlp_type_x2")
        if _three():
            st.radio("class", ["0", "1", "2"], horizontal=True, key=_class_key(), format_func=lambda m: f"class {m}")
        else:
            st.radio("class", ["+1", "−1"], horizontal=True, key=_class_key())
        st.form_submit_button("Add the point", on_click=typed, icon=":material/add_location:", width="stretch")
    with st.form("mlp_remove_point", clear_on_submit=False, border=True):
        st.markdown("**Remove a point by its number**")
        st.number_input("point", 1, MAX_POINTS, value=None, step=1, key="mlp_remove_k",
                        help="Each point's number is in the plane's table of numbers (the Numbers button under it).")
        st.form_submit_button("Remove the point", on_click=typed_removal, icon=":material/delete:", width="stretch")
    if problem := st.session_state.pop("mlp_type_problem", None):
        st.error(problem, icon=":material/error:")
    if note := st.session_state.pop("mlp_type_note", None):
        st.success(note, icon=":material/check:")


def _class_key() -> str:
    return "mlp_type_class3" if _three() else "mlp_type_class"


def _named(label: float) -> str:
    """A class as a note names it: "class 2", or "class −1"."""
    return class_name(label, True) if _three() else f"class {class_name(label, False)}"


def adopt(previous: RunSettings) -> None:
    """The dataset was switched to the class's own points: start from the set shown before, if it was on a plane."""
    set_points(points_of(previous) if previous.dataset not in (TINY, CUSTOM) else STARTER)


# --- files ---

def file_problem(error: PointsError) -> str:
    """What is wrong with a file, in words, with the row and what was found (quoted: it is the file's text)."""
    found = literal(error.found)
    return {
        "empty": "The file has no points in it.",
        "too_big": f"The file is {found}: this page reads files up to {MAX_BYTES // 1000} kB ({MAX_POINTS} points).",
        "too_many": f"The file has {found}: the network trains on at most {MAX_POINTS} points.",
        "columns": f"Row {error.row} has {found}: each row needs three, x1,x2,label.",
        "number": f"Row {error.row} is not three numbers: {found}.",
        "finite": f"Row {error.row} holds a number that is not finite (nan or inf): {found}.",
        "range": f"Row {error.row} has a coordinate beyond ±{LIMIT:g}, farther than the plane is drawn: {found}.",
        "label": (f"Row {error.row} has the label {found}: labels are −1 and 1, or 0 and 1 (two classes), or 0, 1 "
                  "and 2 (three)." if error.row
                  else f"The labels mix {found}: use −1 and 1, or 0 and 1 (two classes), or 0, 1 and 2 (three)."),
        "one_class": "Every point has the same label: the network needs points of both classes.",
        "a_class_missing": f"The labels are of three classes, but no point has the label {found}: the network needs "
                           "points of every class.",
    }[error.code]


def loaded() -> None:
    """A file was chosen: its points replace the data, or nothing changes and the page says why."""
    upload = st.session_state.get("mlp_upload")
    st.session_state.pop("mlp_upload_problem", None)
    if upload is None:
        return
    try:
        points = read_csv(upload.getvalue())
    except PointsError as error:
        st.session_state.mlp_upload_problem = file_problem(error) + " Nothing from the file was used."
        return
    set_points([(_round(a), _round(b), label) for a, b, label in points])
    st.session_state.mlp_upload_note = f"{len(points)} points loaded from {literal(upload.name)}."


def tools(settings: RunSettings) -> None:
    """Load, save and start over: in the sidebar, under the data settings."""
    if settings.dataset == TINY:
        return
    st.file_uploader("Load points from a CSV file (x1,x2,label)", type=["csv", "txt"], key="mlp_upload",
                     on_change=loaded, help="One point per row: two coordinates and a label, −1 and 1 or 0 and 1. "
                     f"Up to {MAX_POINTS} points, coordinates from −{LIMIT:g} to {LIMIT:g}; a header row is allowed; "
                     "commas or semicolons (then decimal commas too).")
    if problem := st.session_state.get("mlp_upload_problem"):
        st.error(problem, icon=":material/error:")
    if note := st.session_state.pop("mlp_upload_note", None):
        st.success(note, icon=":material/check:")
    if settings.dataset == CUSTOM and settings.own_points or settings.dataset not in (TINY, CUSTOM):
        st.download_button("Save these points (CSV)", write_csv(points_of(settings)), "points.csv", mime="text/csv",
                           on_click="ignore", icon=":material/download:", key="mlp_points_csv", width="stretch")
    type_a_point()
    three = classes(settings) > 2
    st.button("Start from an empty plane", on_click=set_points, args=(STARTER3 if three else STARTER,),
              icon=":material/ink_eraser:", key="mlp_starter", width="stretch",
              help=f"Your own data from {'three points' if three else 'two points'}, one of each class: add more by "
              "clicking on the plot.")
    if settings.dataset == CUSTOM and len(settings.own_points) > LINK_POINTS:
        st.caption(f"Your {len(settings.own_points)} points are more than a link holds ({LINK_POINTS}): the address "
                   "bar leaves them out. Save them as CSV to share them.")
