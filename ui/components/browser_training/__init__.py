"""Training in this browser: a component whose page runs the MLP's steps in a Web Worker under Pyodide.

The folder `frontend/` is what the browser loads: index.html, main.js (Streamlit's component protocol,
the numbers and charts), worker.mjs (Pyodide and the run), and pyodide/ (the runtime, vendored by
scripts/vendor_pyodide.sh, so the app needs no outside CDN). The Python the worker runs is sent by the
server from the project's own files (lessons/mlp/in_browser.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

FRONTEND = Path(__file__).parent / "frontend"
RUNTIME = (FRONTEND / "pyodide" / "VERSION").read_text(encoding="utf-8").strip()  # the Pyodide vendored
_component = components.declare_component("browser_training", path=str(FRONTEND))


def browser_training(*, sources: dict[str, str], start: str, run_id: str, training: bool, showing: bool,
                     rate: float | None, grid: dict[str, list[float]] | None, colors: dict[str, str], height: int,
                     font: int, key: str) -> Any:
    """Draw the component: its numbers and charts while `showing`, else one line.

    Its value is what the browser handed back last: {"run_id", and "hand_back" or "error"}.
    """
    return _component(sources=sources, start=start, run_id=run_id, training=training, showing=showing, rate=rate,
                      grid=grid, colors=colors, height=height, font=font, runtime=RUNTIME, key=key, default=None)
