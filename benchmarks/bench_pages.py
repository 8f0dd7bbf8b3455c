"""Server time of one rerun of each page after an interaction: AppTest, median of 20 reruns.

    python benchmarks/bench_pages.py

AppTest runs the page script in this process, so this is the server's share of a rerun
(script, core computation, building the messages), without the network or the browser.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks.pages as pages  # noqa: E402

TARGETS_MS = {"derivatives": 150, "expression_graph": 150, "neuron": 100, "landscape": 300}


def main() -> None:
    print(f"python {sys.version.split()[0]}; median of 20 AppTest reruns per line")
    for info in sorted(pkgutil.iter_modules(pages.__path__), key=lambda m: m.name):
        if info.name == "common":
            continue
        module = importlib.import_module(f"benchmarks.pages.{info.name}")
        bench = getattr(module, f"bench_{info.name}", None)
        if bench is None:
            continue
        target = TARGETS_MS.get(info.name)
        for what, ms in bench().items():
            goal = f"  (target <= {target} ms)" if target else ""
            print(f"{info.name:18s} {what:38s} {ms:8.1f} ms{goal}")


if __name__ == "__main__":
    main()
