"""AppTest of the frame: navigation, every page runs, URL state, presentation mode."""

import pytest
from streamlit.testing.v1 import AppTest

from lessons.lecture import chapter
from tests.conftest import ROOT, open_page, styles
from ui import PAGES


def test_entry_runs_home_with_navigation_to_every_page():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Backpropagation, spelled out"
    labels = [el.proto.label for el in at.sidebar.get("page_link")]
    assert labels == [p.title for p in PAGES]


def test_pages_are_in_lecture_order_and_exist():
    lessons = [p for p in PAGES if p.lecture]  # by where they start in the video
    starts = [chapter(p.lecture[0]).start for p in lessons]
    assert lessons and starts == sorted(starts)
    for p in PAGES:
        assert (ROOT / p.path).exists(), p.path


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_every_page_runs_without_exception(path):
    at = open_page(path)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"
    assert at.sidebar.toggle(key="present") is not None


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_presentation_mode_from_the_url(path):
    at = open_page(path, {"present": "1"})
    assert not at.exception
    assert at.session_state["present"] is True
    assert "font-size: 22px" in styles(at)


def test_presentation_mode_toggle_is_mirrored_in_the_url():
    at = open_page("pages/home.py")
    assert "present" not in at.query_params
    at.sidebar.toggle(key="present").set_value(True).run()
    assert at.query_params["present"] == ["1"] or at.query_params["present"] == "1"
    assert "font-size: 22px" in styles(at)


@pytest.mark.parametrize("raw", ["banana", "2", "", "nan"])
def test_malformed_presentation_value_falls_back_with_a_notice(raw):
    at = open_page("pages/home.py", {"present": raw})
    assert not at.exception
    assert at.session_state["present"] is False
    assert any("present" in w.value and "ignored" in w.value for w in at.warning)
