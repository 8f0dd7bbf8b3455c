"""Class: the teacher starts a class for the lecture's polls; students join with its code and answer."""

import streamlit as st

from ui import Text, page_frame, shielded
from ui.parts.classroom import student_view, teacher_view

JOIN = Text("join", "class code", "", max_chars=16)

# a phone, even turned sideways, opens on the question, never on the navigation
page_frame("pages/classroom.py", [JOIN], sidebar="collapsed" if st.query_params.get(JOIN.key) else "auto")

with shielded("Class mode"):  # e.g. a configured Redis server that does not answer
    if JOIN.value:
        student_view(JOIN.value.strip().upper())
    else:
        teacher_view()
