"""The code base passes ruff (style, bugbear, and the eval/exec bans S307/S102), and core never imports streamlit."""

import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_does_not_import_streamlit():
    for path in (ROOT / "micrograd_core").glob("*.py"):
        assert "streamlit" not in path.read_text(), path.name
