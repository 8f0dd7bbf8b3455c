"""What every session of the server shares: the store of open classes and the limits that protect it.

Neither a lesson nor a view: the views reach the classes through `server.backends.open_store`, and
nothing here imports Streamlit, so the store runs (and is tested) without a page.
"""
