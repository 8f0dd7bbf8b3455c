"""Entry point: routes to the lessons. Each page draws the shared frame itself (see ui/frame.py)."""

import streamlit as st

from ui import PAGES

# No icon here: a page's icon becomes its favicon, and a ":material/...:" one is fetched from the web.
# Icons are drawn by the frame's own navigation instead.
page = st.navigation(
    [st.Page(p.path, title=p.title, default=(i == 0)) for i, p in enumerate(PAGES)],
    position="hidden",
)
page.run()
