"""Every part of a page redrawn on a timer goes through ui/ticking.py, and so survives a change of page."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_timed_fragment_is_made_outside_ticking():
    made_elsewhere = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("pages", "ui", "lessons")
        for path in sorted((ROOT / folder).rglob("*.py")) if path.name != "ticking.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"st\.fragment\(.*run_every|st\.switch_page\(", line)
    ]
    assert made_elsewhere == [], "use ui.ticking.ticking / ui.ticking.switch_page: " + ", ".join(made_elsewhere)
