"""The lecture tour in the frame: "Scene 7 of 27", Previous and Next, and the teacher's note.

A scene is data (`lessons/tour/scenes.toml`): a page and that page's query string. Opening a scene
forgets the settings the session had on the pages (so a setting the scene leaves out is at its
default, not at what the teacher tried last) and opens the page on the scene's link, which the page
reads through its own setting declarations, as any shared link. After that the page is the user's:
changing a control changes the page, and nothing puts the scene back until Previous or Next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import streamlit as st

from lessons.tour import BY_ID, NUMBERED, SCENES, Scene

from .registry import PAGES
from .state import Counter, Toggle, forget_pages
from .text import literal
from .ticking import switch_page

TOUR = Toggle("tour", "Lecture tour", False,
              help="Walk the lecture scene by scene: each scene opens a page as the lecture shows it. "
              "Previous and Next also answer to a presentation clicker (Page Up and Page Down).")
@dataclass(frozen=True)
class SceneSetting(Counter):
    """The tour's scene: its place in the tour, written in a link as the scene's id (`scene=moons-demo`).

    A link from before scenes were named by id says a number, read in the tour's numbering of then
    (`NUMBERED`), so it opens the same scene however many scenes came in since.
    """

    def parse(self, raw: str) -> int:
        text = raw.strip()
        if text in BY_ID:
            return BY_ID[text].number
        if text.isdigit() and 1 <= int(text) <= len(NUMBERED):
            return BY_ID[NUMBERED[int(text) - 1]].number
        raise ValueError(f"expected a scene's name, such as {SCENES[-1].id}, or a number from 1 to {len(NUMBERED)}")

    def to_url(self, value: int) -> str:
        return SCENES[value - 1].id


SCENE = SceneSetting("scene", "scene", 1, 1, len(SCENES))
_ARRIVED = "_tour_arrived"  # the scene this session last opened (so a page's first run knows it is on it)


def touring() -> bool:
    return bool(st.session_state.get(TOUR.key, False))


def current() -> Scene:
    return SCENES[st.session_state.get(SCENE.key, 1) - 1]


def scene_query(scene: Scene, frame: Mapping[str, str]) -> dict[str, str]:
    """The link of a scene: its page's settings, and the frame's (tour, scene, presentation)."""
    return {**scene.params, **frame, TOUR.key: "1", SCENE.key: scene.id}


def open_scene(scene: Scene, on_open=None) -> None:
    """Go to `scene`: forget the pages' settings, then open its page on its link. Does not return."""
    if on_open is not None:
        on_open(scene)
    forget_pages([p.prefix for p in PAGES if p.prefix])
    st.session_state[SCENE.key] = scene.number
    st.session_state[_ARRIVED] = scene.number
    frame = {"present": "1"} if st.session_state.get("present") else {}
    switch_page(scene.page, query_params=scene_query(scene, frame))


def start_tour(number: int = 1) -> None:
    """A button's callback: turn the tour on at scene `number` (the frame then opens it).

    A callback, because it runs before the sidebar's tour toggle is drawn, the only time its value may be set.
    """
    st.session_state[TOUR.key] = True
    st.session_state[SCENE.key] = number
    st.session_state[_ARRIVED] = 0  # not arrived: the frame opens the scene


def _link_sets_the_page() -> bool:
    """Whether this page's link names settings of its own (beyond the tour's and presentation mode's).

    Read after the page has taken its link: the page writes a setting into its link only when it is
    not at its default, so a link that says nothing of the page leaves every setting at its default.
    """
    frame = {"present", TOUR.key, SCENE.key}
    own = [k for k in st.session_state.get("_url_keys", []) if k not in frame]
    return any(k in st.query_params for k in own)


def follow(path: str, on_open=None) -> None:
    """Take the page to the tour's current scene when it is not on it yet.

    A session that opens a link into the tour (a teacher's prepared link, a reload) on the scene's
    page, with settings of the page's own in the link, shows the link as it is: the link is the
    state, a view changed during the scene included. A link that names only the scene
    (`/neuron?tour=1&scene=15`), a link to another page, and a scene changed without opening it (the
    tour just turned on) open the scene as its own link says.
    """
    if not touring():
        return
    scene, arrived = current(), st.session_state.get(_ARRIVED)
    if arrived == scene.number:
        return
    if arrived is None and path == scene.page and (_link_sets_the_page() or not scene.params):
        st.session_state[_ARRIVED] = scene.number
        if on_open is not None:
            on_open(scene)
    else:
        open_scene(scene, on_open)


def tour_bar(on_open=None, *, note: bool = True, tools: Callable[[], None] = lambda: None) -> None:
    """The tour's bar at the top of a page: where the class is in the lecture, and the way on.

    One line that never wraps (long titles are cut with an ellipsis): the
    stage below it must not move. `tools` draws the scene's own buttons (Reveal, a class's count);
    the teacher's note is a popover unless `note` is False (on the stage of a class, where the
    class would read it: the presenter view shows it instead).
    """
    scene = current()
    with st.container(key="tour_bar", horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f"**Scene {scene.number} of {len(SCENES)}:** {literal(scene.title)}  \n"
                    f":grey[{literal(scene.chapter)} · lecture {literal(scene.time)}]", width="stretch")
        tools()
        if note:
            with st.popover("Note", icon=":material/sticky_note_2:", help="The teacher's note for this scene"):
                st.markdown(literal(scene.note))
        back = st.button("Previous", icon=":material/arrow_back:", key="tour_previous", shortcut="PageUp",
                         disabled=scene.number == 1, help="Previous scene (Page Up)")
        on = st.button("Next", icon=":material/arrow_forward:", key="tour_next", type="primary", shortcut="PageDown",
                       disabled=scene.number == len(SCENES), help="Next scene (Page Down)")
    # not the arrow keys: they would also move a focused slider, so a teacher nudging x would change scene
    if back or on:
        open_scene(SCENES[scene.number - 1 + (1 if on else -1)], on_open)
