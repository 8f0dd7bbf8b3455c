"""Record what PyTorch computes for the Neuron page's neuron, for servers that do not install PyTorch.

    python scripts/record_pytorch.py

PyTorch is not a requirement of the app (a CPU build is 190 MB to download and 750 MB installed, and
importing it takes about 200 MB of a hosted app's memory), so a hosted app shows this recording beside
its live numbers, saying when, with which PyTorch, and for which inputs it was made. The recording runs
`lessons.neuron.torch_forward_backward`, the code the page shows, on the lecture's values and on the
tour's other neuron scenes; a test recomputes it wherever PyTorch is installed and fails on any change.
"""

from __future__ import annotations

import datetime
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lessons.neuron import LECTURE_VALUES, RECORDING, torch_forward_backward  # noqa: E402
from lessons.tour import SCENES  # noqa: E402


def inputs() -> list[dict[str, float]]:
    """The lecture's values, and those of every tour scene on the Neuron page that changes them."""
    runs = [dict(LECTURE_VALUES)]
    for scene in SCENES:
        changed = {k.removeprefix("neuron_"): float(v) for k, v in scene.params.items()
                   if k.removeprefix("neuron_") in LECTURE_VALUES}
        if scene.page == "pages/neuron.py" and changed and {**LECTURE_VALUES, **changed} not in runs:
            runs.append({**LECTURE_VALUES, **changed})
    return runs


def main() -> None:
    import torch

    recording = {
        "torch": torch.__version__, "python": platform.python_version(),
        "recorded": datetime.date.today().isoformat(),
        "runs": [{"inputs": v, "results": torch_forward_backward(v)} for v in inputs()],
    }
    RECORDING.write_text(json.dumps(recording, indent=1) + "\n", encoding="utf-8")
    print(f"{len(recording['runs'])} runs of PyTorch {recording['torch']} written to {RECORDING.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
