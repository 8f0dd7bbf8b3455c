"""The lecture tour: scenes a teacher walks through in order, each a page of the app in an exact state.

The scenes live in `scenes.toml`, as data: where each one sits in the lecture, the page and the query
parameters that open it (written exactly as the page's own link writes them), a note for the teacher,
and optionally a question for the class. A question's true answer is never written in the file: it
names a function of `answers.ANSWERS` and its arguments, and the engine computes it.

This package imports neither `ui` nor streamlit: a page is checked by its file existing in the project.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import lecture
from ..mlp.settings import PRESETS as MLP_PRESETS
from ..mlp.settings import RunSettings, run_link
from ..quiz import TOLERANCE
from .answers import ANSWERS, GIVENS

ROOT = Path(__file__).resolve().parents[2]  # the project: pages are named relative to it
DEFAULT_PATH = Path(__file__).with_name("scenes.toml")
KINDS = ("number", "choice")
MAX_ANSWER = 64  # characters of a typed or picked answer
LIMIT = 1e6  # largest size of a number answer
MAX_TITLE = 60

# plain decimal or scientific notation: no "nan", "inf", "0x10", "1_000" or "1,5", which float() would take in part
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PAGE = re.compile(r"pages/[a-z0-9_]+\.py")
_MINUS = "\u2212"  # the minus sign a phone keyboard or a copied formula may give


@dataclass(frozen=True)
class Question:
    """A question asked on a scene; its truth is computed by `ANSWERS[answer](**args)`."""

    id: str  # the scene's id: stable across reorderings of the tour
    prompt: str
    kind: str  # "number" or "choice"
    choices: tuple[str, ...]
    tolerance: float  # absolute, for numbers
    answer: str
    args: Mapping[str, Any] = field(hash=False)
    conceal: tuple[str, ...] = ()  # the parts of the scene's page that show the answer: hidden until the reveal
    givens: str | None = None  # a function of answers.GIVENS: the numbers the question needs, for the phones
    givens_args: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def given(self) -> dict[str, float]:
        """The numbers a student needs to answer, computed now by the engine ({} when the prompt says it all)."""
        return {} if self.givens is None else GIVENS[self.givens](**self.givens_args)

    def truth(self) -> float | str:
        """The true answer, computed now by the engine for this scene."""
        value = ANSWERS[self.answer](**self.args)
        if self.kind == "number":
            if isinstance(value, str):
                raise ValueError(f"question {self.id}: {self.answer}() gives a choice, not a number")
            return float(value)
        if value not in self.choices:
            raise ValueError(f"question {self.id}: the answer {value!r} is not one of the choices")
        return value

    def check(self, raw: str) -> float | str:
        """A student's answer as typed or picked, validated; ValueError with a message fit to show them."""
        if not isinstance(raw, str):
            raise ValueError("Type your answer as text.")
        if len(raw) > MAX_ANSWER:
            raise ValueError(f"That answer is too long: at most {MAX_ANSWER} characters.")
        text = raw.strip()
        if self.kind == "choice":
            if text not in self.choices:
                raise ValueError("Pick one of: " + ", ".join(self.choices) + ".")
            return text
        if not text:
            raise ValueError("Type a number.")
        text = text.replace(_MINUS, "-", 1) if text.startswith(_MINUS) else text
        if not _NUMBER.fullmatch(text):
            raise ValueError("Type a number, such as 0.5, -3 or 1.2e-4 (with a point, not a comma).")
        value = float(text)
        if not math.isfinite(value) or abs(value) > LIMIT:
            raise ValueError(f"That number is too large: the answers here lie between -{LIMIT:,.0f} and {LIMIT:,.0f}.")
        return value

    def correct(self, value: float | str) -> bool:
        """Whether a checked answer is right: within the tolerance of the truth, or the true choice."""
        truth = self.truth()
        if self.kind == "choice":
            return value == truth
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return False
        # a hair of slack for the last digit of a computed truth, so that tolerance 0 means "exactly this"
        return abs(value - truth) <= self.tolerance + 1e-9 * max(1.0, abs(truth))


@dataclass(frozen=True)
class Scene:
    """One stop of the tour: a page opened in an exact state, at a moment of the lecture."""

    number: int  # 1-based position in the tour
    id: str
    title: str
    chapter: str  # the lecture's chapter title (lessons/lecture.py)
    page: str  # e.g. "pages/neuron.py"
    params: Mapping[str, str] = field(hash=False)  # the page's query parameters, as its link writes them
    note: str
    question: Question | None
    focus: str  # the section of the page the note talks about: first on the stage
    # the MLP page's run, named as a preset and its changes: its link comes from the run, whatever the defaults
    run: RunSettings | None = None

    @property
    def time(self) -> str:
        """Where the scene's chapter starts in the video, hh:mm:ss."""
        return lecture.chapter(self.chapter).start


_SCENE_KEYS = {"id", "title", "chapter", "page", "params", "note", "question", "focus", "run"}
_QUESTION_KEYS = {"prompt", "kind", "choices", "tolerance", "answer", "args", "conceal", "givens"}
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _frozen(value: Any) -> Any:
    """A TOML value that cannot be changed afterwards: tables as read-only mappings, arrays as tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be non-empty text")
    return value.strip()


def _question(raw: Any, scene_id: str, where: str) -> Question:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: 'question' must be a table")
    unknown = set(raw) - _QUESTION_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown question keys {sorted(unknown)}")
    prompt, kind, answer = (_text(raw, key, where) for key in ("prompt", "kind", "answer"))
    if kind not in KINDS:
        raise ValueError(f"{where}: question kind must be one of {', '.join(KINDS)}, not {kind!r}")
    choices = raw.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() == c and c for c in choices):
        raise ValueError(f"{where}: 'choices' must be a list of non-empty texts")
    if kind == "choice" and (len(choices) < 2 or len(set(choices)) < len(choices)):
        raise ValueError(f"{where}: a choice question needs two or more different choices")
    if kind == "number" and choices:
        raise ValueError(f"{where}: a number question has no choices")
    if any(len(c) > MAX_ANSWER for c in choices):
        raise ValueError(f"{where}: a choice is longer than {MAX_ANSWER} characters")
    tolerance = raw.get("tolerance", TOLERANCE if kind == "number" else 0.0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 <= tolerance < math.inf:
        raise ValueError(f"{where}: 'tolerance' must be a number, 0 or more")
    if kind == "choice" and "tolerance" in raw:
        raise ValueError(f"{where}: a choice question has no tolerance")
    if answer not in ANSWERS:
        raise ValueError(f"{where}: unknown answer function {answer!r}")
    args = raw.get("args", {})
    if not isinstance(args, dict):
        raise ValueError(f"{where}: 'args' must be a table")
    try:
        inspect.signature(ANSWERS[answer]).bind(**args)
    except TypeError as err:
        raise ValueError(f"{where}: the arguments do not fit {answer}() ({err})") from None
    conceal = raw.get("conceal", [])
    if not isinstance(conceal, list) or not all(isinstance(c, str) and _NAME.fullmatch(c) for c in conceal):
        raise ValueError(f"{where}: 'conceal' must be a list of part names such as 'slope'")
    givens, givens_args = _givens(raw.get("givens"), where)
    return Question(scene_id, prompt, kind, tuple(choices), float(tolerance), answer, _frozen(args), tuple(conceal),
                    givens, _frozen(givens_args))


def _givens(raw: Any, where: str) -> tuple[str | None, dict]:
    """`givens = { of = "neuron_numbers", args = {...} }`: a function of GIVENS and its arguments."""
    if raw is None:
        return None, {}
    if not isinstance(raw, dict) or set(raw) - {"of", "args"} or raw.get("of") not in GIVENS:
        raise ValueError(f"{where}: 'givens' must be a table {{ of = <a function of answers.GIVENS>, args = {{...}} }}")
    args = raw.get("args", {})
    try:
        inspect.signature(GIVENS[raw["of"]]).bind(**args)
    except TypeError as err:
        raise ValueError(f"{where}: the arguments do not fit {raw['of']}() ({err})") from None
    return raw["of"], args


def _scene(number: int, raw: Any, root: Path) -> Scene:
    where = f"scene {number}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be a table")
    scene_id = raw.get("id")
    if not isinstance(scene_id, str) or not _SLUG.fullmatch(scene_id):
        raise ValueError(f"{where}: 'id' must be a short slug such as 'slope-at-3'")
    where = f"scene {number} ({scene_id})"
    unknown = set(raw) - _SCENE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    title, chapter, page, note = (_text(raw, key, where) for key in ("title", "chapter", "page", "note"))
    if len(title) > MAX_TITLE:
        raise ValueError(f"{where}: the title is longer than {MAX_TITLE} characters")
    if chapter not in lecture.BY_TITLE:
        raise ValueError(f"{where}: the lecture has no chapter {chapter!r} (lessons/lecture.py lists them)")
    if not _PAGE.fullmatch(page) or not (root / page).is_file():
        raise ValueError(f"{where}: no page {page!r} in the project")
    params = raw.get("params", {})
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise ValueError(f"{where}: 'params' must be a table of texts, as the page's link writes them")
    question = _question(raw["question"], scene_id, where) if "question" in raw else None
    focus = raw.get("focus")
    if not isinstance(focus, str) or not _NAME.fullmatch(focus):
        raise ValueError(f"{where}: 'focus' must name the section of the page the note talks about")
    run = _run(raw["run"], where) if "run" in raw else None
    if run is not None:  # the run's link, then what the scene sets beside it (the pace, a sample)
        params = {**run_link(run), **params}
    return Scene(number, scene_id, title, chapter, page, MappingProxyType(dict(params)), note, question, focus, run)


def _run(raw: Any, where: str) -> RunSettings:
    """A scene's MLP run: { preset = "Lecture", changes = { lr = 0.1 } }."""
    if not isinstance(raw, dict) or set(raw) - {"preset", "changes"} or raw.get("preset") not in MLP_PRESETS:
        raise ValueError(f"{where}: 'run' must name a preset ({', '.join(MLP_PRESETS)}) and may list changes")
    changes = raw.get("changes", {})
    try:
        return replace(MLP_PRESETS[raw["preset"]], **changes)
    except TypeError as err:
        raise ValueError(f"{where}: the run's changes name a setting the MLP page does not have ({err})") from None


def _load(path: Path, root: Path = ROOT) -> tuple[Scene, ...]:
    with path.open("rb") as file:
        try:
            data = tomllib.load(file)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path.name} is not valid TOML: {err}") from None
    raw = data.get("scenes")
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{path.name}: no [[scenes]]")
    scenes = tuple(_scene(number, item, root) for number, item in enumerate(raw, 1))
    seen: set[str] = set()
    for before, scene in zip((None, *scenes), scenes):
        if scene.id in seen:
            raise ValueError(f"scene {scene.number} ({scene.id}): the id is used by an earlier scene")
        seen.add(scene.id)
        if before is not None and lecture.chapter(scene.chapter).seconds < lecture.chapter(before.chapter).seconds:
            raise ValueError(f"scene {scene.number} ({scene.id}): {scene.time} comes before the previous scene's "
                             f"{before.time}; the tour follows the lecture")
    return scenes


@functools.cache
def _default() -> tuple[Scene, ...]:
    return _load(DEFAULT_PATH)


def load_scenes(path: Path | None = None) -> tuple[Scene, ...]:
    """The tour's scenes in order, validated; ValueError naming the scene at fault. The default file is read once."""
    return _default() if path is None else _load(Path(path))


SCENES: tuple[Scene, ...] = load_scenes()
BY_ID: dict[str, Scene] = {s.id: s for s in SCENES}

# The tour's first numbering, when links named a scene by its place (?scene=26): a link of then keeps
# opening the scene it opened then, wherever new scenes have been put since. Links now name the scene's id.
NUMBERED = ("intro", "readme-example", "slope-at-3", "slope-at-minus-3", "h-too-small", "d-nudged",
            "value-children", "graph-before-grads", "backprop-step-1", "backprop-step-2", "backprop-done",
            "optimisation-step", "neuron", "neuron-dx1", "neuron-saturated", "tanh-backward", "topological-order",
            "reuse-bug", "tanh-from-exp", "pytorch", "mlp", "tiny-dataset", "parameters", "gradient-descent",
            "forgot-zero-grad", "moons-demo", "bug-lab")
