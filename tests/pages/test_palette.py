"""The app's colours come from one place: the theme in .streamlit/config.toml agrees with ui.palette."""

import tomllib

from tests.conftest import ROOT
from ui import palette


def test_the_theme_uses_the_palettes_colours():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    for kind in ("light", "dark"):
        assert theme[kind]["primaryColor"] == palette.PRIMARY[kind]
        assert theme[kind]["textColor"] == palette.TEXT[kind]
        assert theme[kind]["backgroundColor"] == palette.BACKGROUND[kind]


def test_blend_lays_a_colour_over_another():
    assert palette.blend("#0072B2", 1.0) == "#0072B2" and palette.blend("#0072B2", 0.0) == "#FFFFFF"
    assert palette.blend("#000000", 0.5) == "#808080"
