"""Links written by earlier versions of the app keep opening the same state.

A teacher's bookmarks and the links in a course's slides outlive any release: each link below was
written by the app at some point, and must open what it opened then.
"""

import pytest

from lessons.tour import BY_ID, NUMBERED
from tests.conftest import open_page
from ui.parts.mlp.settings import SETTINGS as MLP_SETTINGS

# the page, its link, and what the page must then hold (session-state key -> value)
OLD_LINKS = [
    ("pages/derivatives.py", {"deriv_x": "-3", "deriv_log_h": "-12"}, {"deriv_x": -3.0, "deriv_log_h": -12}),
    ("pages/derivatives.py", {"deriv_nudge": "-3", "present": "1"}, {"deriv_nudge": -3, "present": True}),
    ("pages/expression_graph.py", {"graph_step": "3", "graph_tab": "One optimisation step"},
     {"graph_step": 3, "graph_tab": "One optimisation step"}),
    ("pages/expression_graph.py", {"graph_tab": "Build the Value class", "graph_stage": "4"}, {"graph_stage": 4}),
    ("pages/expression_graph.py", {"graph_preset": "micrograd README example", "graph_step": "29"},
     {"graph_preset": "micrograd README example", "graph_step": 29}),
    ("pages/neuron.py", {"neuron_b": "9"}, {"neuron_b": 9.0}),
    ("pages/neuron.py", {"neuron_quiz": "1", "neuron_quiz_target": "x1"}, {"neuron_quiz": True,
                                                                           "neuron_quiz_target": "x1"}),
    ("pages/mlp_training.py", {"mlp_no_zero_grad": "1"}, {"mlp_forget_zero_grad": True}),
    ("pages/mlp_training.py", {"mlp_lr": "0.1", "mlp_pace": "slow"}, {"mlp_lr": 0.1, "mlp_pace": "slow"}),
    ("pages/mlp_training.py", {"mlp_dataset": "moons", "mlp_neurons": "16", "mlp_activation": "relu",
                               "mlp_seed": "2", "mlp_loss": "hinge", "mlp_lr": "1", "mlp_decay": "1"},
     {"mlp_dataset": "moons", "mlp_neurons": 16, "mlp_loss": "hinge", "mlp_model_seed": 2, "mlp_lr_decay": True}),
    ("pages/mlp_training.py", {"mlp_dataset": "xor", "mlp_points": "30", "mlp_split": "0.3", "mlp_batch": "8"},
     {"mlp_n_points": 30, "mlp_test_fraction": 0.3, "mlp_batch_size": 8}),
    ("pages/mlp_training.py", {"mlp_dataset": "custom", "mlp_data": "0.5:0.5:1;-0.5:-0.5:-1"},
     {"mlp_own_points": ((0.5, 0.5, 1.0), (-0.5, -0.5, -1.0))}),
    ("pages/mlp_training.py", {"mlp_pace": "1"}, {"mlp_pace": "steady"}),  # 4 steps a second
    ("pages/mlp_training.py", {"mlp_pace": "10"}, {"mlp_pace": "fast"}),  # 40 steps a second
    ("pages/bug_lab.py", {"lab_bug": "twice"}, {"lab_bug": "twice"}),
    ("pages/classroom.py", {"join": "abcdefgh"}, {"join": "abcdefgh"}),
]


@pytest.mark.parametrize("page, link, holds", OLD_LINKS, ids=lambda x: str(x)[:40])
def test_an_old_link_opens_what_it_opened(page, link, holds):
    at = open_page(page, link)
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "ignored" in w.value]
    assert {k: at.session_state[k] for k in holds} == holds
    renamed = {s.aliases[0]: s.key for s in MLP_SETTINGS if s.aliases}
    for old in set(link) & set(renamed):  # the address bar now says it by its own name
        assert old not in at.query_params and renamed[old] in at.query_params, old


@pytest.mark.parametrize("number", range(1, len(NUMBERED) + 1))
def test_an_old_scene_link_by_number_opens_the_scene_it_opened(number):
    scene = BY_ID[NUMBERED[number - 1]]
    at = open_page("pages/home.py", {"tour": "1", "scene": str(number)})
    assert not at.exception, at.exception
    assert at.session_state["scene"] == scene.number
    assert at.query_params.get("scene") in (scene.id, [scene.id], None)  # the link now says its id
