"""Teacher's guide: running a class with the app, from the day before to the end of the lesson."""

from pathlib import Path

import streamlit as st

from ui import page_frame

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "teachers_guide.md"

page_frame("pages/guide.py")
# the project's own text, one source for the app and the repository: its first line is the title
title, _, body = GUIDE.read_text(encoding="utf-8").partition("\n")
st.title(title.removeprefix("# "))
st.markdown(body)
