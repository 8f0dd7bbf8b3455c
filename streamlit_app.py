"""Entry point: routes to the lessons. Each page draws the shared frame itself (see ui/frame.py)."""

import streamlit as st

from ui import PAGES

page = st.navigation(
    [st.Page(p.path, title=p.title, icon=p.icon, default=(i == 0)) for i, p in enumerate(PAGES)],
    position="hidden",
)
page.run()
