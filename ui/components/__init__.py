"""Streamlit components of this app's own: a folder each, with the page they draw in the browser."""
