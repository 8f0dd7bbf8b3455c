"""Server time of the Expression graph page's reruns."""

from __future__ import annotations

from .common import median_ms, open_app


def _click(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()


def bench_expression_graph() -> dict[str, float]:
    at = open_app("pages/expression_graph.py")
    lecture = median_ms(at, lambda at, i: _click(at, "Next step" if i % 4 < 3 else "Reset"))
    at.selectbox(key="graph_preset").set_value("micrograd README example").run()
    readme = median_ms(at, lambda at, i: _click(at, "Next step" if i % 10 < 9 else "Reset"))
    return {"step (lecture expression)": lecture, "step (micrograd README example)": readme}
