"""The lecture tour in the frame: "Scene 7 of 24", Previous and Next, and the teacher's note.

A scene is data (`lessons/tour/scenes.toml`): a page and that page's query string. Opening a scene
forgets the settings the session had on the pages (so a setting the scene leaves out is at its
default, not at what the teacher tried last) and opens the page on the scene's link, which the page
reads through its own setting declarations, as any shared link. After that the page is the user's:
changing a control changes the page, and nothing puts the scene back until Previous or Next.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from lessons.tour import SCENES, Scene

from .state import Counter, Toggle, forget_settings
from .text import literal

TOUR = Toggle("tour", "Lecture tour", False,
              help="Walk the lecture scene by scene: each scene opens a page as the lecture shows it. "
              "Previous and Next also answer to a presentation clicker (Page Up and Page Down).")
SCENE = Counter("scene", "scene", 1, 1, len(SCENES))
_ARRIVED = "_tour_arrived"  # the scene this session last opened (so a page's first run knows it is on it)


def touring() -> bool:
    return bool(st.session_state.get(TOUR.key, False))


def current() -> Scene:
    return SCENES[st.session_state.get(SCENE.key, 1) - 1]


def scene_query(scene: Scene, frame: Mapping[str, str]) -> dict[str, str]:
    """The link of a scene: its page's settings, and the frame's (tour, scene, presentation)."""
    return {**scene.params, **frame, TOUR.key: "1", SCENE.key: str(scene.number)}


def open_scene(scene: Scene, on_open=None) -> None:
    """Go to `scene`: forget the pages' settings, then open its page on its link. Does not return."""
    if on_open is not None:
        on_open(scene)
    forget_settings(keep=("present", TOUR.key, SCENE.key))
    st.session_state[SCENE.key] = scene.number
    st.session_state[_ARRIVED] = scene.number
    frame = {"present": "1"} if st.session_state.get("present") else {}
    st.switch_page(scene.page, query_params=scene_query(scene, frame))


def start_tour(number: int = 1) -> None:
    """A button's callback: turn the tour on at scene `number` (the frame then opens it).

    A callback, because it runs before the sidebar's tour toggle is drawn, the only time its value may be set.
    """
    st.session_state[TOUR.key] = True
    st.session_state[SCENE.key] = number
    st.session_state[_ARRIVED] = 0  # not arrived: the frame opens the scene


def follow(path: str, on_open=None) -> None:
    """Take the page to the tour's current scene when it is not on it yet.

    A session that opens a link into the tour (a teacher's prepared link, a reload) shows the link
    as it is when it is the scene's page: the link is the state. Otherwise, and whenever the scene
    was changed without opening it (the tour just turned on), the scene is opened.
    """
    if not touring():
        return
    scene, arrived = current(), st.session_state.get(_ARRIVED)
    if arrived == scene.number:
        return
    if arrived is None and path == scene.page:
        st.session_state[_ARRIVED] = scene.number
        if on_open is not None:
            on_open(scene)
    else:
        open_scene(scene, on_open)


def tour_bar(on_open=None) -> None:
    """The tour's strip at the top of a page: where the class is in the lecture, and the way on."""
    scene = current()
    with st.container(key="tour_bar", horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f"**Scene {scene.number} of {len(SCENES)}:** {literal(scene.title)}  \n"
                    f":grey[{literal(scene.chapter)} · lecture {literal(scene.time)}]", width="stretch")
        with st.popover("Note", icon=":material/sticky_note_2:", help="The teacher's note for this scene"):
            st.markdown(literal(scene.note))
        back = st.button("Previous", icon=":material/arrow_back:", key="tour_previous", shortcut="PageUp",
                         disabled=scene.number == 1, help="Previous scene (Page Up)")
        on = st.button("Next", icon=":material/arrow_forward:", key="tour_next", type="primary", shortcut="PageDown",
                       disabled=scene.number == len(SCENES), help="Next scene (Page Down)")
    # not the arrow keys: they would also move a focused slider, so a teacher nudging x would change scene
    if back or on:
        open_scene(SCENES[scene.number - 1 + (1 if on else -1)], on_open)
