"""The lecture's Value class as it grows, one file per stage (from the lecture's Value chapters).

Each file holds a complete, runnable `Value` of that stage, so the code on the page is the code
that builds the graph next to it. The last stage is the lecture's own: `_backward` closures.
micrograd_core's engine stores local derivatives instead (see micrograd_core/engine.py).
"""
