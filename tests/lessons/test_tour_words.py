"""Every number a scene's note quotes is what the engine computes for that scene; the other notes quote none.

Each quoted number is written next to the sentence it comes from and recomputed here from the scene's own
settings (the answers module builds exactly the objects the pages build). A note that gains a number
without a check here fails `test_every_note_is_checked`.
"""

import re

import pytest

from lessons.expression_graph import PRESETS
from lessons.formulas import parse
from lessons.mlp.settings import PRESETS as MLP_PRESETS
from lessons.tour import SCENES
from lessons.tour.answers import first_step, graph_grad, graph_numbers, neuron_numbers, reuse_bug_grad

BY_ID = {s.id: s for s in SCENES}
README = "micrograd README example"
LECTURE = "Lecture: L = (a·b + c)·f"


def readme_a_grad() -> str:
    return f"{graph_grad(README, 'a'):.0f}"  # "about 139"


# scene id -> [(the words in the note, the same words with the engine's number)]
QUOTED = {
    # the step size the page opens on, which the scene's question computes its answer with
    "optimisation-step": lambda: [("by 0.01", f"by {BY_ID['optimisation-step'].question.args['size']:g}")],
    "readme-example": lambda: [("a grad of about 139", f"a grad of about {readme_a_grad()}")],
    "d-nudged": lambda: [("so d = 4", f"so d = {parse('a*b + c').evaluate({'a': 2.0, 'b': -3.0, 'c': 10.0}):g}")],
    "graph-before-grads": lambda: [("L = −8", f"L = {graph_numbers(LECTURE, data=['L'])['L']:g}".replace("-", "−"))],
    "backprop-step-2": lambda: [("dL/dd = −2", f"dL/dd = {graph_numbers(LECTURE, grads=['d'], step=2)['dL/dd']:g}"
                                 .replace("-", "−"))],
    "neuron": lambda: [
        ("n = 0.8814", f"n = {neuron_numbers(data=['n'])['n']:.4f}"),
        ("o = 0.7071", f"o = {neuron_numbers(data=['o'])['o']:.4f}"),
        ("1 − o² = 0.5", f"1 − o² = {neuron_numbers(grads=['n'])['do/dn']:.1f}"),
    ],
    "neuron-saturated": lambda: [
        ("n = 3", f"n = {neuron_numbers(data=['n'], values={'b': 9.0})['n']:g}"),
        ("towards 6.88", f"towards {PRESETS['Neuron: tanh(x1·w1 + x2·w2 + b)'].values['b']:.2f}"),
    ],
    "reuse-bug": lambda: [("(it is 2", f"(it is {reuse_bug_grad('doubled', 'a', buggy=False):g}")],
    "adam-state": lambda: [("moves w by 0.69", f"moves w by {first_step('gradient descent', 0.05, 'w'):.2f}")],
    "moons-demo": lambda: [("100 points", f"{MLP_PRESETS['micrograd demo'].n_points} points"),
                           ("2-16-16-1", "2-" + "-".join(str(n) for n in MLP_PRESETS["micrograd demo"].hidden) + "-1")],
}
# a quantity in a note: a number with a decimal point, a sign, or a power of ten (x1, w2, MLP(3, [4, 4, 1]) and
# "four samples" are names and counts, which the page shows as they are)
QUANTITY = re.compile(r"(?<![\w.])[−-]?\d+\.\d+|(?<![\w])[−-]\d+(?:\.\d+)?|\d+e[−-]?\d+")


@pytest.mark.parametrize("scene_id", sorted(QUOTED))
def test_a_quoted_number_is_the_engines(scene_id):
    note = BY_ID[scene_id].note
    for written, computed in QUOTED[scene_id]():
        assert written in note, f"{scene_id}: the note no longer says {written!r}"
        assert written == computed, f"{scene_id}: the note says {written!r}, the engine gives {computed!r}"


def test_a_note_that_quotes_a_quantity_has_it_recomputed_above():
    """Or the quantity is one of the scene's own settings (x = −3), or a target of the data (+1 and −1)."""
    for scene in SCENES:
        if scene.id not in QUOTED:
            given = {float(v) for v in scene.params.values() if re.fullmatch(r"-?[\d.]+(e-?\d+)?", v)} | {-1.0, 1.0}
            quantities = {float(q.replace("−", "-")) for q in QUANTITY.findall(scene.note)}
            assert quantities <= given, f"{scene.id}: add {quantities - given} to QUOTED, recomputed by the engine"
