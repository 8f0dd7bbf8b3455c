"""Shared test helpers: opening a page of the app under Streamlit's AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def open_page(path: str, query: dict[str, str] | None = None) -> AppTest:
    """Open the page at `path` through the entry file, as a URL would, with an optional query string."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(path)
    at.run()
    return at

