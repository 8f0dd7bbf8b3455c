"""The lecture's chapter table is the one source of the lecture times the app shows."""

import re

from lessons.lecture import BY_TITLE, CHAPTERS, chapter, span
from lessons.tour import SCENES
from tests.conftest import ROOT
from ui.registry import LESSONS

TIME = re.compile(r"\b[0-9]{2}:[0-5][0-9](?::[0-5][0-9])?\b")


def test_the_chapters_follow_the_video_and_have_one_title_each():
    assert [c.seconds for c in CHAPTERS] == sorted(c.seconds for c in CHAPTERS)
    assert len(BY_TITLE) == len(CHAPTERS) and CHAPTERS[0].start == "00:00:00"
    assert chapter("manual backpropagation example #2: a neuron").start == "00:52:52"
    assert span("derivative of a simple function with one input",
                "derivative of a function with multiple inputs") == "00:08:08 to 00:19:09"


def test_no_source_writes_a_lecture_time_of_its_own():
    """Every time the app shows comes from the table: no page, view, lesson or scene file spells one out."""
    sources = [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("lessons/**/*.py"),
               *ROOT.glob("lessons/**/*.toml"), ROOT / "streamlit_app.py"]
    written = {str(path.relative_to(ROOT)): TIME.findall(path.read_text(encoding="utf-8")) for path in sources
               if path != ROOT / "lessons" / "lecture.py"}
    assert {path: times for path, times in written.items() if times} == {}


def test_scenes_pages_and_the_value_class_take_their_times_from_the_table():
    starts = {c.start for c in CHAPTERS}
    assert all(scene.time == chapter(scene.chapter).start for scene in SCENES)
    for page in LESSONS:
        assert set(TIME.findall(page.chapter)) <= starts, page.title
    from lessons.expression_graph.value_class import STAGES

    assert [s.time for s in STAGES] == ["00:19:09"] * 4 + ["00:32:10", "01:09:02", "01:27:05"]
