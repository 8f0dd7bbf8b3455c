"""The app's colours, in one place: the charts, the graphs, the page's CSS and (checked by a test) the theme.

Okabe-Ito colours, readable with colour-blindness: blue for positive and vermillion for negative,
never red against green.
"""

from __future__ import annotations

POSITIVE = "#0072B2"  # blue
NEGATIVE = "#D55E00"  # vermillion
HIGHLIGHT = "#E69F00"  # orange
NEUTRAL = "#555555"
SKY = "#56B4E9"
GREEN = "#009E73"
PURPLE = "#CC79A7"
GREY = "#7F7F7F"
SERIES = [POSITIVE, NEGATIVE, GREEN, PURPLE, HIGHLIGHT, SKY, GREY]  # lines and bars, in this order
TEXT = {"light": "#111111", "dark": "#F2F2F2"}  # the body text of each theme (.streamlit/config.toml)
BACKGROUND = {"light": "#FFFFFF", "dark": "#0E1117"}
PRIMARY = {"light": POSITIVE, "dark": SKY}
INK = "#222222"  # dark lines on a light background of either theme, such as a decision boundary


def blend(color: str, amount: float, under: str = "#FFFFFF") -> str:
    """`color` laid over `under` at `amount` (0 to 1), as one opaque colour."""
    top = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    bottom = [int(under[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(amount * t + (1 - amount) * b) for t, b in zip(top, bottom)]
    return "#" + "".join(f"{c:02X}" for c in mixed)
