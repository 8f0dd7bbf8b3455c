"""Presenter view: a class's notes, next scene, answers and buttons, on the teacher's own screen."""

from ui import page_frame, shielded
from ui.parts.presenter import presenter_view

page_frame("pages/presenter.py")

with shielded("The presenter view"):  # e.g. a configured Redis server that does not answer
    presenter_view()
