"""Class: the teacher starts a class for the lecture's polls; students join with its code and answer."""

from ui import Text, page_frame, shielded
from ui.parts.classroom import student_view, teacher_view

JOIN = Text("join", "class code", "", max_chars=16)

page_frame("pages/classroom.py", [JOIN])

with shielded("Class mode"):  # e.g. a configured Redis server that does not answer
    if JOIN.value:
        student_view(JOIN.value.strip().upper())
    else:
        teacher_view()
